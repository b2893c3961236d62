/**
 * Generated mutants (`deno task mutate --sample`) that survive because they cannot change what
 * the program does: equivalent, not untested. The sampler skips each and reports it as "ignored
 * (equivalent)". Each entry names the file, the exact edit as the report shows it, and why no
 * test could tell the mutant from the program; `line` only where the edit's text occurs more
 * than once in the file. A survivor that CAN change behaviour is a gap: it gets a test, not an
 * entry here. `deno task mutate --pool` lists entries that match no mutant any more.
 */
import type { Ignored } from "../mutate/sample.ts";
import { IGNORED_CODER } from "./ignore_coder.ts";
import { IGNORED_TRANSPORT } from "./ignore_transport.ts";
import { IGNORED_TASKS } from "./ignore_tasks.ts";
import { IGNORED_CHATS } from "./ignore_chats.ts";
import { IGNORED_FLEET } from "./ignore_fleet.ts";
import { IGNORED_TOOLS } from "./ignore_tools.ts";

/** The list. */
export const IGNORED: Ignored[] = [
  {
    file: "src/fleet/resolve.ts",
    before: "agents.length > 1",
    after: "agents.length >= 1",
    why: "the line above returns when there is exactly one agent, so here the length is 0 or " +
      "at least 2, and `> 1` and `>= 1` agree on both",
  },
  {
    file: "src/coder/fast_check.ts",
    before: "return hit ?? undefined;",
    after: "{}",
    why: "the memo of compiled checks: without the early return the schema is compiled again " +
      "and stored again; compile is pure, so every check gives the same answer, only slower " +
      "(a time no test may assert)",
  },
  {
    file: "src/model/backend.ts",
    before: 'this.name = "FleetError";',
    after: "",
    why: "nothing reads a FleetError's name: it is told by instanceof and rendered from message " +
      "and next (tools/errors.ts); only a stack trace would say Error for FleetError",
  },
  // Issue 18, helper m1 (transport, coder, server): the survivors that cannot change behaviour.
  {
    file: "src/server.ts",
    line: 286,
    before: "lastMessage !== undefined",
    after: "true",
    why: "a progress notification with `message: undefined` instead of no message: both real " +
      "transports (stdio, HTTP) send JSON, where an undefined member is not written, so the " +
      "client receives the same bytes",
  },
  {
    file: "src/transport/http1_wire.ts",
    line: 27,
    before: 'this.name = "BadRequest";',
    after: "",
    why: "nothing reads a BadRequest's name: the connection tells it by instanceof and writes " +
      "its status and message (http1_conn.ts)",
  },
  {
    file: "src/transport/http1_wire.ts",
    line: 27,
    before: '"BadRequest"',
    after: '""',
    why: "nothing reads a BadRequest's name (see the entry above)",
  },
  {
    file: "src/transport/http1_wire.ts",
    before: "i < to",
    after: "i <= to",
    why: "at i = to the loop's body can only continue: both ends it looks for need i + 1 < to " +
      "or i + 2 < to, so the extra round returns nothing and the result is the same -1",
  },
  {
    file: "src/transport/http1_wire.ts",
    before: '"Continue"',
    after: '""',
    why: "REASONS[100] is never looked up: the connection writes its 100 Continue line itself, " +
      "and a fetch Response cannot have status 100 (only 101 and 200..599)",
  },
  {
    file: "src/transport/http1_wire.ts",
    before: "status >= 100",
    after: "true",
    why: "bodiless() gets a Response's status, never below 101 (a Response cannot be built " +
      "with one): `status >= 100 &&` holds for every status it can see",
  },
  {
    file: "src/transport/http1_wire.ts",
    line: 159,
    before: "100",
    after: "99",
    why: "no status below 100 exists (see the entry above): 99 and 100 bound the same set",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 42,
    before: "0",
    after: "1",
    why: "the read buffer's first size: the first append replaces any buffer too small for it, " +
      "so 0 or 1 byte only changes when the first allocation happens",
  },
  {
    file: "src/transport/http1_conn.ts",
    before: "if (this.#closed) return;",
    after: "",
    why: "close() twice does nothing more the second time either way: the timer is cleared " +
      "again, the request's controller is aborted already, and closing the socket again " +
      "throws into the catch that ignores it",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 65,
    before: "this.#closed",
    after: "false",
    why: "close() is idempotent without its guard (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 65,
    before: "return;",
    after: "{}",
    why: "close() is idempotent without its guard (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 122,
    before: "0",
    after: "(-1)",
    why: "`scanned` is only read as Math.max(0, scanned - 3): -1, 0 and 1 all give 0",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 122,
    before: "0",
    after: "1",
    why: "`scanned` is only read as Math.max(0, scanned - 3): -1, 0 and 1 all give 0",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 125,
    before: "3",
    after: "2",
    why: "how far back a search resumes: a head's end is found from its first LF, and the " +
      "bytes after it that may have been missing are at most 2 (\\r\\n), so 2 back is enough; " +
      "3 searches one byte more for nothing",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 125,
    before: "3",
    after: "4",
    why: "searching one more byte back finds nothing new (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    before: "end >= 0",
    after: "end > 0",
    why: "headEnd() returns -1 or an index at least 2 past where it started: never 0",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 126,
    before: "0",
    after: "1",
    why: "headEnd() returns -1 or an index at least 2: `end >= 1` and `end >= 0` agree",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 172,
    before: "16",
    after: "15",
    why: "the size of one socket read: any size reads the same bytes, in more or fewer reads",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 172,
    before: "16",
    after: "17",
    why: "the size of one socket read (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 172,
    before: "1024",
    after: "1023",
    why: "the size of one socket read (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 172,
    before: "1024",
    after: "1025",
    why: "the size of one socket read (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    before: "if (this.#start === this.#end) this.#start = this.#end = 0;",
    after: "",
    why: "reusing the buffer from its start once everything in it was taken only saves an " +
      "allocation: without it the next append that does not fit copies the (no) live bytes " +
      "into a new buffer, and every read sees the same bytes",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 188,
    before: "this.#start === this.#end",
    after: "false",
    why: "the buffer reuse never happens: only an allocation more (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    before: "this.#start = this.#end = 0;",
    after: "{}",
    why: "the buffer reuse never happens: only an allocation more (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 188,
    before: "0",
    after: "1",
    why: "when the buffer is empty its bytes may start anywhere: at 1 instead of 0 wastes a " +
      "byte, and an append that does not fit moves them to 0 anyway",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 191,
    before: "2",
    after: "1",
    why: "how much a full buffer grows: the new one holds the live bytes and the new ones " +
      "either way (at least 16 KiB); only how soon it grows again changes",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 191,
    before: "2",
    after: "3",
    why: "how much a full buffer grows (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 191,
    before: "16",
    after: "15",
    why: "the least a new buffer holds: it always holds the live and the new bytes (see above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 191,
    before: "16",
    after: "17",
    why: "the least a new buffer holds (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 191,
    before: "1024",
    after: "1023",
    why: "the least a new buffer holds (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 191,
    before: "1024",
    after: "1025",
    why: "the least a new buffer holds (see the entry above)",
  },
  {
    file: "src/transport/http1_conn.ts",
    line: 302,
    before: "1",
    after: "0",
    why: "m[0] is the chunk-size line with its extensions (`5;ext=1`): parseInt stops at the " +
      "`;`, so it reads the same size as m[1]",
  },
  {
    file: "src/model/text.ts",
    before: 'if (PLAIN.test(s)) return s.length > max ? s.slice(0, max - 1) + "…" : s;',
    after: "",
    why: "oneLine's shortcut for plain ASCII: without it the text takes the slow path, which " +
      "gives the same line for such text (cleaning and folding leave it unchanged; " +
      "tests/backends/summary_test.ts proves the two agree), only slower",
  },
  {
    file: "src/model/text.ts",
    before: 'return s.length > max ? s.slice(0, max - 1) + "…" : s;',
    after: "{}",
    why: "the same shortcut's return dropped: plain ASCII falls through to the slow path, " +
      "which gives the same line for it (see the entry above), only slower",
  },
  {
    file: "src/tools/fleet_overview.ts",
    before: "a[0] < b[0]",
    after: "a[0] <= b[0]",
    why: "the owners' ranking breaks ties by name, and the names are an object's keys: two " +
      "entries never have the same name, so `<` and `<=` agree on every pair compared",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 35,
    before: "0",
    after: "(-1)",
    why: "urgency() only ranks: the attention sort subtracts two urgencies, so -1 and 1 order " +
      "a decision or a failure first exactly as 0 and 1 do",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 35,
    before: "1",
    after: "2",
    why: "urgency() only ranks: the attention sort subtracts two urgencies, so 0 and 2 order " +
      "a decision or a failure first exactly as 0 and 1 do",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    before: "r.already.slice(0, ALREADY_MAX)",
    after: "r.already",
    why: "the wait's first view already keeps at most alreadyMax agents in `already` " +
      "(fleet/watching.ts), and the tool passes ALREADY_MAX: the slice never cuts",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    line: 149,
    before: "0",
    after: "1",
    why: "`watch?.length ?? 0` is read only when agents were named, and then `watch` is set: " +
      "the fallback is never used",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    line: 149,
    before: "0",
    after: "(-1)",
    why: "`watch?.length ?? 0` is read only when agents were named, and then `watch` is set: " +
      "the fallback is never used",
  },
  {
    file: "src/tools/wait_for_agents.ts",
    before: "fresh && r.already_total",
    after: "fresh || r.already_total",
    why: "a wait on named agents sets none aside (its first view's already_total is 0), so " +
      "without `fresh` both read 0: the line is empty either way",
  },
  // Survivors of the final sample (seed 1796645668) that cannot change behaviour.
  {
    file: "src/backends/tasks/api.ts",
    line: 86,
    before: "await client.get(taskPath(prefix, user, task), TaskSchema, { signal })",
    after: "client.get(taskPath(prefix, user, task), TaskSchema, { signal })",
    why: "`return await p` and `return p` in an async function outside any try: the caller's " +
      "promise settles the same way with the same value or error, one microtask apart",
  },
  {
    file: "src/coder/fast_check.ts",
    before: "keyDef.checks.length > 0",
    after: "true",
    why: "zod creates a schema's checks array with its first check, so an array present is " +
      "never empty: `checks && checks.length > 0` and `checks && true` agree on every schema",
  },
  {
    file: "src/coder/fast_check.ts",
    before: "keyDef.checks.length > 0",
    after: "keyDef.checks.length >= 0",
    why: "a present checks array is never empty (see the entry above)",
  },
  {
    file: "src/config.ts",
    line: 225,
    before: "0",
    after: "1",
    why: '`eq > 0 && a.startsWith("--")`: a flag that starts with `--` has its `=` at index 2 ' +
      "or later, so `eq > 0` and `eq > 1` select the same arguments",
  },
  {
    file: "src/transport/http1_conn.ts",
    before: "this.#eof || this.#closed",
    after: "false",
    why: "a read after the end ends the same way: once the client closed, read() answers null " +
      "again; once we closed, it throws, and the catch makes that null; once too slow, the " +
      "loops that read have stopped (each stops at the first false)",
  },
  {
    file: "src/fleet/fleet.ts",
    line: 76,
    before: "1000",
    after: "1001",
    why: "the Fleet's own default poll interval, for callers that give none: the server always " +
      "passes the configured one (CODER_FLEET_POLL_MS, default 1000, config_test.ts), and one " +
      "millisecond more is below timer jitter, which no test may time",
  },
  {
    file: "src/backends/chats/archive.ts",
    before: "30_000",
    after: "29999",
    why: "the longest wait for an interrupt to settle outside a call's budget, one millisecond " +
      "shorter: below timer jitter, which no test may time (the call's budget, always given " +
      "by the tools, is what bounds it in use)",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 131,
    before: "0",
    after: "1",
    why: "holdOf is read only after a hold refused the request (refusal.ts), so its time left is " +
      "above 0; at exactly 0 the hold's status and asked time would be added to a refusal " +
      "whose wait is 0, which only a hold ending within the same millisecond could produce",
  },
  {
    file: "src/backends/tasks/api.ts",
    line: 165,
    before: 'await client.get(taskPath(prefix, user, task, "/logs"), TaskLogsSchema, { signal })',
    after: 'client.get(taskPath(prefix, user, task, "/logs"), TaskLogsSchema, { signal })',
    why: "`return await p` and `return p` outside any try (see getTask's entry)",
  },
  {
    file: "src/coder/ratelimit.ts",
    line: 157,
    column: 42,
    before: "0",
    after: "(-1)",
    why: "`r.sent.length > 0` as `> -1`: on an empty list `r.sent[0]` is undefined, and " +
      "`undefined <= n` is false, so the loop stops there either way",
  },
  {
    file: "src/fleet/pacer.ts",
    line: 83,
    before: "0",
    after: "(-1)",
    why: "a doze of at least -1 ms instead of 0: setTimeout takes any delay below 1 as 0 " +
      "(HTML's timer rules, which Deno follows), so both fire on the next turn",
  },
  // Survivors of the first sample (seed 20261207) found still alive when its survivors were
  // re-run on final main: each cannot change behaviour.
  {
    file: "src/fleet/detect.ts",
    line: 52,
    before: 'err.kind === "http"',
    after: "true",
    why: "the client gives a 400 answer the kind `http` (its body read or not), so `status === " +
      "400` alone decides; only a 400 whose body is over the 64 MB cap would differ",
  },
  {
    file: "src/backends/tasks/mapping.ts",
    before: "this.since === this.#updated",
    after: "false",
    why: "a shortcut that reuses the ISO string already made for updated_at: without it the same " +
      "instant is formatted again, to the same string",
  },
  {
    file: "src/fleet/pacer.ts",
    line: 119,
    before: "wake = undefined;",
    after: "",
    why: "close() unsubscribes at once, so nothing pokes a closed pacer; a doze in progress " +
      "clears `wake` itself when it ends",
  },

  ...IGNORED_CODER,
  ...IGNORED_TRANSPORT,
  ...IGNORED_TASKS,
  ...IGNORED_CHATS,
  ...IGNORED_FLEET,
  ...IGNORED_TOOLS,
];
