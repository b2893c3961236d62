/**
 * Waits over the fleet (`fleet/wait.ts`, `fleet/watching.ts`) against the sim over real HTTP, its
 * clock frozen (nothing changes unless the test changes it), polling every 50 ms.
 */
import assert from "node:assert/strict";
import { Fleet } from "../../src/fleet/fleet.ts";
import { waitForAgents } from "../../src/fleet/wait.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { within } from "../deadline.ts";

async function onSim(fn: (sim: Sim, fleet: Fleet) => Promise<void>): Promise<void> {
  const sim = await startSim({ profile: "tasks", tasks: 4, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false, pollMs: 50 });
    await fleet.deployment();
    await fn(sim, fleet);
  } finally {
    await sim.close();
  }
}

Deno.test("wait: a whole-fleet any_change wait ends when an agent it saw at the start changes", () =>
  onSim(async (sim, fleet) => {
    const [id] = sim.taskIds();
    const before = await fleet.resolve(id);
    const r = await within(
      waitForAgents(fleet, {
        until: "any_change",
        mode: "any",
        timeoutMs: 15_000,
        fresh: {},
        // After the first view: the task reports something new.
        onRound: (round) => {
          if (round === 0) sim.setTask(id, { message: `${before.message} and then some` });
        },
      }),
      "the wait to end on the change",
    );
    assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
    assert.deepEqual(r.met.map((a) => a.id), [id]);
    assert.deepEqual(r.already, [], "nothing has changed at the start: none set aside");
    assert.deepEqual(r.appeared, []);
    assert.equal(r.pending.length, sim.taskIds().length - 1);
  }));

Deno.test("wait: a whole-fleet any_change wait with nothing changing times out", () =>
  onSim(async (sim, fleet) => {
    const r = await waitForAgents(fleet, {
      until: "any_change",
      mode: "any",
      timeoutMs: 200,
      fresh: {},
    });
    assert.equal(r.done, false);
    assert.equal(r.timed_out, true);
    assert.equal(r.pending.length, sim.taskIds().length);
    assert.equal(r.already_total, 0);
  }));

Deno.test("wait: a round where one back end's list failed keeps its agents as last seen, looking none up", async () => {
  const sim = await startSim({ profile: "both", tasks: 3, chats: 3, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false, pollMs: 50 });
    await fleet.deployment();
    const [task] = sim.taskIds();
    const [chat] = sim.chatIds();
    sim.setTask(task, { status: "active", state: "working" });
    sim.setChat(chat, { status: "running" });
    const watch = [await fleet.resolve(task), await fleet.resolve(chat)];
    const chatLookups = () =>
      sim.requests.filter((r) => r.method === "GET" && r.path === `/api/v2/chats/${chat}`).length;
    const before = chatLookups();
    let failing = () => {};
    const r = await within(
      waitForAgents(fleet, {
        watch,
        until: "settled",
        mode: "any",
        timeoutMs: 15_000,
        onRound: (round) => {
          // From round 1 the chats list fails (every retry too), the tasks list answers; at
          // round 4 a task settles.
          if (round === 0) failing = sim.fault("/api/v2/chats", { method: "GET", status: 500 });
          if (round === 4) sim.setTask(task, { status: "active", state: "idle" });
        },
      }),
      "the wait to end",
    );
    assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
    assert.deepEqual(r.met.map((a) => a.id), [task]);
    assert.deepEqual(r.pending.map((a) => a.id), [chat], "the chat is still watched");
    assert.deepEqual(r.gone, [], "a chat the failed list did not show is not gone");
    assert.equal(chatLookups(), before, "the chat was not looked up for a failed list");
    assert.ok(sim.requests.some((q) => q.path === "/api/v2/chats" && q.status === 500));
    failing();
  } finally {
    await sim.close();
  }
});
