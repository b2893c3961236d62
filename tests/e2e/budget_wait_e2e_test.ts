/**
 * End to end: a waiting call whose rounds stall (Coder hangs) still sends progress, ends within its
 * wait plus a margin, and is not reported "cancelled". Apart from budget_e2e_test.ts so that the
 * two sleeping tests run side by side under `deno test --parallel`.
 *
 * With `CODER_FLEET_CALL_BUDGET_S=2` the margin after the wait is 2 s instead of 10 s (it is never
 * longer than the call budget), and the heartbeat comes every second instead of 5 (half the
 * budget), so a 1 s wait ends by 3 s with heartbeats while the round hangs.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

/** The client's request timeout: the wait, its margin, and some slack. */
const CLIENT_TIMEOUT_MS = 8_000;

/** The explanation, naming the wait plus its 2 s margin (3 s in all). */
const SAID =
  /did not finish within 3 s \(its wait plus 2 s\)|no answer within ([12](\.\d)?) s \(the time left/;

// deno-lint-ignore no-explicit-any
const textOf = (r: any) => (r.content as { text?: string }[]).map((c) => c.text ?? "").join("\n");

Deno.test("e2e budget: a wait whose rounds stall still sends progress", async () => {
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 4 },
    env: { CODER_FLEET_CALL_BUDGET_S: "2" },
  });
  try {
    await h.call("fleet_overview");
    const [id] = h.sim.taskIds();
    h.sim.setTask(id, { status: "active", state: "working" });
    // The agent is looked up by its own route; every round's list hangs until cleared.
    h.sim.fault("/api/v2/tasks", { kind: "hang", method: "GET" });
    h.sim.clearRequests();
    const seen: { progress: number; message?: string }[] = [];
    const r = await h.client.callTool(
      { name: "wait_for_agents", arguments: { agents: [id], timeout_s: 1 } },
      {
        timeout: CLIENT_TIMEOUT_MS,
        onprogress: (p: { progress: number; message?: string }) => void seen.push(p),
      },
    );
    const text = textOf(r);
    const values = seen.map((p) => p.progress);
    assert.ok(seen.length >= 2, `progress while the rounds stalled: ${values.join(", ")}`);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(values[i] > values[i - 1], "progress increases");
    }
    assert.ok(seen.every((p) => /of 1 agents settled/.test(p.message ?? "")), JSON.stringify(seen));
    assert.ok(h.sim.requests.some((q) => q.path === "/api/v2/tasks"), "a round's list hung");
    assert.equal(r.isError, true, text);
    // Said by the server's timer, or by the Coder client's timeout sized to the time left.
    assert.match(text, SAID, text);
    assert.match(text, /^Next: \S/m);
    assert.doesNotMatch(text, /cancel/i, text);
    h.sim.clearFaults();
    const again = await h.call("list_agents");
    assert.ok(!again.isError, again.text);
  } finally {
    await h.close();
  }
});
