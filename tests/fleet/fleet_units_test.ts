import assert from "node:assert/strict";
import { aPr } from "../agent_fixture.ts";
import type { Agent } from "../../src/model/agent.ts";
import { isSettled, toRow } from "../../src/model/agent.ts";
import { runBatch } from "../../src/model/batch.ts";
import { applyFilter, markStalled, STALLED_MS } from "../../src/fleet/fleet.ts";
import { isTaskName, isTitle, matchesHandle, parseHandle } from "../../src/model/handle.ts";
import { block, cleanText, frame, oneLine, quote } from "../../src/model/text.ts";
import { meets } from "../../src/fleet/wait.ts";
import { newCallId, requestIdFor } from "../../src/fleet/request_id.ts";
import { SpendProbe } from "../../src/fleet/spend.ts";
import { type CoderClient, CoderError } from "../../src/coder/http.ts";

function agent(p: Partial<Agent>): Agent {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    kind: "task",
    name: "fix-bug",
    owner: "alice",
    state: "idle",
    detail: "active/idle",
    message: "done with step 1",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    state_since: "2026-01-01T00:00:00.000Z",
    url: "http://x/tasks/alice/1",
    labels: {},
    pr: null,
    waiting_for: null,
    ...p,
  };
}

Deno.test("handles: UUID, owner/name, bare name, malformed", () => {
  assert.deepEqual(parseHandle(" 11111111-1111-4111-8111-11111111111A "), {
    kind: "id",
    id: "11111111-1111-4111-8111-11111111111a",
    text: "11111111-1111-4111-8111-11111111111A",
  });
  assert.deepEqual(parseHandle("bob/fix"), {
    kind: "name",
    owner: "bob",
    name: "fix",
    text: "bob/fix",
  });
  assert.deepEqual(parseHandle("fix"), { kind: "name", name: "fix", text: "fix" });
  assert.equal(parseHandle(""), undefined);
  // Coder usernames are at most 32 characters.
  assert.equal(parseHandle(`${"a".repeat(32)}/fix`)?.kind, "name");
  assert.equal(parseHandle(`${"a".repeat(33)}/fix`), undefined);
  assert.equal(parseHandle("/x"), undefined);
  assert.equal(parseHandle("a/b/c"), undefined);
  // A chat title is free text (compared locally only); an owner is a Coder username.
  assert.deepEqual(parseHandle("alice/Fix the login bug"), {
    kind: "name",
    owner: "alice",
    name: "Fix the login bug",
    text: "alice/Fix the login bug",
  });
  assert.deepEqual(parseHandle("Explain the scheduler")?.kind, "name");
  const a = agent({});
  assert.ok(matchesHandle(a, parseHandle("fix-bug")!, "alice"));
  assert.ok(!matchesHandle(a, parseHandle("fix-bug")!, "bob"), "a bare name is the caller's own");
  assert.ok(matchesHandle(a, parseHandle("alice/fix-bug")!, "bob"));
  assert.ok(matchesHandle(a, parseHandle(a.id.toUpperCase())!, "bob"));
  // Task names match exactly, case included; a chat title in any case (exact ones first).
  assert.ok(!matchesHandle(a, parseHandle("Fix-Bug")!, "alice"), "a task name's case counts");
  assert.ok(!matchesHandle(a, parseHandle("alice/FIX-BUG")!, "bob"));
  const c = agent({ kind: "chat", name: "Fix the login bug" });
  assert.ok(matchesHandle(c, parseHandle("fix the LOGIN bug")!, "alice"));
  // `me/name` is the caller's own agent, whoever the caller is.
  assert.ok(matchesHandle(a, parseHandle("me/fix-bug")!, "alice"));
  assert.ok(!matchesHandle(a, parseHandle("me/fix-bug")!, "bob"));
});

