// Lane "faults" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../e2e/budget_e2e_test.ts";
import "../e2e/coalesce_e2e_test.ts";
import "../e2e/faults_e2e_test.ts";
import "../e2e/write_once_e2e_test.ts";
