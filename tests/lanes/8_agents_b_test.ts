// Lane "agents_b" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../e2e/chat_models_e2e_test.ts";
import "../e2e/current_e2e_test.ts";
import "../e2e/inputs_e2e_test.ts";
import "../e2e/outcomes_e2e_test.ts";
import "../e2e/round_trips_e2e_test.ts";
import "../e2e/settings_e2e_test.ts";
import "../e2e/versions_e2e_test.ts";
