/**
 * The plain twins of the list item schemas (src/coder/fast_check.ts) accept exactly what zod
 * accepts and return exactly zod's value, on well-formed items, on items with fields of the wrong
 * kind, and on anything at all (fast-check, fixed seed).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { z } from "zod";
import { fastCheckOf, REJECTED } from "../../src/coder/fast_check.ts";
import { TaskWire } from "../../src/backends/tasks/wire.ts";
import { ChatWire } from "../../src/backends/chats/wire.ts";
import { parseItems } from "../../src/coder/lists.ts";

function same(schema: z.ZodType, v: unknown) {
  const fast = fastCheckOf(schema)!;
  const z1 = schema.safeParse(v);
  const f = fast(v);
  if (z1.success) {
    assert.notEqual(f, REJECTED, `zod accepts, the twin refuses: ${JSON.stringify(v)}`);
    assert.deepEqual(f, z1.data);
  } else {
    assert.equal(f, REJECTED, `zod refuses, the twin accepts: ${JSON.stringify(v)}`);
  }
}

const uuid = "3f0b5d8e-2a41-4c7e-9d3a-1b2c3d4e5f60";
const task = {
  id: uuid,
  name: "fix-bug",
  owner_name: "alice",
  workspace_id: { uuid, valid: true },
  workspace_agent_id: uuid,
  workspace_app_id: null,
  status: "active",
  current_state: { state: "idle", message: "done", timestamp: "2026-01-01T00:00:00Z", uri: "" },
  created_at: "2026-01-01T00:00:00Z",
  extra_field: { deep: [1, 2, 3] },
};
const chat = {
  id: uuid,
  title: "Refactor",
  status: "running",
  queued_for_capacity: "yes",
  archived: false,
  workspace_id: null,
  labels: { team: "a", n: 3, gone: null },
  last_error: { message: "boom", status_code: 500, retryable: true, extra: 1 },
  has_unread: true,
  children: [{ any: "thing" }],
  unknown_key: 1,
};

Deno.test("fast_check: the list item schemas compile", () => {
  assert.ok(fastCheckOf(TaskWire));
  assert.ok(fastCheckOf(ChatWire));
  // What it does not know is left to zod.
  assert.equal(fastCheckOf(z.string().min(1)), undefined);
  assert.equal(fastCheckOf(z.looseObject({ a: z.string() })), undefined);
  assert.equal(fastCheckOf(z.string().transform((s) => s.length)), undefined);
});

Deno.test("fast_check: the same answers as zod on chosen items", () => {
  for (const [schema, item] of [[TaskWire, task], [ChatWire, chat]] as const) {
    same(schema, item);
    same(schema, {});
    same(schema, null);
    same(schema, []);
    same(schema, "x");
    for (const k of Object.keys(item)) {
      for (const bad of [null, undefined, 1, "s", true, {}, [], { uuid: 1 }, Infinity]) {
        same(schema, { ...item, [k]: bad });
      }
      const { [k]: _, ...without } = item as Record<string, unknown>;
      same(schema, without);
    }
  }
  same(ChatWire, { ...chat, last_error: "a bare string" });
  // A `__proto__` label: the twin steps aside and zod decides, as it always did.
  const odd = JSON.parse(`{"id":"x","labels":{"__proto__":{"a":1}}}`);
  assert.equal(fastCheckOf(ChatWire)!(odd), REJECTED);
  assert.deepEqual(parseItems([odd], ChatWire, (w) => w, "chat").items, [ChatWire.parse(odd)]);
});

Deno.test("fast_check: the same answers as zod on anything (property)", () => {
  const value = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.constant(uuid),
    fc.record({ uuid: fc.oneof(fc.string(), fc.constant(null)), valid: fc.boolean() }),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
    fc.array(fc.integer()),
  );
  const keys = [...new Set([...Object.keys(TaskWire.shape), ...Object.keys(ChatWire.shape)])];
  const item = fc.dictionary(fc.constantFrom(...keys, "other"), value);
  fc.assert(
    fc.property(item, (v) => {
      same(TaskWire, v);
      same(ChatWire, v);
    }),
    { seed: 8, numRuns: 3000 },
  );
});

Deno.test("parseItems: the twin's items, and zod's reason for a malformed one", () => {
  const r = parseItems([task, { ...task, id: 7 }, chat], TaskWire, (w) => w.id, "task");
  assert.deepEqual(r.items, [uuid, uuid]);
  assert.equal(r.skipped.length, 1);
  assert.match(r.skipped[0], /^task #2 skipped, malformed: id: /);
});

Deno.test("fast_check: an uncompilable part anywhere leaves the whole schema to zod", () => {
  const odd = z.string().min(1);
  for (
    const schema of [
      z.union([z.string(), odd]),
      z.union([odd, z.number()]),
      z.array(odd),
      z.record(z.string(), odd),
      z.record(z.string().min(1), z.string()),
      z.object({ a: z.string(), b: odd }),
      z.object({ a: z.object({ b: odd }) }),
      z.string().optional().pipe(z.string()),
    ]
  ) {
    assert.equal(fastCheckOf(schema), undefined, `compiled ${schema.def.type}`);
  }
  // Asked again, the answer is the one remembered.
  const arr = z.array(odd);
  assert.equal(fastCheckOf(arr), undefined);
  assert.equal(fastCheckOf(arr), undefined);
});

Deno.test("fast_check: arrays, records and unions of checked kinds answer as zod does", () => {
  const schemas = [
    z.array(z.number()),
    z.array(z.union([z.string(), z.boolean()])),
    z.record(z.string(), z.number()),
    z.record(z.string(), z.array(z.string().nullable())),
    z.union([z.number(), z.object({ a: z.string() })]),
    z.object({ list: z.array(z.number()).optional(), map: z.record(z.string(), z.boolean()) }),
  ];
  for (const s of schemas) assert.ok(fastCheckOf(s), `${s.def.type} compiles`);
  const cases: unknown[] = [
    [],
    [1, 2, 3],
    [1, "2", 3],
    ["a", true, null],
    ["a", false],
    [Infinity],
    {},
    { a: 1, b: 2 },
    { a: 1, b: "2" },
    { a: ["x", null], b: [] },
    { a: ["x", 1] },
    { a: "s" },
    { a: 1 },
    { list: [1, 2], map: { x: true } },
    { list: [1, "2"], map: {} },
    { map: { x: 1 } },
    { map: { x: true }, extra: 1 },
    7,
    "s",
    null,
  ];
  for (const s of schemas) for (const v of cases) same(s, v);
  // One bad item or value rejects the whole, not just that item.
  assert.equal(fastCheckOf(z.array(z.number()))!([1, "x", 3]), REJECTED);
  assert.equal(fastCheckOf(z.record(z.string(), z.number()))!({ a: 1, b: "x" }), REJECTED);
});

Deno.test("parseItems: a reason names a safe string id only, says where, and stays short", () => {
  const Item = z.object({ id: z.string(), a: z.object({ b: z.string() }) });
  const ok = { id: "ok-1", a: { b: "x" } };
  const r = parseItems(
    [
      null,
      7,
      { id: 7, a: { b: "x" } },
      { id: "no spaces please", a: {} },
      { id: "x".repeat(65), a: {} },
      { id: "safe_ID-9", a: { b: 1 } },
      ok,
    ],
    Item,
    (w) => w.id,
    "thing",
  );
  assert.deepEqual(r.items, ["ok-1"]);
  assert.deepEqual(r.skipped, [
    "thing #1 skipped, malformed: item: Invalid input: expected object, received null",
    "thing #2 skipped, malformed: item: Invalid input: expected object, received number",
    "thing #3 skipped, malformed: id: Invalid input: expected string, received number",
    "thing #4 skipped, malformed: a.b: Invalid input: expected string, received undefined",
    "thing #5 skipped, malformed: a.b: Invalid input: expected string, received undefined",
    "thing #6 (id safe_ID-9) skipped, malformed: a.b: Invalid input: expected string, received number",
  ]);
  // zod's words are cut at 120 characters.
  const long = z.object({ id: z.string({ error: "w".repeat(300) }) });
  const cut = parseItems([{ id: 1 }], long, (w) => w, "thing").skipped[0];
  assert.equal(cut, `thing #1 skipped, malformed: id: ${"w".repeat(120)}`);
});

Deno.test("parseItems: a schema without a plain twin: each item once, the malformed skipped", () => {
  const Item = z.object({ id: z.string() }).transform((w) => w.id.toUpperCase());
  assert.equal(fastCheckOf(Item), undefined);
  let seen = 0;
  const norm = (w: string) => (seen++, w);
  assert.deepEqual(parseItems([{ id: "a" }, { id: "b" }], Item, norm, "x"), {
    items: ["A", "B"],
    skipped: [],
  });
  assert.equal(seen, 2, "each item normalised once");
  const r = parseItems([{ id: "a" }, { id: 1 }, { id: "c" }], Item, norm, "x");
  assert.deepEqual(r.items, ["A", "C"]);
  assert.deepEqual(r.skipped, [
    "x #2 skipped, malformed: id: Invalid input: expected string, received number",
  ]);
  assert.equal(seen, 4);
});