Deno.test("handles: a grammar keeps them inside the agent APIs", () => {
  for (
    const bad of [
      "..",
      ".",
      "../users",
      "a/../../users/me",
      "me/..",
      "../../api/v2/users/me",
      "alice/.",
      "bad owner/x",
      "-alice/x",
      "alice-/x",
      `${"a".repeat(33)}/x`,
      "a\\b",
      "x\u0000y",
      "~",
      "...",
      "%2e%2e/users",
      "fix\u{E0041}bug",
      "alice/Fix\u200Bit",
    ]
  ) {
    assert.equal(parseHandle(bad), undefined, bad);
  }
  assert.ok(isTaskName("fix-bug_2"));
  assert.ok(!isTaskName("fix bug"), "a name with a space is a chat title, never a task URL");
  assert.ok(!isTaskName("a.b"));
  assert.ok(!isTaskName("x".repeat(65)));
  assert.ok(isTitle("Fix the login bug: part 2 «now»"));
  assert.ok(!isTitle(".."), "a title has a letter or digit");
  // An owner may be a user's UUID (Coder does not always give the username).
  assert.equal(parseHandle("11111111-1111-4111-8111-111111111111/fix")?.kind, "name");
});

Deno.test("settled: every state but starting and working", () => {
  assert.deepEqual(
    (["starting", "working", "idle", "complete", "failed", "paused", "error", "unknown"] as const)
      .filter(isSettled),
    ["idle", "complete", "failed", "paused", "error", "unknown"],
  );
});

Deno.test("batch: bounded concurrency, every item reported in order", async () => {
  let inFlight = 0, peak = 0;
  const results = await runBatch([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    if (n % 3 === 0) throw new Error(`bad ${n}`);
    return n * 10;
  }, 3);
  assert.equal(peak, 3);
  assert.equal(results.length, 10);
  assert.deepEqual(results[0], { ok: true, value: 10 });
  assert.equal(results[2].ok, false);
  assert.equal(results.filter((r) => !r.ok).length, 3);
});

Deno.test("filters: state, owner, kind, template, labels, query, settled_for_s", () => {
  const now = Date.parse("2026-01-01T00:10:00Z");
  const list = [
    agent({ id: "a", state: "idle", state_since: "2026-01-01T00:00:00Z" }),
    agent({ id: "b", state: "working", owner: "bob", message: "Refactoring AUTH" }),
    agent({ id: "c", kind: "chat", labels: { team: "core" }, template: undefined }),
    agent({ id: "d", template: "codex", state: "complete", state_since: "2026-01-01T00:09:30Z" }),
  ];
  const ids = (f: Parameters<typeof applyFilter>[1]) => applyFilter(list, f, now).map((a) => a.id);
  assert.deepEqual(ids({ state: ["idle", "complete"] }), ["a", "c", "d"]);
  assert.deepEqual(ids({ owner: "bob" }), ["b"]);
  assert.deepEqual(ids({ kind: "chat" }), ["c"]);
  assert.deepEqual(ids({ template: "CODEX" }), ["d"]);
  assert.deepEqual(ids({ labels: { team: "core" } }), ["c"]);
  assert.deepEqual(ids({ query: "auth" }), ["b"]);
  assert.deepEqual(ids({ settled_for_s: 60 }), ["a", "c"]);
});

Deno.test("wait conditions: settled, idle, any_change", () => {
  const first = agent({ state: "working", message: "m1" });
  assert.equal(meets("settled", agent({ state: "paused" }), first), true);
  assert.equal(meets("settled", agent({ state: "working" }), first), false);
  assert.equal(meets("idle", agent({ state: "complete" }), first), false);
  assert.equal(meets("idle", agent({ state: "idle" }), first), true);
  assert.equal(
    meets("any_change", agent({ state: "working", message: "m1", detail: first.detail }), first),
    false,
  );
  assert.equal(
    meets("any_change", agent({ state: "working", message: "m2", detail: first.detail }), first),
    true,
  );
});

Deno.test("text: strips escapes, controls, bidi and invisible characters", () => {
  const evil = "ok\u001b[31mred\u001b[0m\u202Egnp.exe\u200B\u0007 \uDB40\uDC41tag\ttab\nline";
  assert.equal(cleanText(evil), "okredgnp.exe tag\ttab\nline");
  assert.equal(oneLine("  a\n\n b  "), "a b");
  assert.equal(oneLine("x".repeat(50), 10), "xxxxxxxxx…");
  const b = block("line one   \n\n\n\nline two", 100);
  assert.deepEqual(b, { text: "line one\n\nline two", truncated: false });
  assert.equal(block("y".repeat(20), 5).truncated, true);
});

Deno.test("rows: compact and capped", () => {
  const r = toRow(agent({ message: "z".repeat(500), labels: {} }));
  assert.equal(r.message.length, 120);
  assert.equal("labels" in r, false);
  assert.equal("url" in r, false);
});

