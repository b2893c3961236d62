/**
 * A Coder task as a fleet agent (`backends/tasks/mapping.ts`): every field, its fallbacks and
 * caps, and a task's whole log paged locally.
 */
import assert from "node:assert/strict";
import { normalizeTask, TaskWire } from "../../../src/backends/tasks/api.ts";
import {
  LOG_TEXT_CAP,
  pageTaskLogs,
  PROMPT_CAP,
  taskSummary,
  taskToAgent,
} from "../../../src/backends/tasks/mapping.ts";
import type { Agent } from "../../../src/model/agent.ts";

const ID = "aaaaaaaa-0000-4000-8000-000000000001";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const ctx = { dashboardUrl: "https://coder.example", now: () => NOW };

const task = (over: Record<string, unknown> = {}) =>
  normalizeTask(TaskWire.parse({
    id: ID,
    name: "fix-login",
    owner_name: "alice",
    status: "active",
    current_state: { state: "idle", message: "done", timestamp: "2026-03-01T11:30:00Z" },
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T11:00:00Z",
    ...over,
  }));

Deno.test("task mapping: the agent's fields", () => {
  const a = taskToAgent(
    task({
      template_name: "claude-code",
      workspace_name: "alice-fix-login",
      initial_prompt: "Fix the login bug",
      organization_id: "0f000000-0000-4000-8000-000000000000",
    }),
    ctx,
  );
  assert.deepEqual(a, {
    id: ID,
    kind: "task",
    name: "fix-login",
    owner: "alice",
    state: "idle",
    detail: "active/idle",
    message: "done",
    created_at: "2026-03-01T10:00:00.000Z",
    updated_at: "2026-03-01T11:00:00.000Z",
    state_since: "2026-03-01T11:30:00.000Z",
    url: `https://coder.example/tasks/alice/${ID}`,
    labels: {},
    pr: null,
    waiting_for: "reply",
    template: "claude-code",
    workspace: "alice-fix-login",
    prompt: "Fix the login bug",
    organization_id: "0f000000-0000-4000-8000-000000000000",
  });
});

Deno.test("task mapping: names, owners, templates and workspaces fall back, capped", () => {
  const a = (over: Record<string, unknown>) => taskToAgent(task(over), ctx);
  assert.equal(a({ name: "", display_name: "Fix login" }).name, "Fix login");
  assert.equal(a({ name: "", display_name: null }).name, ID);
  assert.equal(a({ name: "n".repeat(250) }).name, "n".repeat(199) + "…");
  const byId = a({ owner_name: "", owner_id: "0b000000-0000-4000-8000-000000000000" });
  assert.equal(byId.owner, "0b000000-0000-4000-8000-000000000000");
  assert.equal(a({ owner_name: "o".repeat(150) }).owner, "o".repeat(99) + "…");
  // No owner at all: the link names the caller ("me"); an odd owner is encoded.
  const none = a({ owner_name: null, owner_id: null });
  assert.equal(none.owner, "");
  assert.equal(none.url, `https://coder.example/tasks/me/${ID}`);
  assert.equal(a({ owner_name: "a b/c" }).url, `https://coder.example/tasks/a%20b%2Fc/${ID}`);
  assert.equal(a({ template_display_name: "Claude Code" }).template, "Claude Code");
  assert.equal(a({ template_name: "t".repeat(250) }).template, "t".repeat(199) + "…");
  assert.equal("template" in a({}), false);
  const ws = "0c000000-0000-4000-8000-000000000000";
  assert.equal(a({ workspace_id: ws }).workspace, ws);
  assert.equal(a({ workspace_name: "w".repeat(250) }).workspace, "w".repeat(199) + "…");
  assert.equal("workspace" in a({}), false);
  assert.equal("prompt" in a({}), false);
  assert.equal("organization_id" in a({}), false);
  assert.equal(
    a({ initial_prompt: "p".repeat(PROMPT_CAP + 100) }).prompt,
    "p".repeat(PROMPT_CAP - 1) + "…",
  );
  assert.equal(a({ initial_prompt: "p".repeat(PROMPT_CAP) }).prompt, "p".repeat(PROMPT_CAP));
});

