/** Mutants of Hardening, round two (issue 17): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

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
];