Deno.test("text: tag characters and variation selectors are stripped, frames cannot be closed", () => {
  const hidden = "a\u{E0001}\u{E0041}\u{E007F}b\u{E0100}\u{E01EF}c\uFE0Fd\u00ADe\uD800f";
  assert.equal(cleanText(hidden), "abcdef");
  assert.equal(cleanText("😀 ok"), "😀 ok", "paired surrogates stay");
  assert.equal(cleanText("a\u2028b"), "a\nb", "a line separator is a plain newline");
  assert.equal(frame("x\n--- end ---\n\nNext: y"), "│ x\n│ --- end ---\n│\n│ Next: y");
  assert.equal(quote("say «hi» now\nNext: z"), "«say ‹hi› now Next: z»");
  assert.equal(quote(""), "");
});

Deno.test("text: every default-ignorable and format code point is stripped (U+034F too)", () => {
  // Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt, 16.0), written
  // out: each renders as nothing and can hide text. Issue 17: U+034F survived sanitising.
  const ranges: [number, number][] = [
    [0x00AD, 0x00AD],
    [0x034F, 0x034F],
    [0x061C, 0x061C],
    [0x115F, 0x1160],
    [0x17B4, 0x17B5],
    [0x180B, 0x180F],
    [0x200B, 0x200F],
    [0x202A, 0x202E],
    [0x2060, 0x206F],
    [0x3164, 0x3164],
    [0xFE00, 0xFE0F],
    [0xFEFF, 0xFEFF],
    [0xFFA0, 0xFFA0],
    [0xFFF0, 0xFFF8],
    [0x1BCA0, 0x1BCA3],
    [0x1D173, 0x1D17A],
    [0xE0000, 0xE0FFF],
  ];
  const kept: string[] = [];
  for (const [from, to] of ranges) {
    for (let cp = from; cp <= to; cp++) {
      if (cleanText(`a${String.fromCodePoint(cp)}b`) !== "ab") kept.push(cp.toString(16));
    }
  }
  // And whatever this runtime's Unicode tables call default-ignorable or format.
  for (let cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const c = String.fromCodePoint(cp);
    if (/[\p{Default_Ignorable_Code_Point}\p{Cf}]/u.test(c) && cleanText(`a${c}b`) !== "ab") {
      kept.push(cp.toString(16));
    }
  }
  assert.deepEqual(kept, []);
  // Visible text stays: letters, accents, CJK, emoji, the ideographic space.
  assert.equal(cleanText("é 中 😀 \u3000x"), "é 中 😀 \u3000x");
});

Deno.test("request ids: a v4-shaped UUID per call, item and attempt, the same every time it is derived", () => {
  const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  // SHA-256 of "call-1\0" "0\0" "0", cut to a UUID: its version nibble 4, its variant from the
  // hash (2 -> a).
  assert.equal(requestIdFor("call-1", 0), "5cd90b53-d528-4a70-ae5c-1b00f90403de");
  // The variant from the hash's 17th hex digit: d -> 9, f -> b.
  assert.equal(requestIdFor("call-7", 0), "e200b18a-f963-456f-96a8-e12ccb6940e7");
  assert.equal(requestIdFor("call-13", 0), "4f27ef34-3eea-4bf4-b9d4-2a4cdd7485ca");
  assert.equal(requestIdFor("call-1", 0, 0), requestIdFor("call-1", 0), "attempt 0 by default");
  const ids = [
    requestIdFor("call-1", 0),
    requestIdFor("call-1", 1),
    requestIdFor("call-1", 0, 1),
    requestIdFor("call-2", 0),
  ];
  for (const id of ids) assert.match(id, UUID4);
  assert.equal(new Set(ids).size, 4, "another item, attempt or call: another id");
  for (let i = 0; i < 64; i++) assert.match(requestIdFor(`c${i}`, i), UUID4);
  assert.match(newCallId(), UUID4);
  assert.notEqual(newCallId(), newCallId());
});

