/**
 * A Coder chat as a fleet agent (`backends/chats/mapping.ts`): every field, its fallbacks and caps,
 * and whose chat it is.
 */
import assert from "node:assert/strict";
import { Chat } from "../../../src/backends/chats/wire.ts";
import {
  chatSummary,
  chatToAgent,
  firstText,
  ownedBy,
} from "../../../src/backends/chats/mapping.ts";
import { USAGE_LIMIT_DETAIL } from "../../../src/backends/chats/state.ts";
import type { Agent } from "../../../src/model/agent.ts";

const ID = "11111111-1111-4111-8111-111111111111";
const ME = { id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", username: "alice" };
const NOW = Date.parse("2026-03-02T00:00:00Z");
const ctx = { dashboardUrl: "https://dash.test", now: () => NOW };

/** A chat as Coder lists it, with `over` on top. */
const chat = (over: Record<string, unknown> = {}) =>
  Chat.parse({
    id: ID,
    title: "Fix the build",
    status: "waiting",
    owner_id: ME.id,
    owner_username: "alice",
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T11:00:00Z",
    labels: {},
    ...over,
  });

Deno.test("chat mapping: the agent's fields", () => {
  const a = chatToAgent(
    chat({
      organization_id: "d0000000-0000-4000-8000-000000000000",
      workspace_id: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
      labels: { team: "infra" },
      last_turn_summary: "Ran the tests",
    }),
    ctx,
  );
  assert.deepEqual(a, {
    id: ID,
    kind: "chat",
    name: "Fix the build",
    owner: "alice",
    state: "idle",
    detail: "waiting",
    message: "Ran the tests",
    workspace: "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
    created_at: "2026-03-01T10:00:00.000Z",
    updated_at: "2026-03-01T11:00:00.000Z",
    state_since: "2026-03-01T11:00:00.000Z",
    url: `https://dash.test/agents/${ID}`,
    labels: { team: "infra" },
    pr: null,
    waiting_for: "reply",
    organization_id: "d0000000-0000-4000-8000-000000000000",
  });
});

Deno.test("chat mapping: flags only when they are so", () => {
  const plain = chatToAgent(chat({ archived: false, queued_for_capacity: false }), ctx);
  for (const key of ["archived", "queued_for_capacity", "shared", "organization_id"]) {
    assert.equal(key in plain, false, key);
  }
  const flagged = chatToAgent(chat({ archived: true, queued_for_capacity: true }), ctx);
  assert.equal(flagged.archived, true);
  assert.equal(flagged.queued_for_capacity, true);
  assert.equal(flagged.state, "starting");
});

Deno.test("chat mapping: times fall back to each other, then to now", () => {
  const noUpdate = chatToAgent(chat({ updated_at: null }), ctx);
  assert.equal(noUpdate.created_at, "2026-03-01T10:00:00.000Z");
  assert.equal(noUpdate.updated_at, "2026-03-01T10:00:00.000Z");
  assert.equal(noUpdate.state_since, "2026-03-01T10:00:00.000Z");
  const noCreate = chatToAgent(chat({ created_at: "not a time" }), ctx);
  assert.equal(noCreate.created_at, "2026-03-01T11:00:00.000Z");
  assert.equal(noCreate.updated_at, "2026-03-01T11:00:00.000Z");
  const none = chatToAgent(chat({ created_at: null, updated_at: null }), ctx);
  assert.equal(none.created_at, new Date(NOW).toISOString());
  assert.equal(none.state_since, new Date(NOW).toISOString());
  assert.equal(chatSummary(chat({ created_at: null, updated_at: null }), ctx).since, NOW);
  assert.equal(chatSummary(chat(), ctx).since, Date.parse("2026-03-01T11:00:00Z"));
});

Deno.test("chat mapping: owner, message and name fall back and are capped", () => {
  assert.equal(
    chatToAgent(chat({ owner_username: " ", owner_name: "Alice E" }), ctx).owner,
    "Alice E",
  );
  assert.equal(chatToAgent(chat({ owner_username: null, owner_name: null }), ctx).owner, ME.id);
  assert.equal(
    chatToAgent(chat({ owner_username: "o".repeat(150) }), ctx).owner,
    "o".repeat(99) + "…",
  );
  const msg = (over: Record<string, unknown>) => chatToAgent(chat(over), ctx).message;
  assert.equal(msg({ last_turn_summary: " ", summary: "The summary" }), "The summary");
  assert.equal(msg({ last_error: "Boom." }), "Boom.");
  assert.equal(msg({ last_error: { message: "Overloaded.", kind: "overloaded" } }), "Overloaded.");
  assert.equal(msg({}), "");
  assert.equal(chatToAgent(chat({ title: "t".repeat(250) }), ctx).name, "t".repeat(199) + "…");
  assert.equal(chatToAgent(chat({ title: null }), ctx).name, "");
  const labels = chatToAgent(chat({ labels: { ["k".repeat(120)]: "v".repeat(250) } }), ctx).labels;
  assert.deepEqual(labels, { ["k".repeat(99) + "…"]: "v".repeat(199) + "…" });
});

Deno.test("chat mapping: a spent budget is said only on a chat in error", () => {
  const usage = { last_error: { message: "Usage limit exceeded.", kind: "usage_limit" } };
  assert.equal(
    chatToAgent(chat({ status: "error", ...usage }), ctx).detail,
    `error; ${USAGE_LIMIT_DETAIL}`,
  );
  assert.equal(chatToAgent(chat({ status: "waiting", ...usage }), ctx).detail, "waiting");
  assert.equal(
    chatToAgent(chat({ status: "error", last_error: "usage_limit" }), ctx).detail,
    "error",
  );
});

Deno.test("chat mapping: another user's chat is marked shared, when the caller is known", () => {
  const theirs = chat({ owner_id: "99999999-9999-4999-8999-999999999999", owner_username: "bob" });
  assert.equal(chatToAgent(theirs, ctx).shared, undefined, "without me, nothing is said");
  assert.equal(chatSummary(theirs, { ...ctx, me: ME }).agent().shared, true);
  assert.equal(chatSummary(chat(), { ...ctx, me: ME }).agent().shared, undefined);
});

Deno.test("chat mapping: every agent built is told to onAgent, with its chat", () => {
  const seen: [Agent, string][] = [];
  const s = chatSummary(chat(), ctx, (a, c) => seen.push([a, c.id]));
  assert.equal(seen.length, 0, "a summary builds no agent");
  const a = s.agent();
  assert.deepEqual(seen, [[a, ID]]);
});

Deno.test("ownedBy: by owner id or username, in any case; a nameless owner name counts", () => {
  const c = chat({ owner_id: ME.id, owner_username: "Alice" });
  assert.ok(ownedBy(c, ME.id, ME), "by id");
  assert.ok(ownedBy(c, ME.id.toUpperCase(), ME), "by id, any case");
  assert.ok(ownedBy(c, "alice", ME), "by username, any case");
  assert.ok(!ownedBy(c, "bob", ME));
  // The display name counts only when Coder sent no username.
  assert.ok(ownedBy(chat({ owner_username: null, owner_name: "Ally" }), "ally", ME));
  assert.ok(!ownedBy(chat({ owner_username: null, owner_name: "Ally" }), "bob", ME));
  // A username but no id: that user's, not the caller's.
  assert.ok(!ownedBy(chat({ owner_id: null, owner_username: "bob" }), "alice", ME));
  assert.ok(ownedBy(chat({ owner_id: null, owner_username: "bob" }), "bob", ME));
  assert.ok(!ownedBy(chat({ owner_name: "Ally" }), "ally", ME));
  // No owner at all: Coder answered for the caller.
  const nameless = chat({ owner_id: null, owner_username: null, owner_name: null });
  assert.ok(ownedBy(nameless, "alice", ME));
  assert.ok(ownedBy(nameless, ME.id, ME));
  assert.ok(!ownedBy(nameless, "bob", ME));
  // Someone's id but no name: only that id.
  const idOnly = chat({ owner_username: null, owner_name: null });
  assert.ok(ownedBy(idOnly, ME.id, ME));
  assert.ok(!ownedBy(idOnly, "alice", ME));
});

Deno.test("firstText: the first value that is not blank", () => {
  assert.equal(firstText(null, "", "  ", "x", "y"), "x");
  assert.equal(firstText(undefined, null), "");
  assert.equal(firstText(), "");
});
