/** The pure parts of selecting by filter: what counts as a filter, and the hint to narrow one. */
import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import { filters, narrowHint } from "../../src/fleet/select.ts";
import { anAgent } from "../agent_fixture.ts";

const agent = (i: number, p: Partial<Agent>): Agent =>
  anAgent({ id: `id-${i}`, name: `t-${i}`, ...p });

Deno.test("select: an empty filter filters nothing (no key, undefined, [] or {})", () => {
  assert.equal(filters({}), false);
  assert.equal(filters({ state: [], labels: undefined, owner: undefined }), false);
  assert.equal(filters({ labels: {} }), false);
  assert.equal(filters({ state: ["idle"] }), true);
  assert.equal(filters({ settled_for_s: 0 }), true, "0 seconds settled is a filter: settled");
  assert.equal(filters({ kind: "chat" }), true);
});

Deno.test("select: the hint names only the fields that split the match, commonest first", () => {
  const owners = ["bob", "bob", "bob", "carol", "carol", "dave", "erin"];
  const matched = owners.map((owner, i) =>
    agent(i, { owner, state: i < 5 ? "working" : "idle", template: "claude-code" })
  );
  const hint = narrowHint(matched);
  assert.equal(
    hint,
    "Narrow where with one of: state working (5), idle (2); owner bob (3), carol (2), dave (1), +1 more; or add label, query or settled_for_s.",
  );
  assert.doesNotMatch(hint, /kind|template/, "one kind and one template narrow nothing");
});

Deno.test("select: user-written values in the hint are one safe line", () => {
  const hint = narrowHint([
    agent(1, { owner: "a«b»\nc" }),
    agent(2, { owner: "x" }),
  ]);
  assert.doesNotMatch(hint, /[«»\n]/);
});
