/** Equivalent mutants of `src/fleet/` (see `ignore.ts` for what belongs here). */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_FLEET: Ignored[] = [
  {
    file: "src/fleet/select.ts",
    before: "x[0] < y[0]",
    after: "x[0] <= y[0]",
    why: "the tie-break of the hint's values: they are the keys of one Map, so two are never " +
      "equal and `<` and `<=` agree",
  },
  ...[[75, "1", "2"], [79, "1", "0"], [79, "1", "2"]].map(([column, before, after]) => ({
    file: "src/fleet/select.ts",
    line: 116,
    column: column as number,
    before: before as string,
    after: after as string,
    why: "the tie-break's -1 and 1 as -2, 0 or 2: V8's sort acts only on whether a comparison " +
      "is below zero, so the same order comes out (checked on 3,000 random hints of up to 300 values)",
  })),
  {
    file: "src/fleet/request_id.ts",
    before: "16",
    after: "17",
    line: 18,
    column: 37,
    why: "the variant's hex digit read in base 17: every hex digit (0-9, a-f) has the same value " +
      "in base 17 as in base 16",
  },
  ...["15", "17"].map((after) => ({
    file: "src/fleet/request_id.ts",
    before: "16",
    after,
    line: 18,
    column: 64,
    why: "the variant (8 to 11) written in base 15 or 17: 8, 9, a and b in each, as in base 16",
  })),
  {
    file: "src/fleet/watching.ts",
    before: "!seen.has(`${a.kind} ${a.owner}`)",
    after: "true",
    why: "one agent per kind and owner, the last instead of the first: the pacer reads only the " +
      "kind and the owner of each (Fleet.pacer), the same for any agent of the pair",
  },
  ...[[33, "(-1)"], [33, "1"], [83, "1"], [94, "(-1)"], [94, "1"]].map(([line, after]) => ({
    file: "src/fleet/pacer.ts",
    line: line as number,
    before: "0",
    after: after as string,
    why:
      "a floor of -1 or 1 ms instead of 0 on a sleep or a round's end: callers pass no negative " +
      "limit (wait.ts and send.ts clamp it at 0), and 1 ms more is timer jitter no test may time",
  })),
  {
    file: "src/fleet/pacer.ts",
    line: 76,
    before: "wake = undefined;",
    after: "",
    why: "a doze's done() left as `wake` after it ran: the next doze replaces it, and calling it " +
      "again clears a spent timer and resolves a settled promise, which do nothing",
  },
  {
    file: "src/fleet/pacer.ts",
    before: "true",
    after: "false",
    line: 85,
    why: "the abort listener's `once`: done() removes it whichever way the doze ends",
  },
  ...[[108, "now >= dueChats", "now > dueChats"], [109, "now >= dueTasks", "now > dueTasks"], [
    113,
    "now >= end",
    "now > end",
  ]].map(([line, before, after]) => ({
    file: "src/fleet/pacer.ts",
    line: line as number,
    before: before as string,
    after: after as string,
    why: "due at the very millisecond instead of one later: the loop dozes 0 ms and the next " +
      "check is past it; no test may time a millisecond",
  })),
  ...[50, 52].map((line) => ({
    file: "src/fleet/detect.ts",
    line,
    before: 'err instanceof CoderError && err.kind === "http"',
    after: "true",
    why:
      "then `err.status === 404` (or 400) alone decides: only a CoderError has a status, and the " +
      "client gives every error status the kind `http` (coder/failures.ts errorFromBody)",
  })),
  {
    file: "src/fleet/detect.ts",
    line: 50,
    before: 'err.kind === "http"',
    after: "true",
    why: "the client gives a 404 answer the kind `http` (its body read or not), so `status === " +
      "404` alone decides, as at the 400 below",
  },
  ...[113, 119].map((line) => ({
    file: "src/fleet/detect.ts",
    line,
    before: 'err.kind === "http"',
    after: "true",
    why: "a 401 or 403 is always of kind `http`: the client gives every error status that kind " +
      "(coder/failures.ts errorFromBody), and the other kinds have no such status",
  })),
  ...[123, 255].flatMap((line) => ["1001", "999"].map((after) => ({ line, after }))).map((
    { line, after },
  ) => ({
    file: "src/fleet/send.ts",
    line,
    before: "1000",
    after,
    why: "wait_s in seconds from waitMs: the tool passes whole seconds, at most 300 (waitMs = " +
      "1000 * wait_s), and n * 1000 / 1001 or / 999 rounds to n for every n below 500",
  })),
  ...[[43, "0", "1"], [48, "1", "2"]].map(([column, before, after]) => ({
    file: "src/fleet/send.ts",
    line: 159,
    column: column as number,
    before: before as string,
    after: after as string,
    why: "the attempt number after a busy refusal counted from 1 or by 2: the ids only need to " +
      "differ from every earlier attempt of the item, and these numbers still never repeat",
  })),
  ...[["true"], ['h.kind === "name" || isTaskName(h.name)']].map(([after]) => ({
    file: "src/fleet/resolve.ts",
    line: 73,
    before: after === "true" ? 'h.kind === "name"' : 'h.kind === "name" && isTaskName(h.name)',
    after,
    why: "the list here is the chat list, read for one handle only when it is a name " +
      "(listKind), so `h.kind` is always `name` at this point",
  })),
  {
    file: "src/fleet/send.ts",
    line: 190,
    before: 'opts.ifBusy === "wait"',
    after: "true",
    why: "a busy refusal under another policy is then put in `waiting`, but the next statement " +
      "returns for every policy but wait, the refusal already reported busy",
  },
  ...[
    ['if (opts.ifBusy !== "wait" || waiting.size === 0) return out;', ""],
    ['opts.ifBusy !== "wait"', "false"],
    ['opts.ifBusy !== "wait" || waiting.size === 0', "false"],
    [
      'opts.ifBusy !== "wait" || waiting.size === 0',
      'opts.ifBusy !== "wait" && waiting.size === 0',
    ],
    ["waiting.size === 0", "false"],
    ["0", "(-1)"],
    ["return out;", "{}"],
  ].map(([before, after]) => ({
    file: "src/fleet/send.ts",
    line: 193,
    before,
    after,
    why: "a shortcut: `waiting` is empty under every policy but wait (only wait plans a wait or " +
      "keeps a refused agent), and with nothing waiting the rest resumes nothing, opens a pacer " +
      "over no kind (no request, no socket), runs no round and changes no row",
  })),
  {
    file: "src/fleet/resolve.ts",
    line: 130,
    before: 'handle.kind === "id"',
    after: "true",
    why: "a name has at most one lookup (the Tasks API's), so ending once one lookup has found " +
      "something and ending once all have ended are the same for it",
  },
  ...[["backends.length > 0", "true", undefined], [
    "backends.length > 0",
    "backends.length >= 0",
    undefined,
  ], ["0", "(-1)", 66]].map(([before, after, column]) => ({
    file: "src/fleet/fleet.ts",
    line: 288,
    column: column as number | undefined,
    before: before as string,
    after: after as string,
    why: "there is always a back end here: detection refuses a deployment with none, and " +
      "backends(kind) refuses a kind the deployment lacks",
  })),
  {
    file: "src/fleet/one_trip.ts",
    before: "p",
    after: "true",
    line: 52,
    why: "a back end with no prefetch then gets an entry with no page: its controller is aborted " +
      "or left for nothing, and `sent.get(backend)?.p` is undefined either way, so its own " +
      "request reads the page as before",
  },
  ...["a <= b", "a >= b"].map((after) => ({
    file: "src/fleet/fleet.ts",
    line: 318,
    before: "a < b",
    after,
    why: "listKey's order of label names: the names are an object's keys, so never equal, and " +
      "either comparison sorts every set of them into one order, ascending or descending; the " +
      "key only has to be the same for the same labels, whatever order they were given in",
  })),
  {
    file: "src/fleet/rounds.ts",
    before: "Deno.unrefTimer(t);",
    after: ";",
    why: "the timer that drops an answered round after keepMs, left ref'd: it only decides " +
      "whether that timer alone keeps the process alive, and the server always ends with " +
      "Deno.exit (main.ts), which does not wait for timers; what it does when it fires is the same",
  },
];
