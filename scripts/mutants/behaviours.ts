/** Mutants of the 18 untested behaviours (issue 18): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "./mutant.ts";

const RATE = ["tests/coder/ratelimit_test.ts"];
const WATCH = ["tests/backends/chats/watch_test.ts"];
const SEND = ["tests/fleet/send_test.ts"];
const CONFIG = ["tests/config_test.ts"];

/** The list. */
export const BEHAVIOURS: Mutant[] = [
  // --- HTTP client and rate limits (items 1 to 4, 18) -----------------------------------------
  {
    id: "retry-after-503-ignored",
    breaks: "a 503 with Retry-After does not hold its route: the retry comes at once (item 1)",
    file: "src/coder/http.ts",
    find: "if (res.status === 429 || res.status === 503) {",
    replace: "if (res.status === 429) {",
    tests: RATE,
  },
  {
    id: "backoff-429-skipped",
    breaks: "a 429 without Retry-After is retried at once, with no backoff (item 2)",
    file: "src/coder/http.ts",
    find: "      this.limiter.hold(key, delay);\n",
    replace: "",
    tests: RATE,
  },
  {
    id: "write-too-large-failed",
    breaks:
      "a 2xx answer to a write over the size cap is too_large (failed), not uncertain (item 3)",
    file: "src/coder/success.ts",
    find: '    const error: Omit<CoderErrorInit, "route"> = how.write',
    replace: '    const error: Omit<CoderErrorInit, "route"> = false',
    tests: ["tests/coder/http_trust_test.ts"],
  },
  {
    id: "hold-shortened",
    breaks: "a shorter hold shortens a longer one on the same route (item 4)",
    file: "src/coder/ratelimit.ts",
    find: "    if (until > r.holdUntil) {\n      r.holdUntil = until;",
    replace: "    if (true) {\n      r.holdUntil = until;",
    tests: RATE,
  },
  {
    id: "routekey-ids-kept",
    breaks:
      "an id (a UUID) in a route shape the key rules do not list stays in the rate-limit key: " +
      "one window per agent (item 18: the UUID step was redundant with this rule, and removed)",
    file: "src/coder/paths.ts",
    find: "  return !STATIC.has(p);",
    replace: "  return false;",
    tests: RATE,
  },
  // --- Chat watch (items 5 to 7) --------------------------------------------------------------
  {
    id: "watch-never-gives-up",
    breaks: "a Coder with no usable watch is retried for ever instead of given up (item 5)",
    file: "src/backends/chats/watch.ts",
    find: "const GIVE_UP_AFTER = 3;",
    replace: "const GIVE_UP_AFTER = 1_000;",
    tests: WATCH,
  },
  {
    id: "watch-gives-up-silently",
    breaks: "a watch that gives up does not tell its listeners (item 5)",
    file: "src/backends/chats/watch.ts",
    find: '      if (!wasOpen) { for (const l of [...this.#listeners]) l.state("closed"); }\n',
    replace: "",
    tests: WATCH,
  },
  {
    id: "watch-short-sockets-ok",
    breaks:
      "sockets that drop as soon as they open are reopened five times a second for the whole " +
      "wait, never given up (item 5; the bug found and fixed)",
    file: "src/backends/chats/watch.ts",
    find: "this.#failures = wasOpen && openMs >= this.#stableMs ? 0 : this.#failures + 1;",
    replace: "this.#failures = wasOpen ? 0 : this.#failures + 1;",
    tests: WATCH,
  },
  {
    id: "watch-stable-drops-count",
    breaks: "drops of sockets that stayed open count towards giving a working watch up (item 5)",
    file: "src/backends/chats/watch.ts",
    find: "this.#failures = wasOpen && openMs >= this.#stableMs ? 0 : this.#failures + 1;",
    replace: "this.#failures = this.#failures + 1;",
    tests: WATCH,
  },
  {
    id: "watch-join-not-told",
    breaks: "a wait that joins an already-open watch is not told it is open (item 6)",
    file: "src/backends/chats/watch.ts",
    find: '    else if (this.#isOpen) queueMicrotask(() => l.state("open"));\n',
    replace: "",
    tests: WATCH,
  },
  {
    id: "watch-never-reopens",
    breaks: "a dropped watch is never reopened; the test that reopens it must fail by its own " +
      "deadline, not hang (item 7: killed, not timeout)",
    file: "src/backends/chats/watch.ts",
    find: "if (this.#listeners.size > 0 && !this.#ws) this.#connect();",
    replace: "if (this.#listeners.size < 0 && !this.#ws) this.#connect();",
    tests: WATCH,
  },
  // --- Resolution and sends (items 8 to 12) ---------------------------------------------------
  {
    id: "resolve-list-error-hidden",
    breaks: 'a failing chat list surfaces as "No agent X was found", not Coder\'s error (item 8)',
    file: "src/fleet/resolve.ts",
    find: '    if (listError !== undefined && handle.kind === "name") throw listError;\n',
    replace: "",
    tests: ["tests/e2e/errors_e2e_test.ts"],
  },
  {
    id: "handle-task-any-case",
    breaks: "a task name in a handle matches in any case (item 9)",
    file: "src/model/handle.ts",
    find: '(agent.kind === "chat" && agent.name.toLowerCase() === handle.name.toLowerCase())',
    replace: "agent.name.toLowerCase() === handle.name.toLowerCase()",
    tests: ["tests/fleet/fleet_units_test.ts", "tests/fleet/resolve_test.ts"],
  },
  {
    id: "handle-me-not-caller",
    breaks: "`me/name` is read as a user called me, not the caller (item 9)",
    file: "src/model/handle.ts",
    find: 'return !handle.owner || handle.owner === "me" ? me : handle.owner;',
    replace: "return !handle.owner ? me : handle.owner;",
    tests: ["tests/fleet/fleet_units_test.ts", "tests/fleet/resolve_test.ts"],
  },
  {
    id: "send-task-error-ready",
    breaks: "send_input sends to a task in error (item 10)",
    file: "src/fleet/send.ts",
    find:
      'return isSettled(a.state) && a.state !== "paused" && !(a.kind === "task" && a.state === "error");',
    replace: 'return isSettled(a.state) && a.state !== "paused";',
    tests: SEND,
  },
  {
    id: "request-id-shared",
    breaks: "every agent of one send_input call gets the same request_id (item 11)",
    file: "src/fleet/send.ts",
    find: "const requestId = requestIdFor(callId, i, refused.get(i) ?? 0);",
    replace: "const requestId = requestIdFor(callId, 0, refused.get(i) ?? 0);",
    tests: SEND,
  },
  {
    id: "request-id-reused-after-busy",
    breaks: "after a busy refusal, the next attempt reuses the refused request_id (item 11)",
    file: "src/fleet/send.ts",
    find: "const requestId = requestIdFor(callId, i, refused.get(i) ?? 0);",
    replace: "const requestId = requestIdFor(callId, i, 0);",
    tests: SEND,
  },
  {
    id: "send-failed-round-throws",
    breaks: "under if_busy=wait, one failed list round throws the call's report away (item 12)",
    file: "src/fleet/send.ts",
    find: "          if (opts.signal?.aborted) throw err;",
    replace: "          throw err;",
    tests: SEND,
  },
  // --- Tools, transport, config, board (items 13 to 17) ---------------------------------------
  {
    id: "stalled-total-rows",
    breaks: "fleet_overview's stalled_total counts only the rows shown (item 13)",
    file: "src/tools/fleet_overview.ts",
    find: "stalled_total: stalledAll.length,",
    replace: "stalled_total: stalled.length,",
    tests: ["tests/e2e/stalled_e2e_test.ts"],
  },
  {
    id: "stdio-cap-edge-refused",
    breaks: "a stdio line of exactly the limit is refused (item 14)",
    file: "src/transport/stdio.ts",
    find: "if (this.#size + bytes.length > this.#max) {",
    replace: "if (this.#size + bytes.length >= this.#max) {",
    tests: ["tests/transport/stdio_transport_test.ts"],
  },
  {
    id: "stdio-cap-one-over-served",
    breaks: "a stdio line one byte over the limit is served (item 14)",
    file: "src/transport/stdio.ts",
    find: "if (this.#size + bytes.length > this.#max) {",
    replace: "if (this.#size + bytes.length > this.#max + 1) {",
    tests: ["tests/transport/stdio_transport_test.ts"],
  },
  {
    id: "http-token-15",
    breaks: "a CODER_FLEET_HTTP_TOKEN of 15 characters is accepted (item 15)",
    file: "src/config.ts",
    find: "httpToken.length < 16",
    replace: "httpToken.length < 15",
    tests: CONFIG,
  },
  {
    id: "loopback-by-prefix",
    breaks: "a host name starting with 127. counts as loopback (item 16)",
    file: "src/config.ts",
    find: "/^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$/.test(h)",
    replace: 'h.startsWith("127.")',
    tests: CONFIG,
  },
  {
    id: "loopback-unanchored",
    breaks: "127.0.0.1.nip.io counts as loopback (item 16)",
    file: "src/config.ts",
    find: "/^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$/.test(h)",
    replace: "/^127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}/.test(h)",
    tests: CONFIG,
  },
  {
    id: "digest-state-only",
    breaks: "the board's digest ignores message, name and owner (item 17)",
    file: "src/board/rows.ts",
    find:
      "basis.push([a.id, name, a.owner, a.kind, a.state, a.state_since, message, a.waiting_for, pr]);",
    replace: "basis.push([a.id, a.kind, a.state, a.state_since, a.waiting_for, pr]);",
    tests: ["tests/board/page_test.ts"],
  },
  {
    id: "digest-no-message",
    breaks: "the board's digest ignores a new message (item 17)",
    file: "src/board/rows.ts",
    find:
      "basis.push([a.id, name, a.owner, a.kind, a.state, a.state_since, message, a.waiting_for, pr]);",
    replace:
      "basis.push([a.id, name, a.owner, a.kind, a.state, a.state_since, a.waiting_for, pr]);",
    tests: ["tests/board/page_test.ts"],
  },
];
