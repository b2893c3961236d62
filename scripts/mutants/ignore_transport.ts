/**
 * Issue 18, helper h18-transport (src/transport/, config, env, log, main, server, help): the
 * survivors that cannot change behaviour. See scripts/mutants/ignore.ts for the rules.
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_TRANSPORT: Ignored[] = [
  {
    file: "src/main.ts",
    before: "2000",
    after: "1999",
    why: "how long a stdio server that is ending waits for its last answers to reach stdout, " +
      "one millisecond shorter: below timer jitter, and a test may not time it",
  },
  {
    file: "src/main.ts",
    before: "2000",
    after: "2001",
    why: "the same wait one millisecond longer (see the entry above)",
  },
  {
    file: "src/main.ts",
    before: "clearTimeout(timer);",
    after: ";",
    why: "the timer of that wait left running: main returns at once, and the process exits " +
      "(Deno.exit) after flushing stderr, whatever timers are pending",
  },
];
