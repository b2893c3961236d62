/** Mutants of Outcomes (issue 20): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

/** The list. */
export const OUTCOMES: Mutant[] = [];
