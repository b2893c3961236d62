import assert from "node:assert/strict";
import {
  Chat,
  chatListSearch,
  ChatMessagesResponse,
  ChatModelsResponse,
  createChat,
  CreateChatMessageResponse,
  getChat,
  getChatCost,
  interruptChat,
  listChatMessages,
  listChatModels,
  listChats,
  qTerm,
  sendChatMessage,
  updateChat,
} from "../../../src/backends/chats/api.ts";
import { CoderClient, CoderError } from "../../../src/coder/http.ts";
import { sentJson } from "../../coder/local_server.ts";
import { conform } from "../../fixtures/chats/schemas.ts";

const CHAT_ID = "3f1c2a4e-8d7b-4c1a-9e2f-1a2b3c4d5e6f";
const ORG_ID = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e";
const TOKEN = "secret-session-token-xyz";

/**
 * A chat body in Coder v2.39's codersdk.Chat shape, with its optional fields filled in (checked
 * against the contract's schema: `omitempty` fields are left out when empty, never null).
 */
const V239_CHAT = conform("chat", {
  agent_id: "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
  archived: false,
  build_id: "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
  children: [],
  client_type: "ui",
  created_at: "2026-03-01T10:00:00.123456+01:00",
  diff_status: {
    chat_id: CHAT_ID,
    url: "https://github.com/acme/webapp/pull/412",
    pull_request_state: "open",
    pull_request_title: "Fix flaky test",
    pull_request_draft: false,
    changes_requested: false,
    additions: 120,
    deletions: 8,
    changed_files: 3,
    pr_number: 412,
  },
  has_unread: false,
  id: CHAT_ID,
  labels: { team: "infra", ticket: "OPS-12" },
  last_model_config_id: "7e6d5c4b-3a29-4181-8f7e-6d5c4b3a2918",
  last_turn_summary: "Fixed the flaky test",
  mcp_server_ids: [],
  organization_id: ORG_ID,
  owner_id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  owner_name: "Alice Example",
  owner_username: "alice",
  pin_order: 0,
  shared: false,
  status: "waiting",
  summary: null,
  title: "Fix flaky test",
  updated_at: "2026-03-01T10:05:00.5+01:00",
  workspace_id: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
});

/** {@link V239_CHAT} with some fields changed (tolerance cases change it beyond Coder's shape). */
function swaggerChat(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...V239_CHAT, ...over };
}

interface Seen {
  method: string;
  url: URL;
  body: unknown;
  token: string | null;
}

/** A fetch stub: records each request and answers with `reply`. */
function stub(reply: (req: Seen) => { status: number; body?: unknown }) {
  const seen: Seen[] = [];
  const fetchStub = async (input: string | URL | Request, init?: RequestInit) => {
    const req: Seen = {
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      body: await sentJson(init),
      token: new Headers(init?.headers).get("Coder-Session-Token"),
    };
    seen.push(req);
    const { status, body } = reply(req);
    const text = body === undefined ? null : JSON.stringify(body);
    return Promise.resolve(
      new Response(text, {
        status,
        headers: text === null ? {} : { "Content-Type": "application/json; charset=utf-8" },
      }),
    );
  };
  const client = new CoderClient({
    url: "http://coder.test",
    token: TOKEN,
    fetch: fetchStub as typeof fetch,
    retries: 0,
  });
  return { client, seen };
}

