import assert from "node:assert/strict";
import { FleetError } from "../../../src/model/backend.ts";
import { CoderError } from "../../../src/coder/errors.ts";
import type { Agent } from "../../../src/model/agent.ts";
import { chatState, renderParts, summarize } from "../../../src/backends/chats/state.ts";
import { isoTime } from "../../../src/model/time.ts";
import { logRole } from "../../../src/backends/chats/backend.ts";
import { ME, type Req, type Route, stubBackend } from "./stub.ts";
import { conform } from "../../fixtures/chats/schemas.ts";

Deno.test("chatState maps every chat status", async (t) => {
  const table: [string | null | undefined, string, string][] = [
    ["running", "working", "running"],
    ["interrupting", "working", "interrupting"],
    ["waiting", "idle", "waiting"],
    ["requires_action", "idle", "requires_action"],
    ["error", "error", "error"],
    ["paused", "idle", "paused"],
    ["pending", "unknown", "pending"],
    ["suspended", "unknown", "suspended"],
    ["", "unknown", "unknown"],
    [null, "unknown", "unknown"],
    [undefined, "unknown", "unknown"],
    ["constructor", "unknown", "constructor"],
  ];
  for (const [status, state, detail] of table) {
    await t.step(`${String(status)} -> ${state}`, () => {
      const s = chatState({ status, updated_at: "2026-03-01T10:05:00.5+01:00" });
      assert.equal(s.state, state);
      assert.equal(s.detail, detail);
      assert.equal(s.since, "2026-03-01T09:05:00.500Z");
    });
  }

  await t.step(
    "queued_for_capacity: starting, whatever the status, waiting for a licence slot",
    () => {
      for (const status of ["running", "waiting", "paused", null]) {
        const s = chatState({ status, queued_for_capacity: true });
        assert.equal(s.state, "starting");
        assert.match(s.detail, /licence slot/);
      }
      assert.equal(chatState({ status: "running", queued_for_capacity: false }).state, "working");
    },
  );

  await t.step("a status with control characters is sanitised", () => {
    assert.equal(chatState({ status: "run\u001b[31mning\u202e" }).detail, "running");
  });

  await t.step("missing or bad updated_at falls back", () => {
    assert.equal(chatState({ status: "waiting" }, "X").since, "X");
    assert.equal(chatState({ status: "waiting", updated_at: "yesterday" }, "Y").since, "Y");
    assert.equal(isoTime("2026-03-01T10:00:00.123456Z"), "2026-03-01T10:00:00.123Z");
  });
});

