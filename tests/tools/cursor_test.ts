import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import { afterKey, compareAgents, decodeCursor, encodeCursor } from "../../src/tools/cursor.ts";

const mk = (i: number, ms: number): Agent => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  kind: "task",
  name: `a${i}`,
  owner: "o",
  state: "idle",
  detail: "",
  message: "",
  created_at: new Date(ms).toISOString(),
  updated_at: new Date(ms).toISOString(),
  state_since: new Date(ms).toISOString(),
  url: "",
  labels: {},
  pr: null,
  waiting_for: null,
});

Deno.test("cursor: keyset pages stay stable when agents are created between calls", () => {
  const q = { state: ["idle"], limit: 3 };
  // Two agents share a timestamp: ties are broken by id.
  let fleet = [mk(1, 1000), mk(2, 2000), mk(3, 2000), mk(4, 4000), mk(5, 5000)].sort(compareAgents);
  const page1 = fleet.slice(0, 3);
  assert.deepEqual(page1.map((a) => a.name), ["a5", "a4", "a2"]);
  const cursor = encodeCursor(page1[2], q);
  assert.ok(cursor.length < 60, cursor);
  fleet = [mk(6, 9000), ...fleet].sort(compareAgents); // a new agent arrives
  const page2 = afterKey(fleet, decodeCursor(cursor, q));
  assert.deepEqual(page2.map((a) => a.name), ["a3", "a1"], "no overlap, no skip");
});

Deno.test("cursor: bound to its query, and malformed cursors are rejected with a next step", () => {
  const c = encodeCursor(mk(1, 1000), { a: 1 });
  assert.throws(() => decodeCursor(c, { a: 2 }), /different query/);
  assert.throws(() => decodeCursor("garbage", { a: 1 }), /not valid/);
});