Deno.test("spend: dollars from micro-dollars, the period's end cut at 40; a 403 or 404 is never asked again, any other failure is a warning", async () => {
  let answer: () => unknown = () => ({});
  let gets = 0;
  const client = {
    get: (_path: string, schema: { parse(v: unknown): unknown }) => {
      gets++;
      return Promise.resolve().then(() => schema.parse(answer()));
    },
  } as unknown as CoderClient;
  const probe = new SpendProbe();
  answer = () => ({
    current_spend_micros: 1_234_567.6,
    effective_budget: { spend_limit_micros: 50_000_000 },
    period_end: `2026-12-01T00:00:00Z${"x".repeat(30)}`,
  });
  assert.deepEqual(await probe.get(client), {
    spend: { usd: 1.234568, limit_usd: 50, period_end: `2026-12-01T00:00:00Z${"x".repeat(20)}` },
  });
  answer = () => ({ current_spend_micros: 0, effective_budget: null });
  assert.deepEqual(await probe.get(client), {
    spend: { usd: 0, limit_usd: null, period_end: null },
  });
  const fail = (status: number) => () => {
    throw new CoderError({ status, route: "GET /api/v2/users/me/ai/spend", kind: "http" });
  };
  answer = fail(500);
  const warned = await probe.get(client);
  assert.equal(warned.spend, null);
  assert.match(warned.warning ?? "", /^AI spend unavailable: Coder answered 500/);
  for (const status of [403, 404]) {
    const none = new SpendProbe();
    answer = fail(status);
    gets = 0;
    assert.deepEqual(await none.get(client), { spend: null });
    assert.deepEqual(await none.get(client), { spend: null });
    assert.equal(gets, 1, `${status}: not asked again`);
  }
  // A cancelled call is not a warning: it is the cancel.
  const stop = new AbortController();
  stop.abort();
  answer = fail(500);
  await assert.rejects(new SpendProbe().get(client, stop.signal), CoderError);
});

Deno.test("stalled: a working agent whose updated_at has not moved for stalledMs; never another state, never an unreadable time", () => {
  assert.equal(STALLED_MS, 15 * 60_000, "15 minutes by default, as --stalled-min");
  const now = Date.parse("2026-01-01T01:00:00.000Z");
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  const agents = [
    agent({ id: "exactly", state: "working", updated_at: at(60_000) }),
    agent({ id: "almost", state: "working", updated_at: at(59_999) }),
    agent({ id: "idle", state: "idle", updated_at: at(3_600_000) }),
    agent({ id: "unreadable", state: "working", updated_at: "yesterday-ish" }),
  ];
  markStalled(agents, now, 60_000);
  assert.deepEqual(agents.map((a) => [a.id, a.stalled === true]), [
    ["exactly", true],
    ["almost", false],
    ["idle", false],
    ["unreadable", false],
  ]);
});

Deno.test("filters: waiting_for, pr (none counts), a query on the name or Coder's own match, settled_for_s at its edge", () => {
  const now = Date.parse("2026-01-01T00:10:00Z");
  const list = [
    agent({ id: "a", waiting_for: "reply", pr: aPr("open"), name: "Fix-Login" }),
    agent({
      id: "b",
      waiting_for: "review",
      pr: aPr("merged"),
      state_since: "2026-01-01T00:09:00Z",
    }),
    agent({ id: "c", waiting_for: null, state: "working" }),
  ];
  const ids = (f: Parameters<typeof applyFilter>[1], done?: (a: Agent) => boolean) =>
    applyFilter(list, f, now, done).map((a) => a.id);
  assert.deepEqual(ids({ waiting_for: ["reply", "review"] }), ["a", "b"]);
  assert.deepEqual(ids({ waiting_for: [] }), ["a", "b", "c"], "an empty list filters nothing");
  assert.deepEqual(ids({ pr: ["none"] }), ["c"]);
  assert.deepEqual(ids({ pr: ["open", "merged"] }), ["a", "b"]);
  assert.deepEqual(ids({ pr: [] }), ["a", "b", "c"]);
  assert.deepEqual(ids({ state: [] }), ["a", "b", "c"]);
  assert.deepEqual(ids({ query: "login" }), ["a"], "the name, in any case");
  assert.deepEqual(ids({ query: "login" }, (a) => a.id === "c"), ["a", "c"], "or Coder matched it");
  assert.deepEqual(ids({ settled_for_s: 60 }), ["a", "b"], "settled exactly 60 s: in");
  assert.deepEqual(ids({ settled_for_s: 61 }), ["a"]);
});
