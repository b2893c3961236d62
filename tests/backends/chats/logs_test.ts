/**
 * A chat's conversation as log pages (`backends/chats/logs.ts`): Coder's answer, whatever it holds,
 * becomes an ascending page within the query's cursors and limit, and says truly whether there is
 * more on either side.
 */
import assert from "node:assert/strict";
import { logPage } from "../../../src/backends/chats/logs.ts";
import { ChatMessagesResponse } from "../../../src/backends/chats/wire.ts";
import type { Agent } from "../../../src/model/agent.ts";
import type { LogQuery } from "../../../src/model/backend.ts";
import { stubBackend } from "./stub.ts";

const CHAT = "11111111-1111-4111-8111-111111111111";
const agent = { id: CHAT, kind: "chat", updated_at: "2026-03-01T12:00:00.000Z" } as Agent;

/** Coder's answer holding messages `ids` (newest first, as Coder sends them). */
function answer(ids: number[], more: Record<string, unknown> = {}) {
  return ChatMessagesResponse.parse({
    messages: [...ids].sort((a, b) => b - a).map((id) => ({
      id,
      chat_id: CHAT,
      role: id % 2 ? "user" : "assistant",
      created_at: "2026-03-01T10:00:00+01:00",
      content: [{ type: "text", text: `message ${id}` }],
    })),
    queued_messages: [],
    ...more,
  });
}

const page = (ids: number[], query: LogQuery, more: Record<string, unknown> = {}) =>
  logPage(agent, query, Promise.resolve(answer(ids, more)));

Deno.test("chat logs: a page longer than the limit is cut, and says there is more", async (t) => {
  // Coder (or a proxy) may ignore `limit`; its has_more then speaks of its own page, not ours.
  await t.step("newest page: the newest `limit`, older ones left", async () => {
    const p = await page([1, 2, 3, 4, 5], { limit: 2 }, { has_more: false });
    assert.deepEqual(p.messages.map((m) => m.id), [4, 5]);
    assert.equal(p.has_older, true);
    assert.equal(p.has_newer, false);
  });
  await t.step("after a cursor: the first `limit` after it, newer ones left", async () => {
    const p = await page([3, 4, 5, 6], { after_id: 2, limit: 2 }, { has_more: false });
    assert.deepEqual(p.messages.map((m) => m.id), [3, 4]);
    assert.equal(p.has_newer, true);
    assert.equal(p.has_older, true);
  });
  await t.step("before a cursor: the newest `limit` before it", async () => {
    const p = await page([1, 2, 3, 4], { before_id: 5, limit: 3 }, { has_more: false });
    assert.deepEqual(p.messages.map((m) => m.id), [2, 3, 4]);
    assert.equal(p.has_older, true);
    assert.equal(p.has_newer, true);
  });
  await t.step("exactly `limit` messages: Coder's has_more decides", async () => {
    const p = await page([1, 2], { limit: 2 }, { has_more: false });
    assert.equal(p.has_older, false);
    assert.equal((await page([1, 2], { limit: 2 }, { has_more: true })).has_older, true);
  });
});

Deno.test("chat logs: without has_more, a full page means there may be more", async () => {
  const full = await logPage(agent, { limit: 3 }, Promise.resolve(answer([4, 5, 6])));
  assert.equal(full.has_older, true);
  const short = await logPage(agent, { limit: 3 }, Promise.resolve(answer([5, 6])));
  assert.equal(short.has_older, false);
  const forward = await logPage(agent, { after_id: 3, limit: 3 }, Promise.resolve(answer([4, 5])));
  assert.equal(forward.has_newer, false);
  assert.equal(forward.has_older, true, "message 3 and before");
  // After id 0: from the very first message, nothing older.
  const first = await logPage(agent, { after_id: 0, limit: 3 }, Promise.resolve(answer([1, 2])));
  assert.equal(first.has_older, false);
});

Deno.test("chat logs: messages outside the cursors are dropped", async () => {
  const p = await page([4, 5, 6, 7], { after_id: 5, limit: 10 }, { has_more: false });
  assert.deepEqual(p.messages.map((m) => m.id), [6, 7]);
  const q = await page([4, 5, 6, 7], { before_id: 6, limit: 10 }, { has_more: false });
  assert.deepEqual(q.messages.map((m) => m.id), [4, 5]);
  // Both cursors: the messages between them, read forward from neither end.
  const both = await page([4, 5, 6, 7], { after_id: 4, before_id: 7, limit: 10 }, {
    has_more: false,
  });
  assert.deepEqual(both.messages.map((m) => m.id), [5, 6]);
  assert.equal(both.has_newer, true, "before_id names a newer message");
});

Deno.test("chat logs: the limit is at least 1 and a whole number", async () => {
  for (const limit of [0, -3, Number.NaN]) {
    const p = await page([1, 2, 3], { limit }, { has_more: false });
    assert.deepEqual(p.messages.map((m) => m.id), [3], String(limit));
  }
  const p = await page([1, 2, 3], { limit: 2.9 }, { has_more: false });
  assert.deepEqual(p.messages.map((m) => m.id), [2, 3]);
});

Deno.test("chat logs: roles, times with a fallback, text, and queued one-liners", async () => {
  const res = ChatMessagesResponse.parse({
    messages: [
      { id: 2, chat_id: CHAT, role: "tool", created_at: "yesterday", content: [] },
      {
        id: 1,
        chat_id: CHAT,
        role: "assistant",
        created_at: "2026-03-01T10:00:00.5+01:00",
        content: [{ type: "text", text: "hi" }],
      },
    ],
    queued_messages: [{
      id: 9,
      chat_id: CHAT,
      created_at: "2026-03-01T10:00:00Z",
      content: [{ type: "text", text: "next\n" + "q".repeat(300) }],
    }],
    has_more: false,
  });
  const p = await logPage(agent, { limit: 10 }, Promise.resolve(res));
  assert.deepEqual(p.messages, [
    { id: 1, role: "agent", time: "2026-03-01T09:00:00.500Z", text: "hi" },
    { id: 2, role: "tool", time: agent.updated_at, text: "" },
  ]);
  assert.equal(p.snapshot, false);
  assert.deepEqual(p.queued, [("next " + "q".repeat(300)).slice(0, 199) + "…"]);
});

Deno.test("chat logs: Coder is asked for the query's cursors and at most 200 messages", async () => {
  const asked: URLSearchParams[] = [];
  const { b } = stubBackend((r) => {
    if (r.url.pathname !== `/api/v2/chats/${CHAT}/messages`) return undefined;
    asked.push(r.url.searchParams);
    return { status: 200, body: { messages: [], queued_messages: [], has_more: false } };
  });
  await b.logs(agent, { limit: 500, before_id: 90 });
  await b.logs(agent, { limit: 200, after_id: 7 });
  await b.logs(agent, { limit: 0 });
  assert.deepEqual(asked.map((p) => Object.fromEntries(p)), [
    { before_id: "90", limit: "200" },
    { after_id: "7", limit: "200" },
    { limit: "1" },
  ]);
});
