/**
 * Issue 18, helper for src/tools and src/board: survivors that cannot change behaviour (see
 * ignore.ts for what belongs here).
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_TOOLS: Ignored[] = [
  {
    file: "src/tools/fleet_overview.ts",
    line: 115,
    column: 89,
    before: "1",
    after: "2",
    why: "the owners' comparator answers -2 instead of -1 for a name that comes first: the sort " +
      "reads only the sign",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 115,
    column: 93,
    before: "1",
    after: "2",
    why: "the owners' comparator answers 2 instead of 1 for a name that comes later: the sort " +
      "reads only the sign",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 115,
    column: 93,
    before: "1",
    after: "0",
    why: "the owners' comparator answers 0 instead of 1 for a name that comes later (counts " +
      "tied; names are keys, never equal): V8's sort (insertion, runs, merges, gallops) only " +
      "ever asks whether the answer is below 0, so 0 and 1 order alike",
  },
];
