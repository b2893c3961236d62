/** Mutants of Hardening, round two (issue 17): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "./mutant.ts";

const WRITE_ONCE = ["tests/coder/http_trust_test.ts", "tests/e2e/write_once_e2e_test.ts"];

const TAKEN = ["tests/coder/http_trust_test.ts", "tests/e2e/faults_e2e_test.ts"];

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
  {
    id: "hold-uncapped",
    breaks: "one 503 with Retry-After: 86400 (or a 429 with 1e308) locks a route until restart " +
      "(issue 17, finding 4)",
    file: "src/coder/ratelimit.ts",
    find: "const held = Math.min(asked, this.maxHoldMs);",
    replace: "const held = asked;",
    tests: ["tests/coder/ratelimit_test.ts"],
  },
  {
    id: "hold-shortens",
    breaks: "a shorter Retry-After cuts a longer hold short (holds must only lengthen, below the " +
      "cap; finding 4)",
    file: "src/coder/ratelimit.ts",
    find: "if (until > r.holdUntil) {",
    replace: "if (until > 0) {",
    tests: ["tests/coder/ratelimit_test.ts"],
  },
  {
    id: "503-worded-rate-limiting",
    breaks: "a 503 (Coder unavailable) is reported as rate-limiting (finding 4)",
    file: "src/coder/errors.ts",
    find: "if (status === 503) return `Coder is unavailable (503) for ${route}`;",
    replace: "if (status === 503) return `Coder is rate-limiting ${route}`;",
    tests: ["tests/coder/ratelimit_test.ts", "tests/e2e/faults_e2e_test.ts"],
  },
  {
    id: "share-of-whole-minute",
    breaks: "one call may spend a route's whole minute and starve every other call on it " +
      "(issue 17, finding 5)",
    file: "src/coder/share.ts",
    find: "return mine < Math.max(CALL_FLOOR, left);",
    replace: "return mine < Math.max(CALL_FLOOR, left + mine);",
    tests: ["tests/coder/ratelimit_test.ts", "tests/e2e/settings_e2e_test.ts"],
  },
  {
    id: "share-sends-not-counted",
    breaks: "a call's requests are not counted against its share, so no share holds (finding 5)",
    file: "src/coder/ratelimit.ts",
    find: "        mine?.push(now);\n",
    replace: "",
    tests: ["tests/coder/ratelimit_test.ts", "tests/e2e/settings_e2e_test.ts"],
  },
  {
    id: "taken-undocumented-failed",
    breaks: "a write Coder carried out, answered with an undocumented 2xx (204 to a delete " +
      "documented as 202), is reported failed, not uncertain (issue 17, finding 6)",
    file: "src/coder/success.ts",
    find: "if (!documented && (!how.write || isPage(res))) {",
    replace: "if (!documented) {",
    tests: TAKEN,
  },
  {
    id: "taken-unreadable-failed",
    breaks:
      "a write Coder took whose answer cannot be read (JSON cut in half) is failed (finding 6)",
    file: "src/coder/success.ts",
    find: "    error: how.write\n      ? taken(",
    replace: "    error: false\n      ? taken(",
    tests: TAKEN,
  },
  {
    id: "page-counts-as-taken",
    breaks: "a proxy's 200 HTML page answering a write counts as Coder's: uncertain, not failed " +
      "(finding 6)",
    file: "src/coder/success.ts",
    find: "if (how.write && isPage(res, text)) {",
    replace: "if (false) {",
    tests: TAKEN,
  },
  {
    id: "redact-case-sensitive",
    breaks: "a token that came back case-folded (a redirect's host) is not redacted " +
      "(issue 17, finding 8)",
    file: "src/coder/secrets.ts",
    find: "  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());",
    replace: "  return s;",
    tests: ["tests/redact_test.ts", "tests/e2e/secrets_e2e_test.ts"],
  },
  {
    id: "redact-whole-only",
    breaks: "a token cut by a length cap (30 of its 33 characters, then …) is not redacted " +
      "(finding 8)",
    file: "src/coder/secrets.ts",
    find: "      const piece = Math.min(PIECE, form.length);",
    replace: "      const piece = form.length;",
    tests: ["tests/redact_test.ts", "tests/e2e/secrets_e2e_test.ts"],
  },
  {
    id: "token-any-nonspace",
    breaks: "a session token with a control character or an emoji is taken, and every request " +
      "then fails as 'connection lost; 4 attempts' (issue 17, finding 9)",
    file: "src/config.ts",
    find: "const HEADER_TOKEN = /^[\\x21-\\x7e]+$/;",
    replace: "const HEADER_TOKEN = /^\\S+$/;",
    tests: ["tests/config_test.ts", "tests/e2e/cli_test.ts"],
  },
  {
    id: "url-port-0",
    breaks: "CODER_URL with port 0 is accepted (finding 9)",
    file: "src/config.ts",
    find: 'if (u.port === "0") {',
    replace: "if (false) {",
    tests: ["tests/config_test.ts", "tests/e2e/cli_test.ts"],
  },
  // --- 17b: the server --------------------------------------------------------------------------
  {
    id: "waits-round-each",
    breaks: "concurrent waits each list and parse the fleet for themselves (issue 17, finding 2)",
    file: "src/fleet/rounds.ts",
    find: "if (last && (notBefore === undefined ? !last.done : last.sentAt >= notBefore)) {",
    replace: "if (false) {",
    tests: ["tests/fleet/rounds_test.ts"],
  },
  {
    id: "waits-first-view-each",
    breaks: "waits that start together each build their own first view of the fleet (finding 2)",
    file: "src/fleet/watching.ts",
    find: "  let view = views.get(key);",
    replace: "  let view: FirstView | undefined;",
    tests: ["tests/fleet/rounds_test.ts"],
  },
  {
    id: "lists-agents-each",
    breaks: "concurrent identical lists each build their own agents (finding 2)",
    file: "src/fleet/fleet.ts",
    find:
      "shared(this, `list ${b.kind} ${key}`, `${b.kind} list`, signal, (s) => b.list(filter, s)),",
    replace: "b.list(filter, signal),",
    tests: ["tests/fleet/rounds_test.ts"],
  },
  {
    id: "waits-uncapped",
    breaks: "no cap on concurrent waits: the next wait is never refused (finding 2)",
    file: "src/fleet/admission.ts",
    find: "if (this.#waits >= this.maxWaits) {",
    replace: "if (false) {",
    tests: ["tests/fleet/rounds_test.ts", "tests/e2e/load_e2e_test.ts"],
  },
  {
    id: "watched-uncapped",
    breaks: "no cap on the agents concurrent waits watch together (finding 2)",
    file: "src/fleet/admission.ts",
    find: "if (this.#watched + agents > this.maxWatched) {",
    replace: "if (false) {",
    tests: ["tests/fleet/rounds_test.ts"],
  },
  {
    id: "wait-not-admitted",
    breaks: "a wait never tells the gate how many agents it watches (finding 2)",
    file: "src/fleet/wait.ts",
    find: "  opts.admit?.(first.watched);\n",
    replace: "",
    tests: ["tests/fleet/rounds_test.ts"],
  },
  {
    id: "wait-never-leaves",
    breaks: "an ended wait still counts against the cap: waits are refused for ever (finding 2)",
    file: "src/tools/wait_for_agents.ts",
    find: "      ticket.leave();\n",
    replace: "",
    tests: ["tests/e2e/load_e2e_test.ts"],
  },
  {
    id: "calls-uncapped",
    breaks: "no cap on tool calls in flight (finding 2)",
    file: "src/server.ts",
    find: "if (calls.inFlight >= calls.max) return failure(busyText(tool, calls.inFlight));",
    replace: "",
    tests: ["tests/server_test.ts"],
  },
  {
    id: "http-no-header-timeout",
    breaks: "a connection that sends nothing, or half a head, is held for ever (finding 3)",
    file: "src/transport/http1_conn.ts",
    find: "arm(fresh ? headerTimeoutMs : idleTimeoutMs);",
    replace: "arm(fresh ? 1e9 : idleTimeoutMs);",
    tests: ["tests/transport/http1_test.ts"],
  },
  {
    id: "http-no-idle-timeout",
    breaks: "an idle kept-alive connection is held for ever (finding 3)",
    file: "src/transport/http1_conn.ts",
    find: "arm(fresh ? headerTimeoutMs : idleTimeoutMs);",
    replace: "arm(fresh ? headerTimeoutMs : 1e9);",
    tests: ["tests/transport/http1_test.ts"],
  },
  {
    id: "http-no-body-timeout",
    breaks: "a body trickled in slowly holds its connection for ever (finding 3)",
    file: "src/transport/http1_conn.ts",
    find: "    }, bodyTimeoutMs);",
    replace: "    }, 1e9);",
    tests: ["tests/transport/http1_test.ts"],
  },
  {
    id: "http-no-eviction",
    breaks: "at the connection cap idle connections lock real clients out (finding 3)",
    file: "src/transport/http1.ts",
    find: "if (open.size >= limits.maxConnections && !evictIdle()) {",
    replace: "if (open.size >= limits.maxConnections) {",
    tests: ["tests/transport/http1_test.ts"],
  },
  {
    id: "http-accept-error-stops",
    breaks: "an accept error (out of descriptors) stops the server accepting (finding 3)",
    file: "src/transport/http1.ts",
    find: "if (stopping || err instanceof Deno.errors.BadResource) break;",
    replace: "break;",
    tests: ["tests/e2e/http_e2e_test.ts"],
  },
  {
    id: "http-url-from-host",
    breaks: "a Host that names no host (::1, a port out of range) breaks the request (finding 9)",
    file: "src/transport/http1_conn.ts",
    find: "const req = new Request(`http://${this.host}${head.target}`, {",
    replace:
      'const req = new Request(`http://${head.headers.get("host") ?? this.host}${head.target}`, {',
    tests: ["tests/e2e/http_e2e_test.ts"],
  },
  {
    id: "resolve-bare-names-looked-up",
    breaks: "many unknown bare names are looked up one by one (finding 5)",
    file: "src/fleet/resolve.ts",
    find: 'const where: [Backend, "quick" | "full"][] = sent || listedMine(handle)',
    replace: 'const where: [Backend, "quick" | "full"][] = sent',
    tests: ["tests/fleet/resolve_test.ts", "tests/e2e/load_e2e_test.ts"],
  },
  {
    id: "row-name-unquoted",
    breaks: "a title with ' | ' forges the id column of a row (finding 7)",
    file: "src/tools/format.ts",
    find: "    agentName(a),\n",
    replace: "    `${oneLine(a.owner, 40)}/${oneLine(a.name, 100)}`,\n",
    tests: ["tests/tools/format_test.ts", "tests/e2e/hostile_e2e_test.ts"],
  },
  {
    id: "quote-keeps-separator",
    breaks: "quoted agent text keeps the column separator | (finding 7)",
    file: "src/model/text.ts",
    find: '.replace(/»/g, "›").replace(/\\|/g, "¦");',
    replace: '.replace(/»/g, "›");',
    tests: ["tests/tools/format_test.ts"],
  },
  {
    id: "markdown-images-live",
    breaks: "a Markdown image in agent text stays live in tool text (finding 7)",
    file: "src/model/text.ts",
    find: '    .replace(/!\\[/g, "! [")\n    .replace(/\\]\\(/g, "] (")\n',
    replace: "",
    tests: ["tests/tools/format_test.ts", "tests/e2e/hostile_e2e_test.ts"],
  },
  {
    id: "stdio-id-tail-ignored",
    breaks: "an oversized request with its id after params is answered with id null (finding 9)",
    file: "src/transport/stdio.ts",
    find: "idFromPrefix(this.#oversized) ?? idFromTail(this.#tail);",
    replace: "idFromPrefix(this.#oversized);",
    tests: ["tests/transport/stdio_transport_test.ts", "tests/e2e/stdio_e2e_test.ts"],
  },
  {
    id: "stdio-bad-lines-each-logged",
    breaks: "every malformed line is logged: thousands flood stderr (finding 9)",
    file: "src/transport/stdio.ts",
    find: "if (now - this.#reportedAt < BAD_LINE_REPORT_MS) {",
    replace: "if (false) {",
    tests: ["tests/transport/stdio_transport_test.ts"],
  },
  {
    id: "stderr-log-unbounded",
    breaks: "log lines pile up without bound while nobody reads stderr (finding 9)",
    file: "src/log.ts",
    find: "if (this.#queue.length >= this.#max) {",
    replace: "if (false) {",
    tests: ["tests/transport/stdio_transport_test.ts"],
  },
  {
    id: "sanitise-ignorables-kept",
    breaks: "default-ignorable and format code points survive sanitising (finding 9: U+034F)",
    file: "src/model/text.ts",
    find: "\\p{Default_Ignorable_Code_Point}\\p{Cf}",
    replace: "",
    tests: ["tests/fleet/fleet_units_test.ts"],
  },
];