Deno.test("renderParts", async (t) => {
  await t.step("text parts in full, newlines kept", () => {
    const long = "line one\n" + "x".repeat(5000);
    assert.equal(renderParts([{ type: "text", text: long }]), long);
  });

  await t.step("a tool call is one short line", () => {
    const out = renderParts([{
      type: "tool-call",
      tool_name: "execute",
      args: { command: "ls -la\n/tmp && cat " + "y".repeat(500) },
    }]);
    assert.equal(out.includes("\n"), false);
    assert.ok(out.startsWith('[tool: execute(command: "ls -la'), out);
    assert.ok(out.endsWith("…)]"), out);
    assert.ok(out.length < 140, String(out.length));
  });

  await t.step("tool args as a JSON string or a byte array are decoded", () => {
    const json = JSON.stringify({ path: "/a" });
    const bytes = [...new TextEncoder().encode(json)];
    assert.equal(
      renderParts([{ type: "tool-call", tool_name: "read", args: json }]),
      '[tool: read(path: "/a")]',
    );
    assert.equal(
      renderParts([{ type: "tool-call", tool_name: "read", args: bytes }]),
      '[tool: read(path: "/a")]',
    );
    assert.equal(summarize([1, 2, 3]), "1, 2, 3");
    // Bytes that spell a JSON array or a JSON string are decoded too.
    const arr = [...new TextEncoder().encode('["a","b"]')];
    assert.equal(summarize(arr), '"a", "b"');
    assert.equal(summarize([...new TextEncoder().encode('"hi"')]), "hi");
  });

  await t.step("a tool result is one short line", () => {
    const out = renderParts([{
      type: "tool-result",
      tool_name: "execute",
      result: { output: "total 0\n" + "z".repeat(1000), exit_code: 0 },
    }]);
    assert.equal(out.includes("\n"), false);
    assert.ok(out.startsWith("[result: execute: total 0 zzz"), out);
    assert.ok(out.length < 140);
    const err = renderParts([{
      type: "tool-result",
      tool_name: "x",
      is_error: true,
      result: "boom",
    }]);
    assert.equal(err, "[result: x: error: boom]");
  });

  await t.step("reasoning is omitted, unless it is all there is", () => {
    const parts = [
      { type: "reasoning", text: "secret thoughts" },
      { type: "text", text: "Answer" },
    ];
    assert.equal(renderParts(parts), "Answer");
    assert.equal(renderParts([{ type: "reasoning", text: "hmm" }]), "[reasoning]");
  });

  await t.step("files, sources and unknown parts are one bracketed line", () => {
    assert.equal(renderParts([{ type: "file", media_type: "image/png" }]), "[file: image/png]");
    assert.equal(
      renderParts([{ type: "file-reference", file_name: "a.go", start_line: 3, end_line: 9 }]),
      "[file-reference: a.go:3-9]",
    );
    assert.equal(
      renderParts([{ type: "source", title: "Docs", url: "https://x.test" }]),
      "[source: Docs https://x.test]",
    );
    assert.equal(
      renderParts([{ type: "context-file", context_file_path: "/w/AGENTS.md" }]),
      "[context-file: /w/AGENTS.md]",
    );
    assert.equal(renderParts([{ type: "hook-notice", text: "a\nb" }]), "[hook-notice: a b]");
  });

  await t.step("each part's label and what names it, with the fallbacks", () => {
    const one = (p: Record<string, unknown>) => renderParts([p]);
    // A skill is named as a skill (not as a bare "part"), by skill_name, else name.
    assert.equal(one({ type: "skill", skill_name: "deploy", name: "n" }), "[skill: deploy]");
    assert.equal(one({ type: "skill", name: "review" }), "[skill: review]");
    assert.equal(one({ type: "skill" }), "[skill]");
    // A file: its file name, else its name, else its media type, else its URL.
    assert.equal(
      one({ type: "file", file_name: "a.png", name: "n", media_type: "image/png" }),
      "[file: a.png]",
    );
    assert.equal(one({ type: "file", name: "shot", media_type: "image/png" }), "[file: shot]");
    assert.equal(one({ type: "file", url: "https://x.test/f" }), "[file: https://x.test/f]");
    assert.equal(one({ type: "file" }), "[file]");
    // A file reference: one line, or a range; no line, no suffix; no file name, the label alone.
    const ref = (over: Record<string, unknown>) =>
      one({ type: "file-reference", file_name: "a.go", ...over });
    assert.equal(ref({ start_line: 3 }), "[file-reference: a.go:3]");
    assert.equal(ref({ start_line: 3, end_line: 3 }), "[file-reference: a.go:3]");
    assert.equal(ref({}), "[file-reference: a.go]");
    assert.equal(one({ type: "file-reference", start_line: 3 }), "[file-reference]");
    assert.equal(one({ type: "source", url: "https://x.test" }), "[source: https://x.test]");
    assert.equal(one({ type: "source" }), "[source]");
    assert.equal(one({ type: "context-file" }), "[context-file]");
    // Another type: its text, else its name, else its title; its type as the label, capped.
    assert.equal(one({ type: "hook", name: "pre-commit", title: "t" }), "[hook: pre-commit]");
    assert.equal(one({ type: "hook", title: "Checks" }), "[hook: Checks]");
    assert.equal(one({ type: "hook" }), "[hook]");
    assert.equal(one({ type: "x".repeat(50) }), `[${"x".repeat(39)}…]`);
    assert.equal(one({ type: "hook", text: "y".repeat(100) }), `[hook: ${"y".repeat(79)}…]`);
    // No type is text.
    assert.equal(one({ text: "plain words" }), "plain words");
  });

  await t.step("tool calls and results: the name's fallbacks, deltas, no result", () => {
    const one = (p: Record<string, unknown>) => renderParts([p]);
    assert.equal(one({ type: "tool-call", name: "grep", args: {} }), "[tool: grep()]");
    assert.equal(one({ type: "tool-call", tool_name: "", args: {} }), "[tool: tool()]");
    assert.equal(one({ type: "tool-call" }), "[tool: tool()]");
    assert.equal(
      one({ type: "tool-call", tool_name: "ls", args_delta: '{"dir":"/w"}' }),
      '[tool: ls(dir: "/w")]',
    );
    assert.equal(one({ type: "tool-result", tool_name: "ls" }), "[result: ls]");
    assert.equal(
      one({ type: "tool-result", tool_name: "ls", is_error: true }),
      "[result: ls: error]",
    );
    assert.equal(one({ type: "tool-result", result_delta: "partial" }), "[result: tool: partial]");
  });

  await t.step("only omitted parts: each omitted type once, blank text adds nothing", () => {
    assert.equal(
      renderParts([
        { type: "reasoning", text: "a" },
        { type: "text", text: "  " },
        { type: "reasoning", text: "b" },
      ]),
      "[reasoning]",
    );
    assert.equal(renderParts([{ type: "text", text: " \n " }]), "");
  });

  await t.step("summaries: one message field of a small object, else every key; capped", () => {
    assert.equal(summarize({ content: "hello", extra: 1 }), "hello");
    assert.equal(summarize({ error: "boom" }), "boom");
    // Four keys: the object is listed, whatever field it has.
    assert.equal(summarize({ output: "o", a: 1, b: 2, c: 3 }), 'output: "o", a: 1, b: 2, c: 3');
    assert.equal(summarize({ n: 1, ok: true, list: [1] }), "n: 1, ok: true, list: [1]");
    assert.equal(summarize({ text: "t", n: 1 }), "t");
    assert.equal(summarize({ message: "m" }), "m");
    assert.equal(summarize({ result: "r", ok: true }), "r");
    assert.equal(summarize({ output: "o", a: 1, b: 2 }), "o", "three keys is still small");
    assert.equal(summarize("x".repeat(300)), "x".repeat(99) + "…");
    assert.equal(summarize("x".repeat(300), 10), "x".repeat(9) + "…");
    // Each value of a listed object is cut at 200 characters, whatever the cap of the line.
    assert.equal(
      summarize({ a: "y".repeat(300), b: 1 }, 1_000),
      `a: "${"y".repeat(200)}", b: 1`,
    );
    assert.equal(summarize({ a: "y".repeat(201) }, 1_000), `a: "${"y".repeat(200)}"`);
    // Values JSON cannot spell are written as they are.
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    assert.equal(summarize({ f: undefined, loop }), "f: undefined, loop: [object Object]");
    assert.equal(summarize("not {json"), "not {json");
    assert.equal(summarize("{broken"), "{broken");
    assert.equal(summarize(42), "42");
    assert.equal(summarize(null), "");
    // A string is JSON only when it starts like JSON (an object, an array or a string).
    assert.equal(summarize('  {"a": 1, "b": 2}  '), "a: 1, b: 2");
    assert.equal(summarize('["a","b"]'), '"a", "b"');
    assert.equal(summarize("null"), "null");
    assert.equal(summarize("true"), "true");
  });

  await t.step(
    "byte arrays are read as JSON only when every item is a byte and they spell it",
    () => {
      const bytes = (s: string) => [...new TextEncoder().encode(s)];
      assert.equal(summarize(bytes("{}")), "");
      assert.equal(summarize(bytes('{"k":"v","n":2,"m":3,"o":4}')), 'k: "v", n: 2, m: 3, o: 4');
      // Not valid UTF-8, not JSON, or not starting and ending like JSON: numbers, as they came.
      assert.equal(summarize([0x7b, 0xff, 0x7d]), "123, 255, 125");
      assert.equal(summarize([0x22, 0xff, 0x22]), "34, 255, 34");
      assert.equal(summarize(bytes("{{}")), "123, 123, 125");
      assert.equal(summarize([0x7b]), "123");
      assert.equal(summarize([0x22]), "34");
      assert.equal(summarize([]), "");
      for (const padded of [" {}", "{} ", " []", "[] ", ' ""', '"" ']) {
        const b = bytes(padded);
        assert.equal(summarize(b), b.join(", "), JSON.stringify(padded));
      }
      // Items that are not bytes (though they would wrap to "[1]") keep the array as it is.
      assert.equal(summarize([0x5b, 305, 0x5d]), "91, 305, 93");
      assert.equal(summarize([0x5b, -207, 0x5d]), "91, -207, 93");
      assert.equal(summarize([0x5b, 49.5, 0x5d]), "91, 49.5, 93");
      assert.equal(summarize([0x5b, "49", 0x5d]), '91, "49", 93');
      assert.equal(summarize(bytes("[1]")), "1");
    },
  );

  await t.step("an empty part type is labelled as a part; a long tool name is capped", () => {
    assert.equal(renderParts([{ type: "", text: "hi" }]), "[part: hi]");
    const long = "t".repeat(70);
    assert.equal(
      renderParts([{ type: "tool-call", tool_name: long, args: {} }]),
      `[tool: ${"t".repeat(59)}…()]`,
    );
    assert.equal(
      renderParts([{ type: "tool-result", tool_name: long, result: "ok" }]),
      `[result: ${"t".repeat(59)}…: ok]`,
    );
    assert.equal(
      renderParts([{ type: "tool-result", tool_name: "", result: "ok" }]),
      "[result: tool: ok]",
    );
    assert.equal(
      renderParts([{ type: "tool-call", tool_name: "t".repeat(60), args: {} }]),
      `[tool: ${"t".repeat(60)}()]`,
    );
  });

  await t.step("parts are joined by newlines in order", () => {
    const out = renderParts([
      { type: "text", text: "Let me look." },
      { type: "tool-call", tool_name: "ls", args: {} },
      { type: "text", text: "Done." },
    ]);
    assert.equal(out, "Let me look.\n[tool: ls()]\nDone.");
  });

  await t.step("control, bidi and escape characters are stripped everywhere", () => {
    const evil = "ok\u202Egnp.exe\u200B\u0007\u001b[2J";
    assert.equal(renderParts([{ type: "text", text: evil }]), "okgnp.exe");
    const tool = renderParts([{
      type: "tool-call",
      tool_name: "ex\u202Eec",
      args: { a: "\u001b]0;t\u0007v" },
    }]);
    // deno-lint-ignore no-control-regex
    assert.equal(/[\u0000-\u001f\u202e]/.test(tool), false);
    assert.ok(tool.startsWith("[tool: exec("), tool);
  });

  await t.step("empty and missing parts", () => {
    assert.equal(renderParts([]), "");
    assert.equal(renderParts(undefined), "");
  });

  await t.step("a source names what it has: its title, its url, or both", () => {
    assert.equal(
      renderParts([{ type: "source", url: "https://x.test" }]),
      "[source: https://x.test]",
    );
    assert.equal(renderParts([{ type: "source", title: "Docs" }]), "[source: Docs]");
  });

  await t.step("arguments that look like JSON but are not are shown as sent", () => {
    const call = (args: unknown) => renderParts([{ type: "tool-call", tool_name: "t", args }]);
    assert.equal(call("{not json"), "[tool: t({not json)]");
    // Bytes that spell braces around what is not JSON: the byte values, not nothing.
    assert.equal(call([0x7b, 0x78, 0x7d]), "[tool: t(123, 120, 125)]");
  });
});

