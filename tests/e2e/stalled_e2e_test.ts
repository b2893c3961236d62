/**
 * End to end: stuck agents. A working agent whose `updated_at` has not moved for
 * CODER_FLEET_STALLED_MIN minutes is `stalled: true` in list_agents and fleet_overview, with a
 * line in the overview; with a long threshold nothing is flagged.
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import { type Harness, startHarness } from "./harness.ts";

interface Row {
  id: string;
  state: string;
  stalled?: boolean;
}

Deno.test("e2e stalled: working agents that do not move are flagged, and only they", async (t) => {
  // The sim's clock is frozen (the harness's default): its working chats last changed 5 to 60 s
  // before start, and stay as they are while the server's own clock runs on.
  // Both servers start side by side on one sim (wall time).
  // More working chats (27) than the overview shows rows (20): the total counts them all.
  const sim = await startSim({ profile: "chats", chats: 80, seed: 7, pace: 20, frozen: true });
  const started = await Promise.allSettled([
    startHarness({ useSim: sim, env: { CODER_FLEET_STALLED_MIN: "0.05" } }),
    startHarness({ useSim: sim, env: { CODER_FLEET_STALLED_MIN: "1440" } }),
  ]);
  if (started.some((s) => s.status === "rejected")) {
    for (const s of started) if (s.status === "fulfilled") await s.value.close();
    await sim.close();
    throw (started.find((s) => s.status === "rejected") as PromiseRejectedResult).reason;
  }
  const [quick, slow] = started.map((s) => (s as PromiseFulfilledResult<Harness>).value);
  try {
    const working = quick.sim.chatIds().filter((id) =>
      (quick.sim.chat(id) as { status: string }).status === "running"
    );
    assert.ok(working.length > 20, "the sim has more working chats than the overview's rows");

    await t.step("list_agents: stalled: true on working agents only (3 s threshold)", async () => {
      const r = await quick.call("list_agents", { limit: 200 });
      const rows = r.data.agents as Row[];
      const flagged = rows.filter((a) => a.stalled).map((a) => a.id).sort();
      assert.deepEqual(flagged, [...working].sort());
      for (const a of rows) if (a.stalled) assert.equal(a.state, "working");
      assert.match(r.text, /working \(stalled\)/);
    });

    await t.step(
      "fleet_overview: the stalled rows (capped), all counted, and one line",
      async () => {
        const r = await quick.call("fleet_overview");
        assert.equal(r.data.stalled_total, working.length, "every stalled agent is counted");
        assert.equal(r.data.stalled.length, 20, "only the rows are capped");
        for (const a of r.data.stalled as Row[]) assert.equal(a.stalled, true);
        assert.match(
          r.text,
          new RegExp(
            `Stalled \\(${working.length}: working, but no change from Coder for 0\\.05 min`,
          ),
        );
      },
    );

    await t.step("a 24 h threshold flags nothing", async () => {
      const l = await slow.call("list_agents", { limit: 200 });
      assert.equal((l.data.agents as Row[]).filter((a) => a.stalled).length, 0);
      const o = await slow.call("fleet_overview");
      assert.equal(o.data.stalled_total, 0);
      assert.doesNotMatch(o.text, /Stalled/);
    });
  } finally {
    await slow.close();
    await quick.close();
    await sim.close();
  }
});
