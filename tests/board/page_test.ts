/**
 * The board page as shipped: embedded, in sync with board.html, under its budget, self-contained
 * (no URL, no network API), and agent text never parsed as HTML.
 */
import assert from "node:assert/strict";
import { pageModule } from "../../src/board/build.ts";
import { BOARD_HTML } from "../../src/board/page.ts";
import { boardRows } from "../../src/board/rows.ts";
import type { Agent, PullRequest } from "../../src/model/agent.ts";

const script = () => BOARD_HTML.slice(BOARD_HTML.indexOf("<script>"));

Deno.test("board page: page.ts embeds board.html as it is (run `deno task board` after editing)", async () => {
  const html = await Deno.readTextFile(new URL("../../src/board/board.html", import.meta.url));
  assert.equal(BOARD_HTML, html, "page.ts is out of date: deno task board");
  assert.match(pageModule(html), /^\/\/ Generated from board\.html/);
});

Deno.test("board page: under 64 KB, one file, no external URL of any kind", () => {
  const bytes = new TextEncoder().encode(BOARD_HTML).length;
  assert.ok(bytes < 64 * 1024, `${bytes} bytes`);
  console.log(`board page: ${bytes} bytes`);
  assert.doesNotMatch(BOARD_HTML, /https?:\/\//i);
  assert.doesNotMatch(BOARD_HTML, /\/\/[a-z0-9.-]+\.[a-z]{2,}\//i, "no protocol-relative URL");
  assert.doesNotMatch(BOARD_HTML, /\bsrc\s*=/i, "no src attribute");
  assert.doesNotMatch(BOARD_HTML, /<link\b/i);
  assert.doesNotMatch(BOARD_HTML, /url\(/i);
  assert.doesNotMatch(BOARD_HTML, /@import/i);
  assert.doesNotMatch(BOARD_HTML, /\bfetch\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon/);
  assert.doesNotMatch(BOARD_HTML, /\bimport\(/);
  // Its own CSP: no network, inline code only.
  assert.match(
    BOARD_HTML,
    /Content-Security-Policy"\s+content="default-src 'none';[^"]*connect-src 'none'/,
  );
});

Deno.test("board page: no HTML parsing of data, no code from strings, the only links are http(s) pages", () => {
  const js = script();
  for (
    const bad of [/innerHTML/, /outerHTML/, /insertAdjacentHTML/, /document\.write/, /\beval\(/]
  ) {
    assert.doesNotMatch(js, bad);
  }
  assert.doesNotMatch(js, /new Function|setTimeout\(\s*["'`]/);
  // One place makes a link (an agent's or its pull request's page from get_agent), and only
  // after checking that it is http(s).
  assert.equal(js.match(/el\(\s*"a"/g)?.length, 1);
  assert.doesNotMatch(js, /createElement\(\s*"(a|img|script|iframe|link)"/);
  const maker = js.slice(js.indexOf("function safeLink("), js.indexOf('el("a"'));
  assert.match(
    maker,
    /if \(typeof url !== "string" \|\| !\/\^https\?:\\\/\\\/\/i\.test\(url\)\) return null;/,
  );
  // Only messages from the host are heard.
  assert.match(js, /ev\.source !== window\.parent/);
});

function agent(id: string, patch: Partial<Agent> = {}): Agent {
  return {
    id,
    kind: "task",
    name: `n-${id}`,
    owner: "alice",
    state: "working",
    detail: "active/working",
    message: "m",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    state_since: "2026-01-01T00:00:00Z",
    url: "u",
    labels: {},
    pr: null,
    waiting_for: null,
    ...patch,
  };
}

Deno.test("board rows: the digest depends on the fleet, not on the clock", async () => {
  const fleet = [agent("a"), agent("b", { state: "idle", owner: "bob" })];
  const t = Date.parse("2026-01-01T01:00:00Z");
  const one = await boardRows(fleet, t, "c", []);
  const later = await boardRows(fleet, t + 60_000, "c", []);
  assert.equal(later.digest, one.digest);
  assert.notDeepEqual(later.rows, one.rows, "ages moved");
  const moved = await boardRows([fleet[0], { ...fleet[1], state: "failed" }], t, "c", []);
  assert.notEqual(moved.digest, one.digest);
  const warned = await boardRows(fleet, t, "c", ["chat list failed: x"]);
  assert.notEqual(warned.digest, one.digest);
  assert.deepEqual(one.rows[1], ["b", "n-b", 1, "t", 2, 3600, 0, -1, -1]);
});

function pullRequest(patch: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 412,
    state: "open",
    title: "Fix the login redirect",
    url: "https://github.com/acme/webapp/pull/412",
    draft: false,
    approved: null,
    changes_requested: false,
    additions: 120,
    deletions: 8,
    changed_files: 3,
    ...patch,
  };
}

Deno.test("board rows: each agent's reason and pull request by index into small tables", async () => {
  const fleet = [
    agent("a", { kind: "chat", state: "idle", waiting_for: "review", pr: pullRequest() }),
    agent("b", { state: "idle", waiting_for: "reply" }),
    agent("c"),
    agent("d", {
      kind: "chat",
      state: "idle",
      waiting_for: "nothing",
      pr: pullRequest({ number: null, state: "merged", additions: 3, deletions: 0 }),
    }),
  ];
  const r = await boardRows(fleet, 0, "c", []);
  assert.deepEqual(r.columns.slice(-2), ["waiting_for", "pr"]);
  assert.deepEqual(r.reasons, ["action", "reply", "review", "fix", "resume", "nothing"]);
  assert.deepEqual(r.pr_states, ["draft", "open", "merged", "closed"]);
  const byId = new Map(r.rows.map((row) => [row[0], row]));
  const reason = (id: string) => {
    const i = byId.get(id)![7];
    return i < 0 ? null : r.reasons[i];
  };
  const pr = (id: string) => {
    const i = byId.get(id)![8];
    return i < 0 ? null : r.prs[i];
  };
  assert.deepEqual([reason("a"), reason("b"), reason("c"), reason("d")], [
    "review",
    "reply",
    null,
    "nothing",
  ]);
  assert.deepEqual(pr("a"), [1, 412, 120, 8]);
  assert.deepEqual(pr("d"), [2, 0, 3, 0], "no number is 0");
  assert.equal(pr("b"), null);
  assert.equal(pr("c"), null);
  assert.equal(r.prs.length, 2, "a PR per agent that has one, no more");
  // A task row stays small: two short numbers more.
  assert.equal(JSON.stringify(byId.get("c")!.slice(-2)), "[-1,-1]");
});

Deno.test("board rows: the digest changes when an agent's reason or pull request does", async () => {
  const base = [
    agent("a", { kind: "chat", state: "idle", waiting_for: "review", pr: pullRequest() }),
    agent("b", { state: "idle", waiting_for: "reply" }),
  ];
  const digest = async (fleet: Agent[]) => (await boardRows(fleet, 0, "c", [])).digest;
  const one = await digest(base);
  assert.equal(await digest(base.map((a) => ({ ...a }))), one, "same fleet, same digest");
  const variants: [string, Agent[]][] = [
    ["reason", [base[0], { ...base[1], waiting_for: "action" }]],
    ["reason gone", [base[0], { ...base[1], waiting_for: null }]],
    ["PR state", [{ ...base[0], pr: pullRequest({ state: "merged" }) }, base[1]]],
    ["PR number", [{ ...base[0], pr: pullRequest({ number: 413 }) }, base[1]]],
    ["PR size", [{ ...base[0], pr: pullRequest({ additions: 121 }) }, base[1]]],
    ["PR gone", [{ ...base[0], pr: null }, base[1]]],
    ["PR new", [base[0], { ...base[1], pr: pullRequest({ state: "draft" }) }]],
  ];
  for (const [what, fleet] of variants) assert.notEqual(await digest(fleet), one, what);
});

Deno.test("board rows: the digest changes with whatever a row says, not only the state", async () => {
  // The board skips redrawing on an unchanged digest: a new message, a renamed agent or another
  // owner with the same state must still reach the page.
  const fleet = [agent("a"), agent("b", { state: "idle", owner: "bob" })];
  const t = Date.parse("2026-01-01T01:00:00Z");
  const base = (await boardRows(fleet, t, "c", [])).digest;
  const changes: [string, Partial<Agent>][] = [
    ["message", { message: "opened a pull request" }],
    ["name", { name: "renamed" }],
    ["owner", { owner: "carol" }],
    ["state_since", { state_since: "2026-01-01T00:30:00Z" }],
    ["kind", { kind: "chat" }],
  ];
  for (const [what, patch] of changes) {
    const r = await boardRows([fleet[0], { ...fleet[1], ...patch }], t, "c", []);
    assert.notEqual(r.digest, base, `a new ${what} changes the digest`);
  }
  const same = await boardRows([fleet[0], { ...fleet[1] }], t, "c", []);
  assert.equal(same.digest, base, "the same fleet, the same digest");
});

Deno.test("board rows: long text is capped, repeated messages sent once", async () => {
  const long = "x".repeat(500);
  const r = await boardRows(
    [agent("a", { message: long, name: long }), agent("b", { message: long })],
    0,
    "c",
    [],
  );
  assert.equal(r.messages.length, 1);
  assert.ok(r.messages[0].length <= 48 && r.rows[0][1].length <= 48);
});

Deno.test("board rows: sorted by owner, then name; ties keep the back ends' order", async () => {
  const fleet = [
    agent("1", { owner: "bob", name: "b" }),
    agent("2", { owner: "alice", name: "z" }),
    agent("3", { owner: "bob", name: "a" }),
    agent("4", { owner: "alice", name: "m" }),
    agent("5", { owner: "alice", name: "m" }),
    agent("6", { owner: "carol", name: "a" }),
  ];
  const ids = async (f: Agent[]) => (await boardRows(f, 0, "c", [])).rows.map((r) => r[0]);
  assert.deepEqual(await ids(fleet), ["4", "5", "2", "3", "1", "6"]);
  assert.deepEqual(await ids([...fleet].reverse()), ["5", "4", "2", "3", "1", "6"]);
  assert.deepEqual((await boardRows(fleet, 0, "c", [])).owners, ["alice", "bob", "carol"]);
});

Deno.test("board rows: a name and a message of 48 whole, one longer cut; kind, age at their edges", async () => {
  const t = Date.parse("2026-01-01T01:00:00Z");
  const r = await boardRows(
    [
      agent("a", { name: "n".repeat(48), message: ` ${"m".repeat(48)}\n` }),
      agent("b", { kind: "chat", name: "o".repeat(49), message: "p".repeat(49) }),
      agent("c", { state_since: "not a time" }),
      agent("d", { state_since: "2026-01-01T01:00:05Z", message: "two\n\n  words" }),
    ],
    t,
    "c",
    [],
  );
  const byId = new Map(r.rows.map((row) => [row[0], row]));
  const [a, b, c, d] = ["a", "b", "c", "d"].map((id) => byId.get(id)!);
  assert.equal(a[1], "n".repeat(48));
  assert.equal(r.messages[a[6]], "m".repeat(48), "folded and trimmed, whole");
  assert.equal(b[1], `${"o".repeat(47)}…`);
  assert.equal(r.messages[b[6]], `${"p".repeat(47)}…`);
  assert.deepEqual([a[3], b[3]], ["t", "c"]);
  assert.equal(c[5], -1, "no time: -1");
  assert.equal(d[5], 0, "a time ahead of the clock: 0 s, never negative");
  assert.equal(a[5], 3600);
  assert.equal(r.messages[d[6]], "two words", "whitespace runs are one space");
});

Deno.test("board rows: every digest is 24 hex characters", async () => {
  for (let i = 0; i < 40; i++) {
    const r = await boardRows([agent(`a${i}`, { name: `n${i}` })], i, "c", []);
    assert.match(r.digest, /^[0-9a-f]{24}$/);
  }
});
