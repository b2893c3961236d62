// Lane "agents_a" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../e2e/actions_e2e_test.ts";
import "../e2e/chats_e2e_test.ts";
import "../e2e/mixed_e2e_test.ts";
import "../e2e/reading_e2e_test.ts";
import "../e2e/tasks_e2e_test.ts";
import "../e2e/v239_e2e_test.ts";
import "../e2e/where_e2e_test.ts";