Deno.test("Chat schema", async (t) => {
  await t.step("parses a chat in v2.39's shape", () => {
    const chat = Chat.parse(swaggerChat());
    assert.equal(chat.id, CHAT_ID);
    assert.equal(chat.status, "waiting");
    assert.equal(chat.owner_username, "alice");
    assert.deepEqual(chat.labels, { team: "infra", ticket: "OPS-12" });
    assert.equal(chat.workspace_id, "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a");
    assert.equal(chat.parent_chat_id, undefined);
  });

  await t.step("keeps unknown fields and accepts a minimal chat", () => {
    const chat = Chat.parse({ id: CHAT_ID, brand_new_field: { x: 1 } });
    assert.equal((chat as Record<string, unknown>).brand_new_field !== undefined, true);
    assert.deepEqual(chat.labels, {});
    assert.equal(chat.title, undefined);
    assert.equal(chat.workspace_id, undefined);
  });

  await t.step("accepts null labels, NullUUID ids, string errors and odd statuses", () => {
    const chat = Chat.parse(swaggerChat({
      labels: null,
      workspace_id: { uuid: "00000000-0000-0000-0000-000000000000", valid: false },
      agent_id: { uuid: "11111111-2222-4333-8444-555555555555", valid: true },
      last_error: "provider overloaded",
      status: "brand_new_status",
    }));
    assert.deepEqual(chat.labels, {});
    assert.equal(chat.workspace_id, undefined);
    assert.equal(chat.agent_id, "11111111-2222-4333-8444-555555555555");
    assert.equal(chat.last_error, "provider overloaded");
    assert.equal(chat.status, "brand_new_status");
  });

  await t.step("parses a ChatError object", () => {
    const chat = Chat.parse(swaggerChat({
      status: "error",
      last_error: { kind: "rate_limit", message: "Too many requests", retryable: true },
    }));
    assert.deepEqual(
      typeof chat.last_error === "object" ? chat.last_error?.message : undefined,
      "Too many requests",
    );
  });

  await t.step("rejects a chat without an id", () => {
    assert.equal(Chat.safeParse({ title: "x" }).success, false);
  });
});

Deno.test("ChatMessagesResponse schema", async (t) => {
  await t.step("parses messages with parts, queued messages and has_more", () => {
    const res = ChatMessagesResponse.parse(conform("chat_messages", {
      has_more: true,
      messages: [
        {
          id: 42,
          chat_id: CHAT_ID,
          role: "assistant",
          created_at: "2026-03-01T10:01:00Z",
          content: [
            { type: "text", text: "Looking" },
            { type: "tool-call", tool_name: "execute", tool_call_id: "c1", args: { cmd: "ls" } },
          ],
          usage: { input_tokens: 10, output_tokens: 3 },
        },
        {
          id: 41,
          chat_id: CHAT_ID,
          role: "user",
          created_at: "2026-03-01T10:00:00Z",
          content: [{ type: "text", text: "go" }],
        },
      ],
      queued_messages: [{
        id: 7,
        chat_id: CHAT_ID,
        content: [{ type: "text", text: "next" }],
        created_at: "2026-03-01T10:01:30Z",
      }],
    }));
    assert.equal(res.has_more, true);
    assert.deepEqual(res.messages.map((m) => m.id), [42, 41]);
    assert.equal(res.messages[0].content[1].tool_name, "execute");
    assert.deepEqual(res.messages[0].content[1].args, { cmd: "ls" });
    assert.equal(res.queued_messages[0].content[0].text, "next");
  });

  await t.step("missing lists, null content and a string content are tolerated", () => {
    const res = ChatMessagesResponse.parse({
      messages: [{ id: "5", role: "user", content: "plain" }, { id: 6, content: null }],
    });
    assert.deepEqual(res.queued_messages, []);
    assert.equal(res.has_more, undefined);
    assert.equal(res.messages[0].id, 5);
    assert.deepEqual(res.messages[0].content, [{ type: "text", text: "plain" }]);
    assert.deepEqual(res.messages[1].content, []);
  });

  await t.step("a bare array of messages is accepted", () => {
    const res = ChatMessagesResponse.parse([{ id: 1, role: "user", content: [] }]);
    assert.equal(res.messages.length, 1);
  });
});

