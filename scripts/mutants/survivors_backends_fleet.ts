/**
 * Mutants of the bugs found while testing the survivors of the generated sample in `backends/`
 * and `fleet/` (seed 20261207): see `scripts/mutants.ts` for the fields.
 */
import type { Mutant } from "./mutant.ts";

/** The list. */
export const SURVIVORS_BACKENDS_FLEET: Mutant[] = [
  {
    id: "detect-forced-lacks-says-serves",
    breaks: "forced to an API the deployment lacks (CODER_FLEET_BACKEND), detection says Coder " +
      '"serves the chats API", the opposite of what happened',
    file: "src/fleet/detect.ts",
    find: ': `does not serve the ${force === "tasks" ? "Tasks" : "Chats"} API`;',
    replace: ": `serves the ${force} API`;",
    tests: ["tests/fleet/detect_test.ts"],
  },
];
