/**
 * End to end: a hung Coder never outlasts the client. A call that does not wait answers with an
 * explanation before the 60 s that MCP clients wait by default; a waiting call whose rounds
 * stall still sends progress; neither is reported "cancelled", since the client cancelled nothing.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

/** The MCP client's default request timeout. */
const CLIENT_TIMEOUT_MS = 60_000;

// deno-lint-ignore no-explicit-any
const textOf = (r: any) => (r.content as { text?: string }[]).map((c) => c.text ?? "").join("\n");

Deno.test("e2e budget: a hung list is explained before the client's timeout", async () => {
  const h = await startHarness({ sim: { profile: "tasks", tasks: 4 } });
  try {
    await h.call("fleet_overview"); // detection done
    h.sim.fault("/api/v2/tasks", { delayMs: 65_000, method: "GET" });
    const r = await h.client.callTool({ name: "list_agents", arguments: {} }, {
      timeout: CLIENT_TIMEOUT_MS,
    });
    assert.equal(r.isError, true);
    const text = textOf(r);
    // Said by the server's 50 s timer, or sooner by the Coder client's own budget.
    assert.match(text, /did not answer|time budget|in time/, text);
    assert.match(text, /Next: /);
    assert.doesNotMatch(text, /cancelled/);
    h.sim.clearFaults();
    const again = await h.call("list_agents");
    assert.ok(!again.isError, again.text);
  } finally {
    await h.close();
  }
});
