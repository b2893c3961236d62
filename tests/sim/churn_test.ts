/**
 * The demo fleet keeps living: with churn on, new work arrives, settled chats get their next
 * instruction, and old settled chats are archived so the fleet keeps its size.
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import { until } from "../deadline.ts";

Deno.test("sim churn: new work arrives, agents cycle, the fleet keeps its size", async () => {
  const sim = await startSim({ profile: "current", chats: 30, seed: 5, pace: 20 });
  try {
    const status = (id: string) => (sim.chat(id) as { status: string }).status;
    const first = new Set(sim.chatIds());
    const settled = [...first].filter((id) => status(id) !== "running");
    const stop = sim.churn(20, 30);
    await until(() => sim.chatIds().some((id) => !first.has(id)), "new work to arrive");
    await until(() => settled.some((id) => status(id) === "running"), "a settled chat to run");
    await until(() => [...first].some((id) => !sim.chatIds().includes(id)), "an archive");
    stop();
    assert.ok(sim.chatIds().length <= 40, String(sim.chatIds().length));
  } finally {
    await sim.close();
  }
});