Deno.test("task mapping: times fall back to each other; since as the state says", () => {
  const a = (over: Record<string, unknown>) => taskToAgent(task(over), ctx);
  const noUpdate = a({ updated_at: null, current_state: null, status: "paused" });
  assert.equal(noUpdate.created_at, "2026-03-01T10:00:00.000Z");
  assert.equal(noUpdate.updated_at, "2026-03-01T10:00:00.000Z");
  assert.equal(noUpdate.state_since, "2026-03-01T10:00:00.000Z");
  const noCreate = a({ created_at: "later", current_state: null, status: "paused" });
  assert.equal(noCreate.created_at, "2026-03-01T11:00:00.000Z");
  assert.equal(noCreate.updated_at, "2026-03-01T11:00:00.000Z");
  assert.equal(noCreate.state_since, "2026-03-01T11:00:00.000Z");
  const none = a({ created_at: null, updated_at: null, current_state: null, status: "paused" });
  assert.equal(none.created_at, "1970-01-01T00:00:00.000Z");
  assert.equal(none.state_since, "1970-01-01T00:00:00.000Z");
  // since the state's own time, the update, or the creation, as the state says.
  const paused = a({ status: "paused", current_state: null });
  assert.equal(paused.state_since, "2026-03-01T11:00:00.000Z");
  assert.equal(a({}).state_since, "2026-03-01T11:30:00.000Z");
  const s = taskSummary(task({}), ctx);
  assert.equal(s.since, Date.parse("2026-03-01T11:30:00Z"));
  assert.equal(s.owner, "alice");
  assert.equal(s.prState, null);
});

Deno.test("task mapping: every agent built is told to onAgent, with its task", () => {
  const seen: [Agent, string][] = [];
  const s = taskSummary(task(), ctx, (a, t) => seen.push([a, t.id]));
  assert.equal(seen.length, 0);
  const a = s.agent();
  assert.deepEqual(seen, [[a, ID]]);
});

Deno.test("pageTaskLogs: roles, capped text, and limits below 1 or fractional", () => {
  const entries = [
    { id: 1, type: "input" as const, content: "go", time: "2026-03-01T11:00:00+01:00" },
    { id: 2, type: "output" as const, content: "x".repeat(LOG_TEXT_CAP + 50), time: "bad" },
    { id: 3, type: "output" as const, content: "line  \n\n\n\nnext", time: "2026-03-01T11:00:00Z" },
  ];
  const all = pageTaskLogs(entries, { limit: 10 });
  assert.deepEqual(all.messages.map((m) => [m.id, m.role]), [[1, "user"], [2, "agent"], [
    3,
    "agent",
  ]]);
  assert.equal(all.messages[0].time, "2026-03-01T10:00:00.000Z");
  assert.equal(all.messages[1].time, "");
  assert.equal(all.messages[1].text, "x".repeat(LOG_TEXT_CAP - 1) + "…");
  assert.equal(all.messages[2].text, "line\n\nnext");
  assert.deepEqual([all.has_older, all.has_newer], [false, false]);
  assert.deepEqual(pageTaskLogs(entries, { limit: 1.9 }).messages.map((m) => m.id), [3]);
  assert.deepEqual(pageTaskLogs(entries, { limit: -2 }).messages, []);
  assert.deepEqual(pageTaskLogs(entries, { limit: -2, after_id: 1 }).messages, []);
  assert.deepEqual(pageTaskLogs(entries, { limit: 2, after_id: 1 }).messages.map((m) => m.id), [
    2,
    3,
  ]);
  const one = pageTaskLogs(entries, { limit: 1, before_id: 3 });
  assert.deepEqual(one.messages.map((m) => m.id), [2]);
  assert.deepEqual([one.has_older, one.has_newer], [true, true]);
  const newest = pageTaskLogs(entries, { limit: 1 });
  assert.deepEqual([newest.messages.map((m) => m.id), newest.has_older, newest.has_newer], [
    [3],
    true,
    false,
  ]);
});

Deno.test("pageTaskLogs: an empty page before a cursor says what lies on each side", () => {
  const entries = [0, 1, 2].map((id) => ({
    id,
    type: "output" as const,
    content: `m${id}`,
    time: "2026-03-01T11:00:00Z",
  }));
  const edges = (before_id: number) => {
    const p = pageTaskLogs(entries, { limit: 0, before_id });
    return [p.messages.length, p.has_older, p.has_newer];
  };
  assert.deepEqual(edges(0), [0, false, true], "before the oldest: nothing older");
  assert.deepEqual(edges(2), [0, true, true]);
  assert.deepEqual(edges(3), [0, true, false], "past the newest: nothing newer");
});

Deno.test("task caps: a prompt of 2,000 characters, a log message of 100,000", () => {
  // A message fits whole in get_logs' largest max_chars (100000); the tools cap further.
  assert.deepEqual([PROMPT_CAP, LOG_TEXT_CAP], [2_000, 100_000]);
});
