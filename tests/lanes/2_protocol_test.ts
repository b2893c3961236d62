// Lane "protocol" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../e2e/conformance_test.ts";
import "../e2e/hostile_e2e_test.ts";
import "../e2e/http_e2e_test.ts";
import "../e2e/secrets_e2e_test.ts";
import "../e2e/secrets_test.ts";
import "../e2e/stdio_e2e_test.ts";
import "../transport/http1_test.ts";
