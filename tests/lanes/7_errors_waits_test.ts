// Lane "errors_waits" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../e2e/errors_e2e_test.ts";
import "../e2e/fresh_wait_e2e_test.ts";
import "../e2e/watch_e2e_test.ts";
import "../e2e/load_e2e_test.ts";
