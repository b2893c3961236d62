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
  // The slot wait's and sleep's clean-up (ratelimit.ts): what is cleared, and what is left that
  // tests/coder/ratelimit_test.ts ("leave no timer or abort listener behind") cannot see.
  {
    file: "src/coder/ratelimit.ts",
    line: 198,
    before: "timer !== undefined",
    after: "true",
    why: "clearTimeout(undefined) does nothing",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 214,
    before: "0",
    after: "(-1)",
    why: "setTimeout takes a delay below 1 as 0, so `max(-1, left)` fires as `max(0, left)`",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 214,
    before: "0",
    after: "1",
    why:
      "a slot wait past its deadline refused 1 ms later: below timer jitter, no test may time it",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 216,
    before: "true",
    after: "false",
    why: "a signal fires abort once: `once` or not, the listener runs at most once",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 247,
    before: "0",
    after: "(-1)",
    why: "setTimeout takes a delay below 1 as 0, so `max(-1, ms)` sleeps as `max(0, ms)`",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 247,
    before: "0",
    after: "1",
    why: "a sleep of 0 ms made 1 ms: below timer jitter, no test may time it",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 252,
    before: "true",
    after: "false",
    why: "a signal fires abort once: `once` or not, the listener runs at most once",
  },
  // parseItems' shortcuts (lists.ts): the same items by the longer way, only slower.
  {
    file: "src/coder/lists.ts",
    before: "!a",
    after: "true",
    why: "the memo of `z.array(wire)`: built again on every call, the same schema with the same " +
      "answers, only slower (a time no test may assert)",
  },
  {
    file: "src/coder/lists.ts",
    before: "whole.success",
    after: "false",
    why: "without the one check of the whole array, every item is checked alone: when all pass " +
      "(the only case the shortcut takes), the same items in the same order, none skipped",
  },
  {
    file: "src/coder/lists.ts",
    before: "if (whole.success) {\n for (const w of whole.data) items.push(normalize(w));\n " +
      "return { items, skipped };\n }",
    after: "",
    why: "the shortcut gone: every item is checked alone (see the entry above)",
  },
  {
    file: "src/coder/lists.ts",
    before:
      "{\n for (const w of whole.data) items.push(normalize(w));\n return { items, skipped };\n }",
    after: "{}",
    why: "the shortcut gone: every item is checked alone (see the entries above)",
  },
  // The secrets' quick probe (secrets.ts) only spares the exact search on texts that cannot
  // hold a piece: a probe that matches more texts, or none skipped, finds the same.
  {
    file: "src/coder/secrets.ts",
    line: 39,
    before: "0",
    after: "(-1)",
    why: "a probe piece `f.slice(-1, n)`: the empty string or the last character, which matches " +
      "(nearly) every text; the exact search then finds what it always finds, only more often",
  },
  {
    file: "src/coder/secrets.ts",
    line: 39,
    before: "0",
    after: "1",
    why: "a probe piece one character shorter at its start: it matches every text the full " +
      "piece matches, and more; the exact search decides the same",
  },
  {
    file: "src/coder/secrets.ts",
    before: "if (!this.#probe?.test(text)) return text;",
    after: "",
    why: "without the probe, the exact search runs on every text and finds no span where the " +
      "probe would have said no: the text comes back as it was",
  },
  {
    file: "src/coder/secrets.ts",
    before: "!this.#probe?.test(text)",
    after: "false",
    why: "the probe never spares the exact search (see the entry above)",
  },
  {
    file: "src/coder/secrets.ts",
    line: 53,
    before: "return text;",
    after: "{}",
    why: "the probe never spares the exact search (see the entries above)",
  },
  {
    file: "src/coder/secrets.ts",
    line: 62,
    before: "n < form.length",
    after: "n <= form.length",
    why: "one step past a whole secret compares the text's next character with form[length], " +
      "undefined: equal only past the text's end, where the span's end is clamped by slice",
  },
  {
    file: "src/coder/success.ts",
    line: 47,
    column: 19,
    before: "1048576",
    after: "1048575",
    why: "a write's cap in words: the cap is CODER_FLEET_MAX_RESPONSE_MB, a whole 1..4096 MiB " +
      "(config.ts), never 1048575 bytes, where `>=` against one byte less would differ",
  },
  {
    file: "src/coder/success.ts",
    line: 47,
    column: 51,
    before: "1048576",
    after: "1048575",
    why: "the cap's MiB rounded: k MiB over 1048575 rounds to k for every whole k up to 4096",
  },
  {
    file: "src/coder/success.ts",
    line: 47,
    column: 51,
    before: "1048576",
    after: "1048577",
    why: "the cap's MiB rounded: k MiB over 1048577 rounds to k for every whole k up to 4096",
  },
  {
    file: "src/coder/success.ts",
    before: "await discard(res)",
    after: "discard(res)",
    why: "the body of an answer already judged is cancelled without waiting for it: the result " +
      "is the same, the cancel only finishes a turn later",
  },
  {
    file: "src/coder/success.ts",
    before: "await discard(res);",
    after: "",
    why: "the unread body of an answer already judged is left to the garbage collector instead " +
      "of cancelled: what the caller gets is the same, only a connection is freed later",
  },
  // shareWait's loop (share.ts) always returns by its last index: when the route's newest send
  // has left, none of the call's are in the window and the whole rate is free (0 < rate).
  {
    file: "src/coder/share.ts",
    line: 34,
    before: "0",
    after: "(-1)",
    why: "an extra first step at index -1: `at` is undefined, no send of the call leaves, and " +
      "the room is the route's now, which the check above the loop already found short",
  },
  {
    file: "src/coder/share.ts",
    before: "i < route.length",
    after: "i <= route.length",
    why: "the loop returns at its last index at the latest (see above): the index past the end " +
      "is never reached",
  },
  {
    file: "src/coder/share.ts",
    line: 43,
    before: "0",
    after: "(-1)",
    why: "the return after the loop is never reached (see above)",
  },
  {
    file: "src/coder/share.ts",
    line: 43,
    before: "0",
    after: "1",
    why: "the return after the loop is never reached (see above)",
  },
  // The client's timers (http.ts): one millisecond either way.
  {
    file: "src/coder/http.ts",
    line: 43,
    before: "250",
    after: "249",
    why: "the least time an attempt needs, one millisecond more or less: below timer jitter, " +
      "which no test may time",
  },
  {
    file: "src/coder/http.ts",
    line: 43,
    before: "250",
    after: "251",
    why: "the least time an attempt needs, one millisecond more or less: below timer jitter, " +
      "which no test may time",
  },
  {
    file: "src/coder/http.ts",
    line: 79,
    before: "15_000",
    after: "14999",
    why: "the default per-request timeout one millisecond off: a 15 s timer no test may wait " +
      "for, and its words (`15 s`, tenths of seconds) are the same",
  },
  {
    file: "src/coder/http.ts",
    line: 79,
    before: "15_000",
    after: "15001",
    why: "the default per-request timeout one millisecond off: a 15 s timer no test may wait " +
      "for, and its words (`15 s`, tenths of seconds) are the same",
  },
  {
    file: "src/coder/http.ts",
    line: 81,
    before: "200",
    after: "199",
    why: "the default base backoff one millisecond off, under a random jitter of half of it: " +
      "no test may time it",
  },
  {
    file: "src/coder/http.ts",
    line: 81,
    before: "200",
    after: "201",
    why: "the default base backoff one millisecond off, under a random jitter of half of it: " +
      "no test may time it",
  },
  {
    file: "src/coder/http.ts",
    line: 82,
    before: "5_000",
    after: "4999",
    why: "the default cap on one backoff one millisecond off: below timer jitter, no test may " +
      "time it",
  },
  {
    file: "src/coder/http.ts",
    line: 82,
    before: "5_000",
    after: "5001",
    why: "the default cap on one backoff one millisecond off: below timer jitter, no test may " +
      "time it",
  },
  {
    file: "src/coder/http.ts",
    line: 84,
    before: "60_000",
    after: "59999",
    why: "the longest wait outside a call one millisecond off: a minute-long bound no test may " +
      "time",
  },
  {
    file: "src/coder/http.ts",
    line: 84,
    before: "60_000",
    after: "60001",
    why: "the longest wait outside a call one millisecond off: a minute-long bound no test may " +
      "time",
  },
  {
    file: "src/coder/http.ts",
    line: 181,
    before: "err.retryAfterMs > limit",
    after: "err.retryAfterMs >= limit",
    why: "a Retry-After (whole seconds) equal to the time left less 250 ms, to the millisecond: " +
      "the mutant refuses a wait that would end 250 ms before the deadline, which no test may time",
  },
  {
    file: "src/coder/http.ts",
    line: 195,
    before: "delay > limit",
    after: "delay >= limit",
    why: "a random backoff equal to the time left to the millisecond: refused instead of slept, " +
      "which no test can bring about or time",
  },
  {
    file: "src/coder/fast_check.ts",
    before: "compiled.set(schema, fn ?? null);",
    after: "",
    why: "the memo of compiled checks not stored: every call compiles the schema again, and " +
      "compile is pure, so every check gives the same answer, only slower (a time no test may " +
      "assert; the early return that reads the memo is on this list for the same reason)",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 98,
    before: "0",
    after: "1",
    why: "a new route's hold ending at 1 ms after the epoch instead of 0: both are decades past, " +
      "so `holdUntil > now` is false for either, and a hold only ever replaces it with a later time",
  },
  ...[["true"], ["j <= mine.length"]].map(([after]) => ({
    file: "src/coder/share.ts",
    before: "j < mine.length",
    after,
    why: "the walk's bound, kept for whoever reads it: past the end `mine[j]` is undefined and " +
      "`undefined <= at` is false, so the loop stops there with or without it",
  })),
];
