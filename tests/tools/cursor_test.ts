import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import type { FleetError } from "../../src/model/backend.ts";
import {
  afterKey,
  compareAgents,
  decodeCursor,
  encodeCursor,
  fingerprint,
} from "../../src/tools/cursor.ts";
import { anAgent, fixtureId } from "../agent_fixture.ts";

const mk = (i: number, ms: number): Agent => {
  const at = new Date(ms).toISOString();
  return anAgent({
    id: fixtureId(i),
    name: `a${i}`,
    owner: "o",
    created_at: at,
    updated_at: at,
    state_since: at,
  });
};

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

Deno.test("cursor: its three parts, and each malformed form refused with the same words", () => {
  const a = mk(7, Date.parse("2026-01-02T03:04:05.678Z"));
  const c = encodeCursor(a, { q: 1 });
  const [ms, id, f] = c.split(".");
  assert.equal(parseInt(ms, 36), Date.parse(a.created_at));
  assert.equal(id, a.id);
  assert.equal(f, fingerprint({ q: 1 }));
  assert.deepEqual(decodeCursor(c, { q: 1 }), { created_at: a.created_at, id: a.id });
  // Before 1970 is a negative number of ms: still a cursor.
  const old = mk(8, Date.parse("1969-12-31T00:00:00Z"));
  assert.equal(decodeCursor(encodeCursor(old, 1), 1).created_at, old.created_at);
  const invalid = (s: string) =>
    assert.throws(
      () => decodeCursor(s, { q: 1 }),
      (e: FleetError) =>
        e.message ===
          "The cursor is not valid: pass next_cursor exactly as a previous call returned it." &&
        e.next === "Call again without cursor to start over.",
      s,
    );
  for (
    const bad of [
      "",
      `${ms}.${id}`,
      `${ms}.${id}.${f}.x`,
      `.${id}.${f}`,
      `${ms}..${f}`,
      `${ms}.${id}.`,
      `Z!.${id}.${f}`,
      `${"z".repeat(13)}.${id}.${f}`,
      `${(8.64e15 + 1).toString(36)}.${id}.${f}`,
    ]
  ) invalid(bad);
  // The edge of representable dates is still a cursor.
  assert.equal(
    decodeCursor(`${(8.64e15).toString(36)}.${id}.${f}`, { q: 1 }).created_at,
    new Date(8.64e15).toISOString(),
  );
  assert.throws(
    () => decodeCursor(c, { q: 2 }),
    (e: FleetError) =>
      e.message === "The cursor belongs to a different query." &&
      e.next ===
        "Pass the same filters as the call that returned it, or start over without cursor.",
  );
  // The fingerprint tells queries apart, and is stable.
  assert.equal(fingerprint({ a: 1 }), fingerprint({ a: 1 }));
  assert.notEqual(fingerprint({ a: 1 }), fingerprint({ a: 2 }));
  assert.match(fingerprint(""), /^[0-9a-z]+$/);
});
