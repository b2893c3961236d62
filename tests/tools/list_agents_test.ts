/**
 * list_agents' answer, line by line: the header with the total and the range shown, one row per
 * agent newest first, the cursor to the next page (and none on the last), "No agent matched.",
 * and the filters against the sim's truth; `where`'s refusals of bad filters. In process, on the
 * sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { onSim } from "./on_sim.ts";

type Row = { id: string; state: string; owner: string; kind: string; name: string };

Deno.test("list_agents: pages of rows with their range, the cursor, the last page", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 7 } }, async ({ sim, call }) => {
    const first = await call("list_agents", { limit: 3 });
    assert.ok(!first.isError, first.text);
    const lines = first.text.split("\n");
    assert.equal(lines[0], "7 agents matched; showing 1-3, newest first.");
    assert.equal(lines.filter((l) => l.startsWith("- ")).length, 3);
    assert.equal(first.data.total, 7);
    const cursor = first.data.next_cursor;
    assert.equal(typeof cursor, "string");
    assert.equal(
      lines.at(-1),
      `More remain: call again with cursor="${cursor}" and the same filters.`,
    );
    const second = await call("list_agents", { limit: 3, cursor });
    assert.equal(second.text.split("\n")[0], "7 agents matched; showing 4-6, newest first.");
    const third = await call("list_agents", { limit: 3, cursor: second.data.next_cursor });
    assert.equal(third.text.split("\n")[0], "7 agents matched; showing 7-7, newest first.");
    assert.equal(third.data.next_cursor, undefined, "the last page has no cursor");
    assert.doesNotMatch(third.text, /More remain/);
    const ids = [first, second, third].flatMap((r) => r.data.agents.map((a: Row) => a.id));
    assert.deepEqual([...ids].sort(), [...sim.taskIds()].sort(), "every agent once");
    // Exactly a page: no cursor.
    const all = await call("list_agents", { limit: 7 });
    assert.equal(all.text.split("\n")[0], "7 agents matched; showing 1-7, newest first.");
    assert.equal(all.data.next_cursor, undefined);
    // A cursor is bound to its filters.
    const other = await call("list_agents", { limit: 3, cursor, state: "idle" });
    assert.equal(other.isError, true, other.text);
    assert.match(other.text, /different query/);
  });
});

Deno.test("list_agents: filters against the truth; none matched", async () => {
  await onSim({ sim: { profile: "both", tasks: 8, chats: 8 } }, async ({ sim, call }) => {
    const truth = sim.truth();
    const all = await call("list_agents", { limit: 200 });
    assert.equal(all.data.total, truth.total);
    const idle = await call("list_agents", { state: "idle", limit: 200 });
    const idleIds = Object.entries(truth.by_id).filter(([, s]) => s === "idle").map(([id]) => id);
    assert.deepEqual(idle.data.agents.map((a: Row) => a.id).sort(), idleIds.sort());
    const two = await call("list_agents", { state: ["idle", "working"], limit: 200 });
    assert.equal(
      two.data.total,
      Object.values(truth.by_id).filter((s) => s === "idle" || s === "working").length,
    );
    const chats = await call("list_agents", { kind: "chat", limit: 200 });
    assert.equal(chats.data.total, truth.by_kind.chat);
    assert.ok(chats.data.agents.every((a: Row) => a.kind === "chat"));
    const alice = await call("list_agents", { owner: "alice", limit: 200 });
    assert.ok(alice.data.total > 0);
    assert.ok(alice.data.agents.every((a: Row) => a.owner === "alice"));
    const none = await call("list_agents", { query: "no agent is called this" });
    assert.equal(none.text, "No agent matched.");
    assert.deepEqual(none.data.agents, []);
    assert.equal(none.data.total, 0);
    assert.equal(none.data.next_cursor, undefined);
  });
});

Deno.test("where: an unknown filter or a bad value is refused, naming it, nothing done", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 2 } }, async ({ sim, call }) => {
    const unknown = await call("stop_agents", { where: { status: "idle" } });
    assert.equal(unknown.isError, true);
    assert.match(
      unknown.text,
      /Unknown filter "status": where takes only state, waiting_for, pr, owner, kind, template, label, query, settled_for_s\. Nothing was done\./,
    );
    const bad = await call("stop_agents", { where: { state: "sleeping" } });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /^Error: where is not valid: state: .*Nothing was done\.$/m);
    assert.equal(
      bad.text.split("\n")[1],
      "Next: Give each filter as list_agents takes it (its schema in tools/list), then call again.",
    );
    assert.deepEqual(sim.requests.filter((q) => q.method !== "GET"), [], "no write");
  });
});

Deno.test("list_agents: where Coder's list cannot say which chats wait for a licence slot, a warning says so", async () => {
  // v2.39's lists leave queued_for_capacity false; more than five chats show running.
  await onSim({ sim: { profile: "current", chats: 120, seed: 3 } }, async ({ call }) => {
    const r = await call("list_agents", { limit: 1 });
    assert.ok(!r.isError, r.text);
    assert.equal(r.data.warnings.length, 1, r.text);
    assert.match(r.data.warnings[0], /^Capacity: \d+ chats show running, but Coder's chat list/);
    assert.equal(r.text.split("\n").at(-2), `Warning: ${r.data.warnings[0]}`);
  });
  // Five running at most: nothing to say.
  await onSim({ sim: { profile: "current", chats: 3 } }, async ({ call }) => {
    const r = await call("list_agents");
    assert.equal(r.data.warnings, undefined, r.text);
  });
  // A list of tasks only: nothing about chats' capacity.
  await onSim({ sim: { profile: "tasks", tasks: 3 } }, async ({ call }) => {
    const r = await call("list_agents");
    assert.equal(r.data.warnings, undefined, r.text);
    assert.doesNotMatch(r.text, /Warning/);
  });
});

Deno.test("list_agents: tasks and chats together, newest first (ties by id)", async () => {
  await onSim({ sim: { profile: "both", tasks: 8, chats: 8 } }, async ({ fleet, call }) => {
    const r = await call("list_agents", { limit: 200 });
    const ids = (r.data.agents as { id: string; kind: string }[]).map((a) => a.id);
    assert.equal(new Set(r.data.agents.map((a: { kind: string }) => a.kind)).size, 2);
    const created = new Map(
      (await fleet.snapshot({})).agents.map((a) => [a.id, Date.parse(a.created_at)]),
    );
    const newestFirst = [...ids].sort((a, b) =>
      created.get(b)! - created.get(a)! || (a < b ? -1 : 1)
    );
    assert.ok(new Set(created.values()).size > 1);
    assert.deepEqual(ids, newestFirst);
  });
});

Deno.test("list_agents: where Coder's list says which chats wait for a licence slot, no warning", async () => {
  await onSim({ sim: { profile: "current", chats: 3 } }, async ({ sim, call }) => {
    const auth = { headers: { "Coder-Session-Token": sim.token } };
    const list = await (await fetch(`${sim.url}/api/v2/chats`, auth)).json();
    const chats = Array.isArray(list) ? list : list.chats;
    chats[0].queued_for_capacity = true;
    sim.fault("/api/v2/chats", { method: "GET", kind: "wrong_shape", body: list });
    const r = await call("list_agents");
    assert.ok(!r.isError, r.text);
    assert.equal(r.data.warnings, undefined, r.text);
    assert.doesNotMatch(r.text, /Warning/);
  });
});

Deno.test("where: unknown filters named (each cut to 40), bad values each named, in full", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 2 } }, async ({ call }) => {
    const unknown = await call("stop_agents", { where: { ["k".repeat(41)]: 1, y: 2 } });
    assert.equal(
      unknown.text,
      `Error: Invalid arguments for stop_agents: where: Unknown filter "${"k".repeat(40)}", "y": ` +
        "where takes only state, waiting_for, pr, owner, kind, template, label, query, " +
        "settled_for_s. Nothing was done.\nNext: call again without it.",
    );
    // Not an object at all: zod's own words, not the unknown filter's.
    const notObject = await call("stop_agents", { where: "idle" });
    assert.equal(
      notObject.text,
      "Error: Invalid arguments for stop_agents: where: Invalid input: expected object, received " +
        "string\nNext: Fix the arguments as the message says and call stop_agents again; " +
        "tools/list shows its input schema.",
    );
    const bad = await call("stop_agents", {
      where: { state: ["idle", "sleeping"], settled_for_s: -1 },
    });
    assert.equal(
      bad.text,
      "Error: where is not valid: state: Invalid input; settled_for_s: Too small: expected " +
        "number to be >=0. Nothing was done.\nNext: Give each filter as list_agents takes it " +
        "(its schema in tools/list), then call again.",
    );
  });
});