Deno.test("logRole", () => {
  assert.equal(logRole("user"), "user");
  assert.equal(logRole("assistant"), "agent");
  assert.equal(logRole("system"), "system");
  assert.equal(logRole("tool"), "tool");
  assert.equal(logRole("other"), "system");
});

// ---------------------------------------------------------------------------------------------
// ChatsBackend over a stubbed Coder (fetch stub; our own code is not mocked).

const ID1 = "11111111-1111-4111-8111-111111111111";
const ID2 = "22222222-2222-4222-8222-222222222222";
const ORG_DEFAULT = "d0000000-0000-4000-8000-000000000000";

/** A chat as Coder v2.39 serves it (checked against the contract's schema below). */
const CHAT_BODY = conform("chat", {
  id: ID1,
  title: "Fix flaky test",
  status: "running",
  archived: false,
  owner_id: ME.id,
  owner_username: "alice",
  owner_name: "Alice Example",
  organization_id: ORG_DEFAULT,
  last_model_config_id: "7e6d5c4b-3a29-4181-8f7e-6d5c4b3a2918",
  labels: { team: "infra" },
  last_turn_summary: "Running the tests\u001b[0m\nagain",
  summary: null,
  created_at: "2026-03-01T10:00:00+01:00",
  updated_at: "2026-03-01T10:05:00+01:00",
  shared: false,
  pin_order: 0,
  mcp_server_ids: [],
  has_unread: false,
  client_type: "api",
  children: [],
});