Deno.test("CreateChatMessageResponse and models schemas", async (t) => {
  await t.step("queued send", () => {
    const res = CreateChatMessageResponse.parse(conform("send_response", {
      queued: true,
      queued_message: {
        id: 3,
        chat_id: CHAT_ID,
        content: [{ type: "text", text: "hi" }],
        created_at: "2026-03-01T10:01:30Z",
      },
    }));
    assert.equal(res.queued, true);
    assert.equal(res.queued_message?.id, 3);
  });

  await t.step("an empty body reads as not queued", () => {
    assert.equal(CreateChatMessageResponse.parse(undefined).queued, undefined);
  });

  await t.step("sendChatMessage: a receipt, or a malformed one, read as such", async () => {
    const receipt = { request_id: "r-1", state: "accepted", queued_message_id: 7 };
    const good = stub(() => ({ status: 202, body: receipt }));
    const res = await sendChatMessage(good.client, "/api/v2", CHAT_ID, {
      content: [{ type: "text", text: "a" }],
      request_id: "r-1",
    });
    assert.equal(res.receipt?.request_id, "r-1");
    assert.equal(res.queued, true);
    // Receipt-shaped (a request_id and a state), but its id is no string: not a receipt Coder
    // could have meant, so the answer is refused as malformed, never taken for a send.
    const bad = stub(() => ({ status: 202, body: { ...receipt, id: 5 } }));
    const err = await sendChatMessage(bad.client, "/api/v2", CHAT_ID, {
      content: [{ type: "text", text: "a" }],
      request_id: "r-1",
    }).catch((e) => e);
    assert.ok(err instanceof CoderError, String(err));
    assert.match(err.message, /expected string/);
    // A request_id without a state is no receipt: a message answer that echoes the key is read
    // as the message answer it is.
    const echoed = stub(() => ({ status: 200, body: { request_id: "r-2", queued: true } }));
    const plain = await sendChatMessage(echoed.client, "/api/v2", CHAT_ID, {
      content: [{ type: "text", text: "a" }],
      request_id: "r-2",
    });
    assert.equal(plain.receipt, undefined);
    assert.equal(plain.queued, true);
    // Nor is a state without a request_id.
    for (const body of [{ state: "accepted", queued: false }]) {
      const other = stub(() => ({ status: 200, body }));
      const read = await sendChatMessage(other.client, "/api/v2", CHAT_ID, {
        content: [{ type: "text", text: "a" }],
      });
      assert.equal(read.receipt, undefined, JSON.stringify(body));
      assert.equal(read.queued ?? false, false);
    }
  });

  // The older `/chats/models` shape (the August 2026 swagger), not v2.39's (reference §9).
  await t.step("ChatModelsResponse per the swagger", () => {
    const res = ChatModelsResponse.parse({
      providers: [{
        provider: "anthropic",
        available: true,
        models: [{ id: "m1", model: "claude-x", provider: "anthropic", display_name: "Claude X" }],
      }, { provider: "openai", available: false, unavailable_reason: "missing_api_key" }],
      unsupported_providers: [],
    });
    assert.equal(res.providers.items.length, 2);
    assert.equal(res.providers.items[0].models.items[0].id, "m1");
    assert.deepEqual(res.providers.items[1].models, { items: [], skipped: [] });
  });

  await t.step("a bare array of models is accepted", () => {
    const res = ChatModelsResponse.parse([{ id: "m2", display_name: "Model Two" }]);
    assert.equal(res.models.items[0].id, "m2");
  });
});

Deno.test("list query building", async (t) => {
  await t.step("q terms and repeated labels", () => {
    const s = chatListSearch({ terms: ["owner:alice"], labels: { team: "infra", env: "a:b" } });
    const p = new URLSearchParams(s.slice(1));
    assert.equal(s[0], "?");
    assert.equal(p.get("q"), "owner:alice");
    assert.deepEqual(p.getAll("label"), ["team:infra", "env:a:b"]);
  });

  await t.step("nothing to filter gives an empty string", () => {
    assert.equal(chatListSearch({}), "");
    assert.equal(chatListSearch({ terms: [""], labels: {} }), "");
    assert.equal(chatListSearch({ terms: ["  "] }), "", "a blank term is none");
    const two = new URLSearchParams(chatListSearch({ terms: ["a:b", " ", "c:d"] }).slice(1));
    assert.equal(two.get("q"), "a:b c:d", "terms joined by one space");
  });

  await t.step("label keys with a colon cannot be expressed and are skipped", () => {
    const p = new URLSearchParams(
      chatListSearch({ labels: { "a:b": "c", "": "empty", ok: "1" } }).slice(1),
    );
    assert.deepEqual(p.getAll("label"), ["ok:1"]);
    assert.equal(chatListSearch({ labels: { "": "x" } }), "", "an empty key is no filter");
  });

  await t.step("qTerm quotes spaces and colons, refuses double quotes", () => {
    assert.equal(qTerm("title", "fix"), "title:fix");
    assert.equal(qTerm("title", "fix the build"), 'title:"fix the build"');
    assert.equal(qTerm("title", "a:b"), 'title:"a:b"');
    assert.equal(qTerm("title", 'say "hi"'), undefined);
    assert.equal(qTerm("title", ""), undefined);
  });
});

