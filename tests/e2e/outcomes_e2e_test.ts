/**
 * End to end: a write whose answer never came is reported `uncertain`, with the check to make
 * before retrying; never `done`, never `failed`.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

Deno.test("e2e outcomes: writes whose answer is lost are uncertain", async () => {
  // A 2 s call budget: each write gives up on its answer within the time left in the call (about
  // 1.5 s), instead of after the client's 15 s per request.
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 4 },
    env: { CODER_FLEET_CALL_BUDGET_S: "2" },
  });
  try {
    await h.call("fleet_overview");
    const [a, b, c] = h.sim.taskIds();
    h.sim.setTask(a, { status: "active", state: "working" });
    h.sim.setTask(b, { status: "active", state: "working" });
    h.sim.setTask(c, { status: "active", state: "idle" });
    // The requests reach Coder, which acts, but the answers come after the client gave up.
    h.sim.fault(/\/pause$/, { delayMs: 20_000, method: "POST" });
    h.sim.fault(/\/send$/, { delayMs: 20_000, method: "POST" });
    h.sim.fault(/^\/api\/v2\/tasks\/[^/]+$/, { delayMs: 20_000, method: "POST" });
    const tl = await h.call("list_templates");
    const [stop, send, create] = await Promise.all([
      h.call("stop_agents", { agents: [a, b] }),
      h.call("send_input", { agents: [c], input: "hello", if_busy: "fail" }),
      h.call("create_task", { prompt: "x", template: tl.data.templates[0]?.name }),
    ]);
    for (const r of stop.data.results) {
      assert.equal(r.outcome, "uncertain", stop.text);
      assert.match(r.detail, /get_agent before retrying/);
    }
    assert.match(stop.text, /uncertain 2/);
    assert.equal(send.data.results[0].outcome, "uncertain", send.text);
    assert.match(send.data.results[0].detail, /get_agent before retrying/);
    assert.deepEqual(create.data.created, [], create.text);
    assert.deepEqual(create.data.failed, [], create.text);
    assert.equal(create.data.uncertain.length, 1, create.text);
    assert.match(create.data.uncertain[0].error, /list_agents/);
    h.sim.clearFaults();
  } finally {
    await h.close();
  }
});
