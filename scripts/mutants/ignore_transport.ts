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
  {
    file: "src/main.ts",
    before: "60_000",
    after: "59999",
    why: "minutes to milliseconds for the stalled threshold, one millisecond off: the threshold " +
      "is at least 3 s (CODER_FLEET_STALLED_MIN >= 0.05), a shift below timer jitter that no " +
      "test may time",
  },
  {
    file: "src/main.ts",
    before: "60_000",
    after: "60001",
    why: "the same threshold one millisecond longer (see the entry above)",
  },
  {
    file: "src/main.ts",
    before: "1_000",
    after: "999",
    why: "how long the ending process waits for stderr's last lines, one millisecond shorter " +
      "(of a second): below timer jitter, and a test may not time it",
  },
  {
    file: "src/main.ts",
    before: "1_000",
    after: "1001",
    why: "the same wait one millisecond longer (see the entry above)",
  },
  {
    file: "src/server.ts",
    before: "`out of time after ${ms} ms`",
    after: "``",
    why: "the message of the reason a call's signal is aborted with when its budget runs out: " +
      "the caller is answered by lateText at that moment, and whatever the tool does after " +
      "(a failure carrying that reason included) is dropped unread",
  },
  {
    file: "src/config.ts",
    line: 223,
    before: "eq > 0",
    after: "eq >= 0",
    why:
      "an argument with `=` at its start or second place is no flag name either way: it is refused as an unknown argument, and the refusal quotes the argument itself, not the name",
  },
  {
    file: "src/config.ts",
    line: 223,
    column: 23,
    before: "0",
    after: "(-1)",
    why: "the same boundary of the flag-name split (see the entry above)",
  },
  {
    file: "src/config.ts",
    line: 223,
    column: 23,
    before: "0",
    after: "1",
    why: "the same boundary of the flag-name split (see the entry above)",
  },
  {
    file: "src/config.ts",
    line: 223,
    before: '"--"',
    after: '""',
    why:
      "every name that is looked up (WITH_VALUE, BARE with no `=`, --token) starts with --, so " +
      "splitting `-h=1` or `x=1` at `=` only changes a name that is refused as unknown anyway, " +
      "quoting the argument itself",
  },
  {
    file: "src/config.ts",
    line: 225,
    before: "eq > 0",
    after: "eq >= 0",
    why: "here the name is a WITH_VALUE flag: `=` is either absent (-1) or after --name (>= 3)",
  },
  {
    file: "src/config.ts",
    line: 225,
    before: "0",
    after: "(-1)",
    why: "the same boundary of the same split (see the entry above)",
  },
  {
    file: "src/config.ts",
    line: 228,
    before: "eq < 0",
    after: "eq <= 0",
    why: "a BARE flag's name cannot have `=` at place 0 (the name would be the whole argument, " +
      "which starts with = and is no flag)",
  },
  {
    file: "src/config.ts",
    line: 228,
    before: "0",
    after: "1",
    why: "the same boundary of the same split (see the entry above)",
  },
  {
    file: "src/config.ts",
    line: 248,
    before: '"auto"',
    after: '""',
    why: 'an unset back end becomes "" instead of "auto", and the `|| "auto"` after the trim ' +
      "makes it auto all the same",
  },
  {
    file: "src/transport/stdio.ts",
    line: 77,
    before: "0",
    after: "1",
    why: "the first value of an oversized line's tail: it is set from that line's bytes when the " +
      "line goes over the cap, before anything reads it",
  },
  {
    file: "src/transport/stdio.ts",
    line: 80,
    before: "0",
    after: "(-1)",
    why: "the count of bad lines held back, before the first report: the first bad line is " +
      "always reported (the last report was at -Infinity), which sets the count to 0, and a " +
      "count of -1 is said as none, like 0",
  },
  {
    file: "src/transport/stdio.ts",
    before: "off < chunk.length",
    after: "off <= chunk.length",
    why: "one more round when a chunk ends with a newline: it appends the empty rest of the " +
      "chunk, which changes neither the line nor its size",
  },
  {
    file: "src/transport/stdio.ts",
    line: 148,
    before: "return;",
    after: "",
    why: "after an oversized line is answered, the rest of #endLine handles the line buffer, " +
      "which is empty while a line is oversized (emptied when it went over, not filled since): " +
      "an empty line is skipped",
  },
  {
    file: "src/transport/stdio.ts",
    before: "if (parts.length === 1) return parts[0];",
    after: "",
    why: "concat's shortcut for one part: without it the part is copied, the same bytes (each " +
      "caller decodes, copies or writes them at once)",
  },
  {
    file: "src/transport/stdio.ts",
    before: "parts.length === 1",
    after: "false",
    why: "concat's shortcut not taken (see the entry above)",
  },
  {
    file: "src/transport/stdio.ts",
    line: 254,
    before: "1",
    after: "0",
    why: "concat's shortcut for no part instead of one: no part gives undefined instead of an " +
      "empty array, which only an empty line's decoding meets (it decodes both as empty); one " +
      "part is copied (see the entries above)",
  },
  {
    file: "src/transport/stdio.ts",
    before: "return parts[0];",
    after: "{}",
    why: "concat's shortcut not taken (see the entries above)",
  },
  {
    file: "src/transport/stdio.ts",
    before: "all.length > n",
    after: "true",
    why: "slicing the last n bytes of fewer than n bytes: slice with a negative start takes " +
      "them all, as the copy in the other branch does",
  },
  {
    file: "src/transport/stdio.ts",
    before: "all.length > n",
    after: "all.length >= n",
    why: "at exactly n bytes both branches copy all of them",
  },
  {
    file: "src/transport/http.ts",
    before: "3000",
    after: "2999",
    why: "how long an HTTP shutdown waits for requests in progress, one millisecond shorter: " +
      "below timer jitter, and a test may not time it",
  },
  {
    file: "src/transport/http.ts",
    before: "3000",
    after: "3001",
    why: "the same grace one millisecond longer (see the entry above)",
  },
  {
    file: "src/transport/http1.ts",
    line: 87,
    before: "10",
    after: "9",
    why: "the first pause after a failed accept, one millisecond shorter: below timer jitter, " +
      "and a test may not time it",
  },
  {
    file: "src/transport/http1.ts",
    line: 87,
    before: "10",
    after: "11",
    why: "the same pause one millisecond longer (see the entry above)",
  },
  {
    file: "src/transport/http1.ts",
    line: 92,
    before: "10",
    after: "9",
    why: "the pause after a failed accept reset one millisecond shorter after a good one " +
      "(see the entries above)",
  },
  {
    file: "src/transport/http1.ts",
    line: 92,
    before: "10",
    after: "11",
    why: "the same reset one millisecond longer (see the entries above)",
  },
  {
    file: "src/transport/http1.ts",
    line: 107,
    before: "true",
    after: "false",
    why: "Nagle's algorithm left on: a small piece of an answer may wait for the previous one's " +
      "acknowledgement, tens of milliseconds at most; the bytes and their order are the same, " +
      "and a test may not time it",
  },
];
