/** The pure parts of selecting by filter: what counts as a filter, and the hint to narrow one. */
import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import type { Fleet, FleetFilter } from "../../src/fleet/fleet.ts";
import type { Snapshot } from "../../src/fleet/snapshot.ts";
import { FleetError } from "../../src/model/backend.ts";
import { filters, narrowHint, SELECT_MAX, selectAgents } from "../../src/fleet/select.ts";
import { anAgent, aPr, fixtureId } from "../agent_fixture.ts";

const agent = (i: number, p: Partial<Agent>): Agent =>
  anAgent({ id: `id-${i}`, name: `t-${i}`, ...p });

Deno.test("select: an empty filter filters nothing (no key, undefined, [] or {})", () => {
  assert.equal(filters({}), false);
  assert.equal(filters({ state: [], labels: undefined, owner: undefined }), false);
  assert.equal(filters({ labels: {} }), false);
  assert.equal(filters({ labels: { team: "infra" } }), true, "a label is a filter");
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

/** A fleet whose lists answer `snap`; records the filters it was asked for. */
function listed(snap: Partial<Snapshot>) {
  const asked: FleetFilter[] = [];
  const fleet = {
    snapshot: (f: FleetFilter) => {
      asked.push(f);
      return Promise.resolve({ agents: [], errors: [], warnings: [], ...snap });
    },
    resolveMany: (handles: readonly string[]) =>
      Promise.resolve(handles.map((h) => ({ handle: h, agent: anAgent({ name: h }) }))),
  } as unknown as Fleet;
  return { fleet, asked };
}

/** The FleetError `p` rejects with, as [message, next]. */
async function refusal(p: Promise<unknown>): Promise<[string, string]> {
  const err = await p.then(() => undefined, (e) => e);
  assert.ok(err instanceof FleetError, `a FleetError, not ${err}`);
  return [err.message, err.next];
}

Deno.test("select: agents and where together, or neither, or a where with no filter: refused, saying what to give", async () => {
  const { fleet, asked } = listed({});
  assert.deepEqual(await refusal(selectAgents(fleet, { agents: ["a"], where: { kind: "task" } })), [
    "Give agents or where, not both: nothing was done.",
    "Drop where to act on the named agents, or drop agents to act on what where matches.",
  ]);
  assert.deepEqual(await refusal(selectAgents(fleet, {})), [
    "Name the agents to act on: give agents (handles) or where (list_agents filters).",
    'Call again with agents (e.g. ["alice/fix-tests"]) or where (e.g. {kind: "chat", state: "idle"}).',
  ]);
  assert.deepEqual(await refusal(selectAgents(fleet, { where: { state: [] } })), [
    "where has no filter, so it would select every agent: nothing was done.",
    'Give at least one filter (kind: "task" or kind: "chat" selects a whole back end), or name the agents.',
  ]);
  assert.deepEqual(asked, [], "nothing was listed");
  const named = await selectAgents(fleet, { agents: ["a", "b"] });
  assert.deepEqual(named.targets.map((t) => t.handle), ["a", "b"]);
  assert.equal(named.byFilter, false);
});

Deno.test("select: a where over a back end whose list failed is refused, naming the list and the other kind", async () => {
  for (const kind of ["task", "chat"] as const) {
    const other = kind === "task" ? "chat" : "task";
    const { fleet } = listed({
      agents: [anAgent({ kind: other })],
      errors: [{ kind, error: "Coder answered 500" }],
    });
    assert.deepEqual(await refusal(selectAgents(fleet, { where: { state: ["idle"] } })), [
      `where could not see the whole fleet (${kind} list: Coder answered 500): nothing was done.`,
      `Retry shortly; or add kind: "${other}" to act on ${other}s alone.`,
    ]);
  }
  const { fleet } = listed({
    errors: [{ kind: "task", error: "down" }, { kind: "chat", error: "also down" }],
  });
  const [message] = await refusal(selectAgents(fleet, { where: { owner: "bob" } }));
  assert.equal(
    message,
    "where could not see the whole fleet (task list: down; chat list: also down): nothing was done.",
  );
});

Deno.test("select: where acts on at most 100 agents, newest first, each named owner/name", async () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      agent(i, {
        id: fixtureId(i),
        owner: i % 2 ? "bob" : "carol",
        created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      }));
  assert.equal(SELECT_MAX, 100);
  const { fleet, asked } = listed({ agents: many(SELECT_MAX) });
  const r = await selectAgents(fleet, { where: { kind: "task" } });
  assert.deepEqual(asked, [{ kind: "task" }], "one selection, with the caller's filters");
  assert.equal(r.byFilter, true);
  assert.equal(r.targets.length, 100);
  assert.deepEqual(r.targets.slice(0, 2).map((t) => t.handle), ["bob/t-99", "carol/t-98"]);
  const over = listed({ agents: many(SELECT_MAX + 1) });
  const [message, next] = await refusal(selectAgents(over.fleet, { where: { kind: "task" } }));
  assert.equal(
    message,
    "where matches 101 agents, more than the 100 one call may act on: nothing was done.",
  );
  assert.match(next, /^Narrow where with one of: owner /);
});

