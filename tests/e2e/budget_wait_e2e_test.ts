/**
 * End to end: a waiting call whose rounds stall (Coder hangs) still sends progress, and is not
 * reported "cancelled". Apart from budget_e2e_test.ts so that the two slow, sleeping tests run
 * side by side under `deno test --parallel`.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

/** The MCP client's default request timeout. */
const CLIENT_TIMEOUT_MS = 60_000;

// deno-lint-ignore no-explicit-any
const textOf = (r: any) => (r.content as { text?: string }[]).map((c) => c.text ?? "").join("\n");

Deno.test("e2e budget: a wait whose rounds stall still sends progress", async () => {
  const h = await startHarness({ sim: { profile: "tasks", tasks: 4 } });
  try {
    await h.call("fleet_overview");
    const [id] = h.sim.taskIds();
    h.sim.setTask(id, { status: "active", state: "working" });
    h.sim.fault("/api/v2/tasks", { delayMs: 40_000, method: "GET" });
    const seen: number[] = [];
    const r = await h.client.callTool(
      { name: "wait_for_agents", arguments: { agents: [id], timeout_s: 12 } },
      {
        timeout: CLIENT_TIMEOUT_MS,
        onprogress: (p: { progress: number }) => void seen.push(p.progress),
      },
    );
    const text = textOf(r);
    assert.ok(seen.length >= 2, `progress while the rounds stalled: ${seen.join(", ")}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], "progress increases");
    assert.doesNotMatch(text, /cancelled/, text);
    h.sim.clearFaults();
  } finally {
    await h.close();
  }
});
