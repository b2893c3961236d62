/** Mutants of the 18 untested behaviours (issue 18): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

/** The list. */
export const BEHAVIOURS: Mutant[] = [];