Deno.test("select: the hint ranks values by count, ties by name, and shows three of them", () => {
  const owners = ["zed", "bob", "amy", "amy", "bob", "cat"];
  assert.equal(
    narrowHint(owners.map((owner, i) => agent(i, { owner }))),
    "Narrow where with one of: owner amy (2), bob (2), cat (1), +1 more; or add label, query or settled_for_s.",
  );
  // Equal counts: by name, whatever order they came in.
  assert.equal(
    narrowHint(["dan", "cat", "bob", "amy"].map((owner, i) => agent(i, { owner }))),
    "Narrow where with one of: owner amy (1), bob (1), cat (1), +1 more; or add label, query or settled_for_s.",
  );
  // A value is cut at 40 characters.
  const [t40, t41] = ["t".repeat(40), "u".repeat(41)];
  assert.equal(
    narrowHint([
      agent(1, { template: t40 }),
      agent(2, { template: t41 }),
      agent(3, { template: t41 }),
    ]),
    `Narrow where with one of: template ${
      "u".repeat(39)
    }… (2), ${t40} (1); or add label, query or settled_for_s.`,
  );
  // Three values: all shown, nothing more to tell.
  assert.equal(
    narrowHint(["b", "a", "c", "c"].map((owner, i) => agent(i, { owner }))),
    "Narrow where with one of: owner c (2), a (1), b (1); or add label, query or settled_for_s.",
  );
  // Nothing splits the match: only the other filters are suggested.
  assert.equal(
    narrowHint([agent(1, {}), agent(2, {})]),
    "Narrow where; or add label, query or settled_for_s.",
  );
});

Deno.test("select: the hint can name each field: kind, waiting_for, pr (none counts), template", () => {
  const hint = narrowHint([
    agent(1, { kind: "chat", waiting_for: "reply", pr: aPr("open"), template: "a" }),
    agent(2, { kind: "chat", waiting_for: "reply", pr: aPr("merged"), template: "a" }),
    agent(3, { kind: "task", waiting_for: "review", template: "b" }),
    agent(4, { kind: "task", waiting_for: null, template: "b" }),
    agent(5, { kind: "task", waiting_for: null, template: "b" }),
  ]);
  assert.equal(
    hint,
    "Narrow where with one of: kind task (3), chat (2); waiting_for reply (2), review (1); " +
      "pr none (3), merged (1), open (1); template b (3), a (2); or add label, query or settled_for_s.",
  );
});

Deno.test("select: each agent where selects is named owner/name, the owner cut at 40 characters, the name at 100", async () => {
  const [o40, n100] = ["o".repeat(40), "n".repeat(100)];
  const { fleet } = listed({
    agents: [
      agent(1, { owner: o40, name: n100, created_at: "2026-01-02T00:00:00Z" }),
      agent(2, { owner: `${o40}x`, name: `${n100}x` }),
    ],
  });
  const r = await selectAgents(fleet, { where: { kind: "task" } });
  assert.deepEqual(r.targets.map((t) => t.handle), [
    `${o40}/${n100}`,
    `${"o".repeat(39)}…/${"n".repeat(99)}…`,
  ]);
});
