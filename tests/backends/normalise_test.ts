/**
 * The list hot path validates items with plain object schemas and normalises them in code: these
 * tests pin the normalisation to what the per-field transforms did.
 */
import assert from "node:assert/strict";
import { idOf, NullableId } from "../../src/coder/ids.ts";
import { parseItems } from "../../src/coder/lists.ts";
import {
  normalizeTask,
  TaskSchema,
  TasksListSchema,
  TaskWire,
} from "../../src/backends/tasks/api.ts";
import { Chat, ChatWire, normalizeChat, stringMap } from "../../src/backends/chats/api.ts";

const ID = "6be1c63d-1ff9-48a0-a068-5760ec70f890";
const ZERO = "00000000-0000-0000-0000-000000000000";

Deno.test("idOf: every id shape Coder sends", () => {
  assert.equal(idOf(ID), ID);
  assert.equal(idOf({ uuid: ID, valid: true }), ID);
  assert.equal(idOf({ uuid: ID }), ID);
  assert.equal(idOf({ uuid: ID, valid: false }), undefined);
  assert.equal(idOf({ uuid: ZERO, valid: true }), undefined);
  assert.equal(idOf(ZERO), undefined);
  assert.equal(idOf(""), undefined);
  assert.equal(idOf(null), undefined);
  assert.equal(idOf(undefined), undefined);
  assert.equal(NullableId.parse({ uuid: ID, valid: true }), ID);
});

Deno.test("stringMap: strings kept, others JSON-encoded, null values and maps dropped", () => {
  assert.deepEqual(stringMap({ a: "x", b: 2, c: null, d: { e: true } }), {
    a: "x",
    b: "2",
    d: '{"e":true}',
  });
  assert.deepEqual(stringMap(null), {});
  assert.deepEqual(stringMap(undefined), {});
});

Deno.test("normalizeTask", async (t) => {
  const wire = {
    id: ID,
    name: "fix-it",
    display_name: "",
    owner_name: "alice",
    owner_id: null,
    workspace_id: { uuid: ID, valid: true },
    workspace_agent_id: { uuid: ZERO, valid: false },
    workspace_app_id: null,
    workspace_agent_lifecycle: "starting",
    status: "running",
    current_state: { state: "failure", timestamp: "", message: null, uri: "https://x" },
    created_at: "2026-03-01T10:00:00.123456+01:00",
    updated_at: "",
    brand_new_field: 1,
  };

  await t.step("empty strings and null become absent; ids of either shape become strings", () => {
    const task = normalizeTask(TaskWire.parse(wire));
    assert.equal(task.display_name, undefined);
    assert.equal(task.owner_id, undefined);
    assert.equal(task.updated_at, undefined);
    assert.equal(task.workspace_id, ID);
    assert.equal(task.workspace_agent_id, undefined);
    assert.equal(task.workspace_app_id, undefined);
    assert.equal(task.created_at, "2026-03-01T10:00:00.123456+01:00");
  });

  await t.step("v2.27 running with a starting agent is initializing; states normalised", () => {
    const task = normalizeTask(TaskWire.parse(wire));
    assert.equal(task.status, "initializing");
    assert.equal(task.status_raw, "running");
    assert.deepEqual(task.current_state, {
      timestamp: undefined,
      state: "failed",
      state_raw: "failure",
      message: "",
      uri: "https://x",
    });
    const ready = normalizeTask(TaskWire.parse({ ...wire, workspace_agent_lifecycle: "ready" }));
    assert.equal(ready.status, "active");
  });

  await t.step("the wire schema drops unknown fields; TaskSchema normalises the same", () => {
    assert.equal("brand_new_field" in TaskWire.parse(wire), false);
    assert.deepEqual(TaskSchema.parse(wire), normalizeTask(TaskWire.parse(wire)));
  });

  await t.step("a wrong type is still a validation failure", () => {
    assert.equal(TaskWire.safeParse({ ...wire, status: 7 }).success, false);
    assert.equal(TaskWire.safeParse({ ...wire, workspace_id: 7 }).success, false);
  });
});

Deno.test("normalizeChat", () => {
  const wire = {
    id: ID,
    title: "Fix it",
    workspace_id: { uuid: ZERO, valid: false },
    agent_id: { uuid: ID, valid: true },
    parent_chat_id: null,
    labels: { team: "infra", n: 3, gone: null },
    last_error: { message: "overloaded", extra: true },
    brand_new_field: 1,
  };
  const chat = normalizeChat(ChatWire.parse(wire));
  assert.equal(chat.workspace_id, undefined);
  assert.equal(chat.agent_id, ID);
  assert.equal(chat.parent_chat_id, undefined);
  assert.deepEqual(chat.labels, { team: "infra", n: "3" });
  assert.equal(typeof chat.last_error === "object" ? chat.last_error?.message : "", "overloaded");
  // The list's wire schema drops unknown fields; one chat (Chat) keeps them.
  assert.equal("brand_new_field" in chat, false);
  assert.equal((Chat.parse(wire) as Record<string, unknown>).brand_new_field, 1);
  assert.deepEqual(normalizeChat(ChatWire.parse({ id: ID, labels: null })).labels, {});
});

Deno.test("parseItems: a malformed item is skipped with a reason, the rest normalised", () => {
  const good = { id: ID, status: "paused" };
  const { items, skipped } = parseItems(
    [good, { id: "bad-1", status: 5 }, "not an object", { status: "active" }],
    TaskWire,
    normalizeTask,
    "task",
  );
  assert.deepEqual(items.map((x) => [x.id, x.status]), [[ID, "paused"]]);
  assert.equal(skipped.length, 3);
  assert.match(skipped[0], /^task #2 \(id bad-1\) skipped, malformed: status: /);
  assert.match(skipped[1], /^task #3 skipped, malformed: item: /);
  assert.match(skipped[2], /^task #4 skipped, malformed: id: /);
  assert.deepEqual(parseItems(null, TaskWire, normalizeTask, "task"), { items: [], skipped: [] });
});

Deno.test("TasksListSchema: a malformed answer is still an error, a malformed item a skip", () => {
  assert.equal(TasksListSchema.safeParse({ tasks: "nope" }).success, false);
  assert.equal(TasksListSchema.safeParse("nope").success, false);
  const list = TasksListSchema.parse({ tasks: [{ id: ID }, { id: 5 }], count: 2 });
  assert.equal(list.tasks.length, 1);
  assert.equal(list.count, 2);
  assert.equal(list.skipped.length, 1);
});
