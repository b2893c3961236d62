/** Mutants of Hardening, round two (issue 17): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

const WRITE_ONCE = ["tests/coder/http_trust_test.ts", "tests/e2e/write_once_e2e_test.ts"];

/** The list. */
export const HARDENING: Mutant[] = [
  // --- 17a: the HTTP client
  {
    id: "write-body-replayable",
    breaks: "a write whose connection resets after Coder acted is sent again by Deno's fetch " +
      "and reported by its second answer, not uncertain (issue 17, finding 1)",
    file: "src/coder/http.ts",
    find: "body: write && opts.idempotent !== true ? onceBody(sent) : sent,",
    replace: "body: sent,",
    tests: WRITE_ONCE,
  },
  {
    id: "bodiless-write-replayable",
    breaks: "a bodiless write (pause, resume, interrupt, delete) is sent again by Deno's fetch " +
      "after a reset (finding 1)",
    file: "src/coder/http.ts",
    find: "body: write && opts.idempotent !== true ? onceBody(sent) : sent,",
    replace:
      "body: write && opts.idempotent !== true && sent !== undefined ? onceBody(sent) : sent,",
    tests: WRITE_ONCE,
  },
];
