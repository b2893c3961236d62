/**
 * Issue 18, helper h18 (chats back end): the survivors in src/backends/chats/ that cannot change
 * behaviour (see ignore.ts for what belongs here).
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_CHATS: Ignored[] = [
  {
    file: "src/backends/chats/archive.ts",
    before: "1000",
    after: "999",
    why: "the seconds an unsettled interrupt was waited, shown to one decimal: a millisecond " +
      "more or less per second changes the shown figure only when the wall-clock wait lands " +
      "within a few ms of a rounding edge, a time no test may pin",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "1000",
    after: "1001",
    why: "as 1000 -> 999 (the shown seconds of the wait)",
  },
  {
    file: "src/backends/chats/submit.ts",
    before: "await getChat(this.#ctx.client, this.#ctx.prefix, id, signal)",
    after: "getChat(this.#ctx.client, this.#ctx.prefix, id, signal)",
    why: "`return await p` and `return p` in an async function outside any try: the caller's " +
      "promise settles the same way (see getTask's entry in ignore.ts)",
  },
  {
    file: "src/backends/chats/state.ts",
    before: "t.startsWith('\"')",
    after: "t.endsWith('\"')",
    why: "which strings are tried as JSON: a trimmed string that starts with a quote but does " +
      "not end with one, or ends with one but starts with neither quote, brace nor bracket, is " +
      "no JSON, so its parse fails and it is shown as sent either way",
  },
  {
    file: "src/backends/chats/state.ts",
    before: "x >= 0",
    after: "x > 0",
    why: "isByte's edges: a byte 0 (NUL) or 255 can be in no JSON text (NUL is no JSON " +
      "character, 0xFF no UTF-8), and 256 or -1 become 0 or 255 in the Uint8Array; so an array " +
      "holding one fails to parse and is shown as its numbers either way",
  },
  {
    file: "src/backends/chats/state.ts",
    line: 301,
    column: 63,
    before: "0",
    after: "(-1)",
    why: "isByte's edges (see x >= 0 -> x > 0)",
  },
  {
    file: "src/backends/chats/state.ts",
    line: 301,
    column: 63,
    before: "0",
    after: "1",
    why: "isByte's edges (see x >= 0 -> x > 0)",
  },
  {
    file: "src/backends/chats/state.ts",
    before: "x <= 255",
    after: "x < 255",
    why: "isByte's edges (see x >= 0 -> x > 0)",
  },
  {
    file: "src/backends/chats/state.ts",
    before: "255",
    after: "254",
    why: "isByte's edges (see x >= 0 -> x > 0)",
  },
  {
    file: "src/backends/chats/state.ts",
    before: "255",
    after: "256",
    why: "isByte's edges (see x >= 0 -> x > 0)",
  },
  ...[37, 48].map((line) => ({
    file: "src/backends/chats/writes.ts",
    line,
    before: "await call(undefined)",
    after: "call(undefined)",
    why: "`return await p` and `return p` outside any try (the second is in a catch clause, not " +
      "in its try): the caller's promise settles the same way",
  })),
  {
    file: "src/backends/chats/submit.ts",
    before: "await model.refused(err)",
    after: "model.refused(err)",
    why: "`return await p` and `return p` in a catch clause (outside its try): the caller's " +
      "promise settles the same way",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "1_500",
    after: "1499",
    why: "the archive's reserve from the call's budget one millisecond shorter: the settle " +
      "loop's cut-off moves by 1 ms of a wall-clock budget, below timer jitter, which no test " +
      "may time",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "1_500",
    after: "1501",
    why: "as 1_500 -> 1499 (the archive's reserve, 1 ms longer)",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "30_000",
    after: "30001",
    why: "as 30_000 -> 29999 in ignore.ts (the settle cap, 1 ms longer)",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "200",
    after: "199",
    why: "the first pause between looks at an interrupted chat 1 ms shorter: below timer " +
      "jitter; a test may not time it",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "200",
    after: "201",
    why: "as 200 -> 199 (the first pause, 1 ms longer)",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "1_000",
    after: "999",
    why: "the longest pause between looks 1 ms shorter: below timer jitter; a test may not time it",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "1_000",
    after: "1001",
    why: "as 1_000 -> 999 (the longest pause, 1 ms longer)",
  },
  {
    file: "src/backends/chats/logs.ts",
    line: 19,
    column: 68,
    before: "1",
    after: "0",
    why: "the page size of a limit that is no number (NaN || 1): with || 0 it is 0, which the " +
      "Math.max(1, ...) around it raises to the same 1",
  },
  {
    file: "src/backends/chats/extras.ts",
    before: 'cost.status === "fulfilled"',
    after: "true",
    why: "a rejected result has no value, so `cost.value` is undefined (falsy) and no cost is " +
      "shown either way",
  },
  {
    file: "src/backends/chats/extras.ts",
    before: 'models.status === "fulfilled"',
    after: "true",
    why: "as the cost's: a rejected result's value is undefined, so no model is looked up",
  },
  {
    file: "src/backends/chats/listing.ts",
    before: "this.#support[o.key] !== false",
    after: "true",
    why: "a term Coder refused stays out of every request either way: only known (true) terms " +
      "and unprobed (undefined) probes are sent, never a refused (false) one",
  },
  {
    file: "src/backends/chats/listing.ts",
    before: "refused",
    after: "true",
    why: "with no refused probe, `this.#support[undefined] = false` writes a key `undefined` " +
      "that no term has, so nothing reads it",
  },
  {
    file: "src/backends/chats/listing.ts",
    before: "optional.filter((o) => this.#support[o.key] !== false)",
    after: "optional",
    why: "as `!== false` -> true (a refused term is never sent); the array is the caller's own, " +
      "made for this call, so dropping from it changes nothing else",
  },
];