Deno.test("chat HTTP functions", async (t) => {
  await t.step("listChats sends q and repeated label params", async () => {
    const { client, seen } = stub(() => ({ status: 200, body: [swaggerChat()] }));
    const { chats } = await listChats(client, "/api/v2", {
      terms: ['title:"fix flaky"'],
      labels: { team: "infra", ticket: "OPS-12" },
    });
    assert.equal(chats.length, 1);
    assert.equal(seen[0].url.pathname, "/api/v2/chats");
    assert.equal(seen[0].url.searchParams.get("q"), 'title:"fix flaky"');
    assert.deepEqual(seen[0].url.searchParams.getAll("label"), ["team:infra", "ticket:OPS-12"]);
    assert.equal(seen[0].token, TOKEN);
  });

  await t.step("listChats: concurrent lists of different queries are not merged", async () => {
    const { client, seen } = stub((req) => ({
      status: 200,
      body: [swaggerChat({ title: req.url.searchParams.get("q") ?? "none" })],
    }));
    const [a, b] = await Promise.all([
      listChats(client, "/api/v2", { terms: ["owner:alice"] }),
      listChats(client, "/api/v2", { terms: ["owner:bob"] }),
    ]);
    assert.equal(seen.length, 2);
    assert.equal(a.chats[0].title, "owner:alice");
    assert.equal(b.chats[0].title, "owner:bob");
  });

  await t.step("listChats: a malformed chat is skipped and named as a chat", async () => {
    const { client } = stub(() => ({ status: 200, body: [swaggerChat(), { title: "no id" }] }));
    const { chats, skipped } = await listChats(client, "/api/v2");
    assert.equal(chats.length, 1);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0], /^chat\b/);
  });

  await t.step("a chat id that cannot be a path segment is refused by name", async () => {
    const { client, seen } = stub(() => ({ status: 200, body: swaggerChat() }));
    await assert.rejects(getChat(client, "/api/v2", "../users"), /chat id/);
    assert.equal(seen.length, 0);
  });

  await t.step("createChat posts the request body", async () => {
    const { client, seen } = stub(() => ({
      status: 201,
      body: swaggerChat({ status: "running" }),
    }));
    const { chat } = await createChat(client, "/api/experimental", {
      organization_id: ORG_ID,
      content: [{ type: "text", text: "do it" }],
      labels: { a: "b" },
    });
    assert.equal(chat?.status, "running");
    assert.equal(seen[0].method, "POST");
    assert.equal(seen[0].url.pathname, "/api/experimental/chats");
    assert.deepEqual(seen[0].body, {
      organization_id: ORG_ID,
      content: [{ type: "text", text: "do it" }],
      labels: { a: "b" },
    });
  });

  // A create Coder took (201) whose answer is not a chat: the chat may exist, so the error is
  // uncertain and says what was wrong with the answer; never a chat made up from it.
  await t.step(
    "createChat: an answer that is no chat, or a bad receipt, is refused by why",
    async () => {
      const create = async (body: unknown, request_id?: string) => {
        const { client } = stub(() => ({ status: 201, body }));
        const req = { content: [{ type: "text" as const, text: "do it" }], request_id };
        return await createChat(client, "/api/v2", req).catch((e) => e);
      };
      const noId = await create({ title: "x", status: "running" });
      assert.ok(noId instanceof CoderError, String(noId));
      assert.equal(noId.kind, "uncertain");
      assert.match(noId.message, /not understood: body: .*expected string/);
      const badSub = await create(
        swaggerChat({ submission: { request_id: 5, state: "x" } }),
        "r-1",
      );
      assert.ok(badSub instanceof CoderError, String(badSub));
      assert.match(badSub.message, /not understood: body: submission: .*expected string/);
      const badReceipt = await create({ request_id: "r-1", state: "accepted", id: 5 }, "r-1");
      assert.ok(badReceipt instanceof CoderError, String(badReceipt));
      assert.match(badReceipt.message, /not understood: body: .*expected string/);
      // The same answers, well formed, are read.
      const ok = await create(
        swaggerChat({ submission: { request_id: "r-1", state: "accepted" } }),
      );
      assert.equal(ok.chat?.id, CHAT_ID);
      assert.equal(ok.receipt?.state, "accepted");
      const bare = await create({ request_id: "r-1", state: "accepted", chat_id: CHAT_ID }, "r-1");
      assert.equal(bare.chat, undefined);
      assert.equal(bare.receipt?.chat_id, CHAT_ID);
    },
  );

  // The documented statuses: 201 for a create, 200 for a send; 200/202 too only with a
  // request_id (newer Coder's receipts). Anything else from a write is uncertain, not success.
  await t.step("writes: only the documented success statuses pass", async () => {
    const chatBody = swaggerChat({ status: "running" });
    const create = (status: number, request_id?: string) =>
      createChat(stub(() => ({ status, body: chatBody })).client, "/api/v2", {
        content: [{ type: "text", text: "go" }],
        request_id,
      }).catch((e) => e);
    assert.equal((await create(201)).chat?.id, CHAT_ID);
    const undocumented = await create(200);
    assert.ok(undocumented instanceof CoderError, String(undocumented));
    assert.equal(undocumented.kind, "uncertain");
    assert.match(undocumented.message, /where 201 is documented/);
    assert.equal((await create(200, "r-1")).chat?.id, CHAT_ID);
    assert.equal((await create(202, "r-1")).chat?.id, CHAT_ID);
    const send = (status: number, request_id?: string) =>
      sendChatMessage(
        stub(() => ({ status, body: { queued: false } })).client,
        "/api/v2",
        CHAT_ID,
        { content: [{ type: "text", text: "a" }], request_id },
      ).catch((e) => e);
    assert.equal((await send(200)).queued, false);
    const accepted = await send(202);
    assert.ok(accepted instanceof CoderError, String(accepted));
    assert.match(accepted.message, /where 200 is documented/);
    assert.equal((await send(202, "r-1")).queued, false);
  });

  await t.step("sendChatMessage: a malformed answer or submission is refused by why", async () => {
    const send = async (body: unknown) => {
      const { client } = stub(() => ({ status: 200, body }));
      const req = { content: [{ type: "text" as const, text: "a" }] };
      return await sendChatMessage(client, "/api/v2", CHAT_ID, req).catch((e) => e);
    };
    const badSub = await send({ queued: false, submission: { request_id: "r", state: 3 } });
    assert.ok(badSub instanceof CoderError, String(badSub));
    assert.match(badSub.message, /not understood: body: submission: .*expected string/);
    const badQueued = await send({ queued: "yes" });
    assert.ok(badQueued instanceof CoderError, String(badQueued));
    assert.match(badQueued.message, /not understood: body: .*expected boolean/);
    assert.equal((await send(null)).queued, undefined, "a null answer is a plain send");
    const ok = await send({ queued: false, submission: { request_id: "r", state: "accepted" } });
    assert.equal(ok.receipt?.state, "accepted");
    assert.equal(ok.queued, false);
  });

  await t.step("getChat, updateChat (204) and interruptChat", async () => {
    const { client, seen } = stub((req) =>
      req.method === "PATCH" ? { status: 204 } : { status: 200, body: swaggerChat() }
    );
    assert.equal((await getChat(client, "/api/v2", CHAT_ID)).id, CHAT_ID);
    await updateChat(client, "/api/v2", CHAT_ID, { archived: true });
    assert.equal((await interruptChat(client, "/api/v2", CHAT_ID))?.id, CHAT_ID);
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url.pathname}`), [
      `GET /api/v2/chats/${CHAT_ID}`,
      `PATCH /api/v2/chats/${CHAT_ID}`,
      `POST /api/v2/chats/${CHAT_ID}/interrupt`,
    ]);
    assert.deepEqual(seen[1].body, { archived: true });
  });

  await t.step("listChatMessages sends the cursor and limit", async () => {
    const { client, seen } = stub(() => ({
      status: 200,
      body: conform("chat_messages", { messages: [], queued_messages: [], has_more: false }),
    }));
    const res = await listChatMessages(client, "/api/v2", CHAT_ID, { before_id: 90, limit: 20 });
    assert.equal(res.has_more, false);
    assert.equal(seen[0].url.pathname, `/api/v2/chats/${CHAT_ID}/messages`);
    assert.equal(seen[0].url.searchParams.get("before_id"), "90");
    assert.equal(seen[0].url.searchParams.get("limit"), "20");
    assert.equal(seen[0].url.searchParams.has("after_id"), false);
  });

  await t.step("sendChatMessage includes busy_behavior only when given", async () => {
    const { client, seen } = stub(() => ({
      status: 200,
      body: conform("send_response", { queued: false }),
    }));
    await sendChatMessage(client, "/api/v2", CHAT_ID, {
      content: [{ type: "text", text: "a" }],
      busy_behavior: "interrupt",
    });
    await sendChatMessage(client, "/api/v2", CHAT_ID, { content: [{ type: "text", text: "b" }] });
    assert.deepEqual(seen[0].body, {
      content: [{ type: "text", text: "a" }],
      busy_behavior: "interrupt",
    });
    assert.deepEqual(seen[1].body, { content: [{ type: "text", text: "b" }] });
  });

  // The older `/chats/models` shape (the August 2026 swagger), not v2.39's (reference §9).
  await t.step("listChatModels reads providers", async () => {
    const { client, seen } = stub(() => ({
      status: 200,
      body: { providers: [{ provider: "p", available: true, models: [{ id: "m" }] }] },
    }));
    const res = await listChatModels(client, "/api/v2");
    assert.equal(res.providers.items[0].models.items[0].id, "m");
    assert.equal(seen[0].url.pathname, "/api/v2/chats/models");
  });

  await t.step("getChatCost returns the cost, or null on 404", async () => {
    const ok = stub(() => ({
      status: 200,
      body: conform("chat_cost", {
        chat_id: CHAT_ID,
        total_cost_micros: 1_250_000,
        request_count: 4,
        unpriced_request_count: 1,
      }),
    }));
    const cost = await getChatCost(ok.client, "/api/v2", CHAT_ID);
    assert.equal(cost?.total_cost_micros, 1_250_000);
    assert.equal(ok.seen[0].url.pathname, `/api/v2/chats/${CHAT_ID}/cost`);
    const missing = stub(() => ({
      status: 404,
      body: conform("error", { message: "Route not found." }),
    }));
    assert.equal(await getChatCost(missing.client, "/api/v2", CHAT_ID), null);
    // Only a 404 means "not reported": a refusal is the caller's to see, never a silent null.
    const denied = stub(() => ({ status: 403, body: conform("error", { message: "Forbidden." }) }));
    const err = await getChatCost(denied.client, "/api/v2", CHAT_ID).catch((e) => e);
    assert.ok(err instanceof CoderError, String(err));
    assert.equal(err.status, 403);
  });

  await t.step("other errors surface as CoderError without the token", async () => {
    const { client } = stub(() => ({
      status: 400,
      body: conform("error", { message: "Cannot send messages to an archived chat." }),
    }));
    const err = await sendChatMessage(client, "/api/v2", CHAT_ID, {
      content: [{ type: "text", text: "x" }],
    }).catch((e) => e);
    assert.ok(err instanceof CoderError);
    assert.equal(err.status, 400);
    assert.equal(err.coderMessage, "Cannot send messages to an archived chat.");
    assert.equal(String(err.message).includes(TOKEN), false);
  });
});
