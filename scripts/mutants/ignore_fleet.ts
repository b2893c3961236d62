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
  ...[[75, "1", "2"], [79, "1", "0"], [79, "1", "2"]].map(([column, before, after]) => ({
    file: "src/fleet/select.ts",
    line: 116,
    column: column as number,
    before: before as string,
    after: after as string,
    why: "the tie-break's -1 and 1 as -2, 0 or 2: V8's sort acts only on whether a comparison " +
      "is below zero, so the same order comes out (checked on 3,000 random hints of up to 300 values)",
  })),
];
