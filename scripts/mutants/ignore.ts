/**
 * Generated mutants (`deno task mutate --sample`) that survive because they cannot change what
 * the program does: equivalent, not untested. The sampler skips each and reports it as "ignored
 * (equivalent)". Each entry names the file, the exact edit as the report shows it, and why no
 * test could tell the mutant from the program. A survivor that CAN change behaviour is a gap:
 * it gets a test, not an entry here.
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED: Ignored[] = [];
