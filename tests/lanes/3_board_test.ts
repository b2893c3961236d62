// Lane "board" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../board/browser_test.ts";
import "../e2e/board_e2e_test.ts";
import "../e2e/skipped_e2e_test.ts";
import "../e2e/stalled_e2e_test.ts";
import "../e2e/templates_e2e_test.ts";
