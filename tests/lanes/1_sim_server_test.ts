// Lane "sim_server" of `deno task test`: see tests/lanes/lanes.ts.
import "./guard.ts";
import "../e2e/property_test.ts";
import "../server_test.ts";
import "../sim/chats_v239_test.ts";
import "../sim/churn_test.ts";
import "../sim/clock_test.ts";
import "../sim/contract_test.ts";
import "../sim/faults_test.ts";
import "../sim/sim_cli_test.ts";
import "../sim/sim_test.ts";
