/**
 * The sim's clock: frozen, nothing in the fleet moves (a tool's view and truth() agree at any
 * later moment); advanced, minutes of agent work happen at once.
 */
import assert from "node:assert/strict";
import { SimClock } from "../../src/sim/clock.ts";
import { startSim } from "../../src/sim/server.ts";

Deno.test("SimClock: freeze, advance, unfreeze", () => {
  const c = new SimClock(true);
  const t0 = c.now();
  assert.equal(c.frozen, true);
  assert.equal(c.now(), t0, "frozen time stands still");
  c.advance(60_000);
  assert.equal(c.now(), t0 + 60_000);
  c.unfreeze();
  assert.equal(c.frozen, false);
  assert.ok(c.now() >= t0 + 60_000, "running again from where it stood");
  c.freeze();
  const t1 = c.now();
  c.advance(5);
  assert.equal(c.now(), t1 + 5);
  assert.throws(() => c.advance(-1));
});

Deno.test("sim: a frozen fleet does not move; advancing it does", async () => {
  const sim = await startSim({ profile: "both", tasks: 10, chats: 10, pace: 1000, frozen: true });
  try {
    const [id] = sim.taskIds();
    sim.setTask(id, { status: "pending" });
    const before = JSON.stringify(sim.truth());
    const res = await fetch(`${sim.url}/api/v2/tasks`, {
      headers: { "Coder-Session-Token": sim.token },
    });
    const listed = (await res.json()).tasks.find((t: { id: string }) => t.id === id);
    assert.equal(listed.status, "pending", "at pace 1000, only a frozen clock keeps it pending");
    assert.equal(JSON.stringify(sim.truth()), before);
    const createdAt = Date.parse(listed.updated_at);
    assert.ok(createdAt <= sim.clock.now(), "timestamps come from the sim's clock");
    sim.clock.advance(30 * 60_000);
    assert.notEqual((sim.task(id) as { status: string }).status, "pending", "it booted");
    assert.notEqual(JSON.stringify(sim.truth()), before, "the fleet moved on");
  } finally {
    await sim.close();
  }
});
