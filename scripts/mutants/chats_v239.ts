/** Mutants of Coder Agents as it is today (issue 16): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

/** The list. */
export const CHATS_V239: Mutant[] = [];
