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