/** {@link CHAT_BODY} with some fields changed (tolerance cases change it beyond Coder's shape). */
function chatBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...CHAT_BODY, ...over };
}

const backend = (route: Route) => stubBackend(route);

const is = (req: Req, method: string, path: string) =>
  req.method === method && req.url.pathname === path;

Deno.test("ChatsBackend", async (t) => {
  await t.step("list: one request, labels and own-owner pushed down, agents mapped", async () => {
    const { b, seen } = backend((req) =>
      is(req, "GET", "/api/v2/chats") ? { status: 200, body: [chatBody()] } : undefined
    );
    const agents = await b.list({ owner: "alice", labels: { team: "infra" }, query: "flaky" });
    assert.equal(seen.length, 1);
    // Coder's chat query has no owner term: only the caller's own chats can be asked for. The
    // query goes as Coder's full-text search (probed: this Coder takes it).
    assert.equal(seen[0].url.searchParams.get("q"), "source:created_by_me search:flaky");
    assert.equal(agents.queryMatched, true, "Coder matched the query");
    await b.list({ owner: "bob" });
    assert.equal(
      seen[1].url.searchParams.get("q"),
      "source:created_by_me,shared_with_me",
      "another owner's chats can only be shared ones: both sources, the owner filtered locally",
    );
    assert.deepEqual(seen[0].url.searchParams.getAll("label"), ["team:infra"]);
    const a = agents[0];
    assert.equal(a.kind, "chat");
    assert.equal(b.kind, a.kind, "the fleet routes a chat agent to this back end by its kind");
    assert.equal(a.name, "Fix flaky test");
    assert.equal(a.owner, "alice");
    assert.equal(a.state, "working");
    assert.equal(a.detail, "running");
    assert.equal(a.message, "Running the tests again");
    assert.equal(a.url, `https://dash.test/agents/${ID1}`);
    assert.equal(a.created_at, "2026-03-01T09:00:00.000Z");
    assert.equal(a.state_since, "2026-03-01T09:05:00.000Z");
    assert.equal(a.template, undefined);
    assert.equal(a.workspace, undefined);
    assert.deepEqual(a.labels, { team: "infra" });
  });

  await t.step("agent mapping fallbacks: owner and message", async () => {
    const { b } = backend(() => ({
      status: 200,
      body: [chatBody({
        owner_username: null,
        owner_name: null,
        last_turn_summary: "",
        summary: null,
        status: "error",
        last_error: { message: "Provider\u202e failed" },
        workspace_id: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
      })],
    }));
    const [a] = await b.list({});
    assert.equal(a.owner, ME.id);
    assert.equal(a.message, "Provider failed");
    assert.equal(a.state, "error");
    assert.equal(a.workspace, "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a");
  });

  await t.step("find by id; 404 and 400 give nothing", async () => {
    const { b } = backend((req) => {
      if (is(req, "GET", `/api/v2/chats/${ID1}`)) {
        return { status: 200, body: chatBody({ archived: true }) };
      }
      if (is(req, "GET", "/api/v2/chats/bad")) {
        return { status: 400, body: { message: 'Invalid UUID "bad".' } };
      }
      return { status: 404, body: { message: "Resource not found" } };
    });
    assert.equal((await b.find({ kind: "id", id: ID1, text: ID1 }))[0].id, ID1);
    assert.deepEqual(await b.find({ kind: "id", id: ID2, text: ID2 }), []);
    assert.deepEqual(await b.find({ kind: "id", id: "bad", text: "bad" }), []);
    // Any other failure is no answer: the caller sees it, never "no such chat".
    const { b: down } = backend(() => ({ status: 500, body: { message: "Internal error." } }));
    await assert.rejects(
      down.find({ kind: "id", id: ID1, text: ID1 }),
      (e) => e instanceof CoderError && e.status === 500,
    );
  });

  await t.step("find by name: title term, exact match first, owner checked", async () => {
    const { b, seen } = backend(() => ({
      status: 200,
      body: [
        chatBody({ id: ID1, title: "Fix flaky test" }),
        chatBody({ id: ID2, title: "fix flaky test" }),
        chatBody({ id: "33333333-3333-4333-8333-333333333333", title: "Fix flaky test v2" }),
        chatBody({ id: "44444444-4444-4444-8444-444444444444", owner_username: "bob" }),
      ],
    }));
    const exact = await b.find({ kind: "name", name: "Fix flaky test", text: "Fix flaky test" });
    assert.deepEqual(exact.map((a) => a.id), [ID1]);
    assert.equal(
      seen[0].url.searchParams.get("q"),
      'title:"Fix flaky test" source:created_by_me,shared_with_me',
    );
    const ci = await b.find({ kind: "name", name: "FIX FLAKY TEST", text: "x" });
    assert.deepEqual(ci.map((a) => a.id).sort(), [ID1, ID2]);
    const bob = await b.find({ kind: "name", owner: "bob", name: "Fix flaky test", text: "x" });
    assert.deepEqual(bob.map((a) => a.id), ["44444444-4444-4444-8444-444444444444"]);
    // me/<name>: the caller's own.
    const mine = await b.find({ kind: "name", owner: "me", name: "Fix flaky test", text: "x" });
    assert.deepEqual(mine.map((a) => a.id), [ID1]);
    assert.equal(seen.length, 4);
  });

  const agent = (over: Partial<Agent> = {}): Agent => ({
    id: ID1,
    kind: "chat",
    name: "Fix flaky test",
    owner: "alice",
    state: "working",
    detail: "running",
    message: "",
    created_at: "2026-03-01T09:00:00.000Z",
    updated_at: "2026-03-01T09:05:00.000Z",
    state_since: "2026-03-01T09:05:00.000Z",
    url: "",
    labels: {},
    pr: null,
    waiting_for: null,
    ...over,
  });

  const msg = (id: number, role: string, text: string) => ({
    id,
    chat_id: ID1,
    role,
    created_at: "2026-03-01T10:00:00+01:00",
    content: [{ type: "text", text }],
  });

  await t.step("logs: newest page, ascending, queued one-liners", async () => {
    const { b, seen } = backend(() => ({
      status: 200,
      body: conform("chat_messages", {
        messages: [msg(12, "assistant", "done"), msg(11, "tool", "out"), msg(10, "user", "go")],
        queued_messages: [{
          id: 1,
          chat_id: ID1,
          content: [{ type: "text", text: "next\nplease" }],
          created_at: "2026-03-01T10:00:01+01:00",
        }],
        has_more: true,
      }),
    }));
    const page = await b.logs(agent(), { limit: 3 });
    assert.equal(seen[0].url.searchParams.get("limit"), "3");
    assert.deepEqual(page.messages.map((m) => m.id), [10, 11, 12]);
    assert.deepEqual(page.messages.map((m) => m.role), ["user", "tool", "agent"]);
    assert.equal(page.messages[0].time, "2026-03-01T09:00:00.000Z");
    assert.equal(page.has_older, true);
    assert.equal(page.has_newer, false);
    assert.equal(page.snapshot, false);
    assert.deepEqual(page.queued, ["next please"]);
  });

  await t.step("logs: after_id pages forward, limit is clamped", async () => {
    const { b, seen } = backend(() => ({
      status: 200,
      body: conform("chat_messages", {
        messages: [msg(20, "user", "a"), msg(21, "assistant", "b")],
        queued_messages: [],
        has_more: false,
      }),
    }));
    const page = await b.logs(agent(), { after_id: 19, limit: 500 });
    assert.equal(seen[0].url.searchParams.get("after_id"), "19");
    assert.equal(seen[0].url.searchParams.get("limit"), "200");
    assert.deepEqual(page.messages.map((m) => m.id), [20, 21]);
    assert.equal(page.has_newer, false);
    assert.equal(page.has_older, true);
    // After message 1 there is message 1 itself, older; after 0 (no message has it), nothing.
    assert.equal((await b.logs(agent(), { after_id: 1, limit: 5 })).has_older, true);
    assert.equal((await b.logs(agent(), { after_id: 0, limit: 5 })).has_older, false);
  });

  await t.step("logs: before_id pages backward", async () => {
    const { b, seen } = backend(() => ({
      status: 200,
      body: conform("chat_messages", {
        messages: [msg(5, "assistant", "b")],
        queued_messages: [],
        has_more: false,
      }),
    }));
    const page = await b.logs(agent(), { before_id: 6, limit: 1 });
    assert.equal(seen[0].url.searchParams.get("before_id"), "6");
    assert.equal(page.has_older, false);
    assert.equal(page.has_newer, true);
  });

  const models = {
    providers: [
      {
        provider: "anthropic",
        available: true,
        models: [{ id: "m-1", model: "claude-x", provider: "anthropic", display_name: "Claude X" }],
      },
      {
        provider: "openai",
        available: false,
        models: [{ id: "m-2", model: "gpt-y", provider: "openai", display_name: "GPT Y" }],
      },
    ],
  };
  const orgs = [
    { id: "o-1", name: "first", is_default: false },
    { id: ORG_DEFAULT, name: "coder", is_default: true },
  ];
  const createRoutes: Route = (req) => {
    if (is(req, "GET", "/api/v2/users/me/organizations")) return { status: 200, body: orgs };
    if (is(req, "GET", "/api/v2/chats/models")) return { status: 200, body: models };
    if (is(req, "POST", "/api/v2/chats")) {
      return { status: 201, body: chatBody({ id: ID2, title: "auto title" }) };
    }
    if (is(req, "PATCH", `/api/v2/chats/${ID2}`)) return { status: 204 };
    return undefined;
  };

  await t.step(
    "create: default org, model by name, labels, title sent; a Coder that ignored it: patched",
    async () => {
      const { b, seen } = backend(createRoutes);
      const a = await b.create({
        prompt: "Fix it",
        model: "claude x",
        name: "My chat",
        labels: { team: "infra" },
      });
      const post = seen.find((r) => is(r, "POST", "/api/v2/chats"));
      assert.deepEqual(post?.body, {
        organization_id: ORG_DEFAULT,
        content: [{ type: "text", text: "Fix it" }],
        labels: { team: "infra" },
        model_config_id: "m-1",
        title: "My chat",
      });
      const patch = seen.find((r) => r.method === "PATCH");
      assert.deepEqual(patch?.body, { title: "My chat" });
      assert.equal(a.name, "My chat");
      assert.equal(a.id, ID2);
    },
  );

  await t.step(
    "create: the title's PATCH fails: the chat exists, so never create it again",
    async () => {
      const { b, seen } = backend((req) =>
        is(req, "PATCH", `/api/v2/chats/${ID2}`)
          ? { status: 500, body: { message: "database is locked" } }
          : createRoutes(req)
      );
      const err = await b.create({ prompt: "Fix it", name: "My chat" }).catch((e) => e);
      assert.ok(err instanceof FleetError, String(err));
      assert.match(
        err.message,
        new RegExp(`^Chat ${ID2} was created and is running, but its title`),
      );
      assert.match(err.message, /database is locked/);
      assert.equal(err.next, `do not create it again; refer to it by id ${ID2} (get_agent)`);
      assert.equal(seen.filter((r) => r.method === "POST").length, 1, "created once");
    },
  );

  await t.step(
    "create: no labels and a blank name send neither, and nothing to patch",
    async () => {
      const { b, seen } = backend(createRoutes);
      const a = await b.create({ prompt: "Fix it", name: "   ", labels: {} });
      const post = seen.find((r) => is(r, "POST", "/api/v2/chats"));
      assert.deepEqual(post?.body, {
        organization_id: ORG_DEFAULT,
        content: [{ type: "text", text: "Fix it" }],
      });
      assert.equal(seen.filter((r) => r.method === "PATCH").length, 0);
      assert.equal(a.name, "auto title", "Coder's own title");
    },
  );

  await t.step("create: a Coder that takes the title gets no second request", async () => {
    const { b, seen } = backend((req) =>
      is(req, "POST", "/api/v2/chats")
        ? { status: 201, body: chatBody({ id: ID2, title: "My chat" }) }
        : createRoutes(req)
    );
    const a = await b.create({ prompt: "Fix it", name: "My chat" });
    assert.equal(a.name, "My chat");
    assert.equal(a.prompt, "Fix it", "the new agent shows what it was asked");
    assert.equal(seen.filter((r) => r.method !== "GET").length, 1, "one write: the create");
    const long = await b.create({ prompt: "p".repeat(2100), name: "My chat" });
    assert.equal(long.prompt, "p".repeat(1999) + "…", "capped at 2000 characters");
  });

  await t.step("create: a Coder that refuses the title field: created again without", async () => {
    const { b, seen } = backend((req) => {
      if (is(req, "POST", "/api/v2/chats")) {
        return (req.body as Record<string, unknown>).title
          ? {
            status: 400,
            body: {
              message: "Invalid request.",
              validations: [{ field: "title", detail: "unknown field" }],
            },
          }
          : { status: 201, body: chatBody({ id: ID2, title: "auto title" }) };
      }
      return createRoutes(req);
    });
    const a = await b.create({ prompt: "Fix it", name: "My chat" });
    assert.equal(a.name, "My chat");
    const writes = seen.filter((r) => r.method !== "GET").map((r) => r.method);
    assert.deepEqual(writes, ["POST", "POST", "PATCH"]);
    await b.create({ prompt: "Again", name: "Other" });
    const posts = seen.filter((r) => r.method === "POST");
    assert.equal((posts[2].body as Record<string, unknown>).title, undefined, "remembered");
  });

  await t.step("create: a 400 that is not about the title is the error, sent once", async () => {
    const refusing = (message: string, field?: string) =>
      backend((req) =>
        is(req, "POST", "/api/v2/chats")
          ? {
            status: 400,
            body: { message, validations: field ? [{ field, detail: "unknown field" }] : [] },
          }
          : createRoutes(req)
      );
    const posts = (seen: Req[]) => seen.filter((r) => r.method === "POST").length;
    // Another reason, with a title sent.
    const other = refusing("Invalid model config.");
    await assert.rejects(other.b.create({ prompt: "x", name: "T" }), /Invalid model config/);
    assert.equal(posts(other.seen), 1);
    // A 400 naming title where none was sent: not the title's fault.
    const untitled = refusing("Invalid request.", "title");
    await assert.rejects(untitled.b.create({ prompt: "x" }), /Invalid request/);
    assert.equal(posts(untitled.seen), 1);
    // Once the title is known to be refused, it is not sent, nor retried for again.
    const always = refusing("Invalid request.", "title");
    await assert.rejects(always.b.create({ prompt: "x", name: "T" }));
    assert.equal(posts(always.seen), 2, "sent with the title, then without");
    await assert.rejects(always.b.create({ prompt: "y", name: "T" }));
    assert.equal(posts(always.seen), 3, "without the title at once, and no retry");
  });

  await t.step("create for another user is refused before any request", async () => {
    const { b, seen } = backend(createRoutes);
    const err = await b.create({ prompt: "x", owner: "bob" }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.equal(
      err.message,
      "A chat cannot be created for another user (bob): Coder would make bob its owner, and " +
        "the chat would then be invisible to you and could not be driven (only its owner may " +
        "send to it).",
    );
    assert.equal(
      err.next,
      'leave owner out to create the chat as yourself, or give template or preset (kind "task") ' +
        "to create a task for bob",
    );
    assert.equal(seen.length, 0);
    assert.equal(b.createRefusal({ prompt: "x", owner: "alice" }), undefined, "the caller");
    assert.equal(b.createRefusal({ prompt: "x", owner: "me" }), undefined, "me is the caller");
    const long = b.createRefusal({ prompt: "x", owner: "o".repeat(70) })?.message ?? "";
    assert.ok(long.includes(`another user (${"o".repeat(63)}…)`), long);
  });

  await t.step(
    "create: the organization is the default one, else the only one, else none",
    async () => {
      const withOrgs = (list: unknown[]) =>
        backend((req) =>
          is(req, "GET", "/api/v2/users/me/organizations")
            ? { status: 200, body: list }
            : createRoutes(req)
        );
      const only = withOrgs([{ id: "o-1", name: "first", is_default: false }]);
      await only.b.create({ prompt: "x" });
      const post = only.seen.find((r) => is(r, "POST", "/api/v2/chats"));
      assert.equal(post?.body?.organization_id, "o-1");
      const none = withOrgs([]);
      const err = await none.b.create({ prompt: "x" }).catch((e) => e);
      assert.ok(err instanceof FleetError, String(err));
      assert.equal(err.message, "You belong to no Coder organization, so no chat can be created.");
      assert.equal(err.next, "ask a Coder administrator to add you to an organization");
      assert.equal(none.seen.some((r) => r.method === "POST"), false);
    },
  );

  await t.step(
    "create: a catalog that fails does not fail a create that names no model",
    async () => {
      const { b } = backend((req) =>
        is(req, "GET", "/api/v2/chats/models")
          ? { status: 500, body: { message: "database is locked" } }
          : createRoutes(req)
      );
      const a = await b.create({ prompt: "x" });
      assert.equal(a.id, ID2);
      assert.equal(a.model, "7e6d5c4b-3a29-4181-8f7e-6d5c4b3a2918", "its model named by its id");
    },
  );

  await t.step("create: no model means no model_config_id (Coder's default)", async () => {
    const { b, seen } = backend(createRoutes);
    const a = await b.create({ prompt: "Fix it" });
    const post = seen.find((r) => is(r, "POST", "/api/v2/chats"));
    assert.equal((post?.body as Record<string, unknown>).model_config_id, undefined);
    // Coder chose (the chat names its config, which this catalog does not list): named by id.
    assert.equal(a.model, "7e6d5c4b-3a29-4181-8f7e-6d5c4b3a2918");
    assert.equal(seen.some((r) => r.method === "PATCH"), false);
  });

  await t.step("create: an unknown model names the available ones", async () => {
    const { b, seen } = backend(createRoutes);
    const err = await b.create({ prompt: "x", model: "nope" }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.match(err.message, /Claude X/);
    assert.match(err.next, /list_templates/);
    assert.equal(seen.some((r) => r.method === "POST"), false);
  });

  await t.step("send: queued and sent, busy_behavior passed through", async () => {
    let queued = true;
    const { b, seen } = backend(() => ({
      status: 200,
      body: conform("send_response", { queued }),
    }));
    assert.deepEqual(await b.send(agent(), "hello", "queue"), {
      outcome: "queued",
      detail: "queued: the chat is busy and will take it next",
    });
    queued = false;
    assert.deepEqual(await b.send(agent({ state: "idle" }), "hi"), {
      outcome: "sent",
      detail: "sent",
    });
    assert.deepEqual(seen[0].body, {
      content: [{ type: "text", text: "hello" }],
      busy_behavior: "queue",
    });
    assert.deepEqual(seen[1].body, { content: [{ type: "text", text: "hi" }] });
    // Interrupting only says so where there was a turn to interrupt.
    const sent = async (state: Agent["state"]) =>
      (await b.send(agent({ state }), "now", "interrupt")).detail;
    assert.equal(await sent("working"), "sent (interrupted the current turn)");
    assert.equal(await sent("idle"), "sent");
    assert.equal((await b.send(agent({ state: "working" }), "later")).detail, "sent", "queue");
  });

  await t.step("send to an archived chat is a FleetError", async () => {
    const { b } = backend(() => ({
      status: 400,
      body: conform("error", { message: "Cannot send messages to an archived chat." }),
    }));
    const err = await b.send(agent(), "x").catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.equal(err.message, `Chat ${ID1} is archived and takes no messages.`);
    assert.equal(
      err.next,
      "start a new chat with create_task, or restore this one in the Coder dashboard",
    );
  });

  await t.step(
    "send: Coder's owner refusal reads as such; other failures are Coder's",
    async () => {
      const answer = (status: number, message: string) =>
        backend(() => ({ status, body: conform("error", { message }) })).b;
      const owner = await answer(403, "Only the chat owner may send messages.")
        .send(agent({ owner: "bob" }), "x").catch((e) => e);
      assert.ok(owner instanceof FleetError, String(owner));
      assert.match(owner.message, /belongs to bob .* \(Coder answered 403\)\.$/);
      const other = await answer(400, "Message content is empty.").send(agent(), "x")
        .catch((e) => e);
      assert.ok(other instanceof CoderError, String(other));
      assert.equal(other.coderMessage, "Message content is empty.");
    },
  );

  await t.step("stop interrupts a working chat and skips an idle one", async () => {
    const { b, seen } = backend((req) =>
      is(req, "POST", `/api/v2/chats/${ID1}/interrupt`)
        ? { status: 200, body: chatBody({ status: "waiting" }) }
        : undefined
    );
    assert.deepEqual(await b.stop(agent()), { outcome: "done", detail: "interrupted" });
    const skipped = await b.stop(agent({ state: "idle", detail: "waiting" }));
    assert.equal(skipped.outcome, "skipped");
    assert.match(skipped.detail, /not running/);
    assert.equal(seen.length, 1);
  });

  await t.step(
    "stop: a chat that ended its turn meanwhile (409) is skipped, not failed",
    async () => {
      const { b } = backend((req) =>
        is(req, "POST", `/api/v2/chats/${ID1}/interrupt`)
          ? { status: 409, body: { message: "Chat is not running." } }
          : undefined
      );
      assert.deepEqual(await b.stop(agent()), { outcome: "skipped", detail: "no longer running" });
    },
  );

  await t.step(
    "stop: Coder's 404 hides a chat the caller may not change; other errors are Coder's",
    async () => {
      const interruptAnswers = (status: number, message: string) =>
        backend((req) =>
          is(req, "POST", `/api/v2/chats/${ID1}/interrupt`)
            ? { status, body: { message } }
            : undefined
        ).b;
      const hidden = await interruptAnswers(404, "Resource not found.")
        .stop(agent({ owner: "bob" })).catch((e) => e);
      assert.ok(hidden instanceof FleetError, String(hidden));
      assert.match(
        hidden.message,
        /belongs to bob .*only its owner can interrupt it \(Coder answered 404/,
      );
      const { b: archiveHidden } = backend((req) =>
        is(req, "PATCH", `/api/v2/chats/${ID1}`)
          ? { status: 404, body: { message: "Resource not found." } }
          : undefined
      );
      const notMine = await archiveHidden.remove(agent({ owner: "bob", state: "idle" }))
        .catch((e) => e);
      assert.ok(notMine instanceof FleetError, String(notMine));
      assert.match(notMine.message, /only its owner can archive it \(Coder answered 404/);
      const down = await interruptAnswers(500, "Internal error.").stop(agent()).catch((e) => e);
      assert.ok(down instanceof CoderError, String(down));
      assert.equal(down.status, 500);
    },
  );

  await t.step("resume makes no request", async () => {
    const { b, seen } = backend(() => undefined);
    const r = await b.resume(agent());
    assert.equal(r.outcome, "skipped");
    assert.match(r.detail, /send_input/);
    assert.equal(seen.length, 0);
  });

  await t.step("remove archives; an archived chat is skipped", async () => {
    let archived = false;
    const { b, seen } = backend((req) => {
      if (is(req, "GET", `/api/v2/chats/${ID1}`)) {
        return { status: 200, body: chatBody({ archived, status: "waiting" }) };
      }
      if (is(req, "PATCH", `/api/v2/chats/${ID1}`)) {
        archived = true;
        return { status: 204 };
      }
      return undefined;
    });
    const [live] = await b.find({ kind: "id", id: ID1, text: ID1 });
    assert.equal(live.archived, undefined);
    assert.deepEqual(await b.remove(live), { outcome: "done", detail: "archived" });
    assert.deepEqual(seen.find((r) => r.method === "PATCH")?.body, { archived: true });
    const [found] = await b.find({ kind: "id", id: ID1, text: ID1 });
    assert.equal(found.archived, true);
    assert.deepEqual(await b.remove(found), { outcome: "skipped", detail: "already archived" });
    assert.equal(seen.filter((r) => r.method === "PATCH").length, 1);
  });

  await t.step("catalog lists models with availability", async () => {
    const { b } = backend(createRoutes);
    const cat = await b.catalog();
    assert.deepEqual(cat.models?.map((m) => [m.id, m.display_name, m.available]), [
      ["m-1", "Claude X", true],
      ["m-2", "GPT Y", false],
    ]);
  });

  await t.step("extras: cost when reported, {} on 404", async () => {
    const ok = backend(() => ({
      status: 200,
      body: conform("chat_cost", {
        chat_id: ID1,
        total_cost_micros: 1_234_500,
        request_count: 7,
        unpriced_request_count: 2,
      }),
    }));
    assert.deepEqual(await ok.b.extras(agent()), {
      cost: { total_usd: 1.2345, requests: 7, unpriced_requests: 2 },
    });
    const none = backend(() => undefined);
    assert.deepEqual(await none.b.extras(agent()), {});
  });

  await t.step("extras: the chat a list made is not asked for again", async () => {
    const { b, seen } = backend((req) =>
      is(req, "GET", "/api/v2/chats")
        ? { status: 200, body: [chatBody({ last_model_config_id: "cfg-gone" })] }
        : undefined
    );
    const [a] = await b.list({});
    // A model the catalog does not hold is named by its config id.
    assert.deepEqual(await b.extras(a), { model: "cfg-gone" });
    assert.equal(seen.filter((r) => r.url.pathname === `/api/v2/chats/${ID1}`).length, 0);
  });

  await t.step("extras: a failed part is left out; a cancelled call is the abort", async () => {
    const { b } = backend((req) =>
      req.url.pathname.endsWith("/cost")
        ? { status: 500, body: { message: "Internal error." } }
        : is(req, "GET", `/api/v2/chats/${ID1}`)
        ? { status: 200, body: chatBody({ last_model_config_id: "cfg-1" }) }
        : undefined
    );
    assert.deepEqual(await b.extras(agent()), { model: "cfg-1" });
    const stop = new AbortController();
    stop.abort();
    await assert.rejects(
      b.extras(agent(), stop.signal),
      (e) => e instanceof CoderError && e.kind === "aborted",
    );
  });
});
