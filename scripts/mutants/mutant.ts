/** The shape of a listed mutant (`scripts/mutants.ts` and the lists beside this file). */

/** One deliberate bug. */
export interface Mutant {
  /** Short unique name. */
  id: string;
  /** What the bug breaks, in a user's words (a DESIGN rule, an issue item). */
  breaks: string;
  /** The file to mutate, from the repository root. */
  file: string;
  /** Exact text to replace (must occur once). */
  find: string;
  replace: string;
  /** Test files that should kill it (default: the whole suite). */
  tests?: string[];
  /** For a known survivor: why it is acceptable. */
  survives?: string;
}
