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
  {
    file: "src/fleet/request_id.ts",
    before: "16",
    after: "17",
    line: 18,
    column: 37,
    why: "the variant's hex digit read in base 17: every hex digit (0-9, a-f) has the same value " +
      "in base 17 as in base 16",
  },
  ...["15", "17"].map((after) => ({
    file: "src/fleet/request_id.ts",
    before: "16",
    after,
    line: 18,
    column: 64,
    why: "the variant (8 to 11) written in base 15 or 17: 8, 9, a and b in each, as in base 16",
  })),
];
