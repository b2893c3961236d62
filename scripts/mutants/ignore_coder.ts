/**
 * Equivalent mutants of src/coder/ and src/redact.ts (issue 18): edits no test can tell from the
 * program. See ignore.ts for the rules; an untested behaviour is not here, it has a test.
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_CODER: Ignored[] = [
  {
    file: "src/coder/errors.ts",
    line: 183,
    before: "1048576",
    after: "1048575",
    why: "the too_large summary's cap in MiB: the cap is CODER_FLEET_MAX_RESPONSE_MB, a whole " +
      "1..4096 MiB (config.ts), and k MiB over 1048575 rounds to k for every such k",
  },
  {
    file: "src/coder/errors.ts",
    line: 183,
    before: "1048576",
    after: "1048577",
    why: "the same cap over 1048577 (see the entry above): k MiB rounds to k for k up to 4096",
  },
  {
    file: "src/coder/ratelimit.ts",
    before: "r.holdUntil > now",
    after: "r.holdUntil >= now",
    why: "at the very millisecond a hold ends, the mutant waits 0 ms and looks again: the " +
      "request goes out on the next turn instead of this one, which no test may time",
  },
  {
    file: "src/coder/ratelimit.ts",
    before: "Date.now() + ms > deadline",
    after: "Date.now() + ms >= deadline",
    why: "a wait that would end exactly at the deadline is refused instead of waited: a 1 ms " +
      "shift of a multi-second deadline, which no test may time",
  },
];
