/** Mutants of Hardening, round two (issue 17): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

/** The list. */
export const HARDENING: Mutant[] = [];
