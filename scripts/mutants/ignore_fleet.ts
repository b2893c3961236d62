/** Equivalent mutants of `src/fleet/` (see `ignore.ts` for what belongs here). */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_FLEET: Ignored[] = [
  {
    file: "src/fleet/select.ts",
    before: "x[0] < y[0]",
    after: "x[0] <= y[0]",
    why: "the tie-break of the hint's values: they are the keys of one Map, so two are never " +
      "equal and `<` and `<=` agree",
  },
];
