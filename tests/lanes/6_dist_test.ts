// Lane "dist" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../compile_test.ts";
import "../e2e/bundle_test.ts";
import "../e2e/cli_test.ts";
import "../e2e/readme_test.ts";
