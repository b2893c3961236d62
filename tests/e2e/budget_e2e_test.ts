/**
 * End to end: a hung Coder never outlasts the client. A call that does not wait answers with an
 * explanation within the call budget, before the client's own timeout, and is not reported
 * "cancelled", since the client cancelled nothing; the server answers normally once Coder does.
 *
 * The budget is the user's setting `CODER_FLEET_CALL_BUDGET_S`, here 2 s with a client that
 * waits 3 s more, so that the test does not sleep through the default 50 s (DESIGN's literal
 * 50 s is asserted in tests/config_test.ts).
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

/** The call budget the server is given (s). */
const BUDGET_S = 2;
/** The client's request timeout: the budget plus a margin, as 50 s sits below 60 s. */
const CLIENT_TIMEOUT_MS = (BUDGET_S + 3) * 1000;

/**
 * The explanation, naming the budget: said by the server's timer, or by the Coder client's own
 * timeout sized to the time left in the call.
 */
const SAID = /did not answer within 2 s|no answer within (2|1\.\d) s \(the time left/;

// deno-lint-ignore no-explicit-any
const textOf = (r: any) => (r.content as { text?: string }[]).map((c) => c.text ?? "").join("\n");

Deno.test("e2e budget: a hung list is explained within the call budget, before the client's timeout", async () => {
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 4 },
    env: { CODER_FLEET_CALL_BUDGET_S: String(BUDGET_S) },
  });
  try {
    await h.call("fleet_overview"); // detection done
    // Hangs until cleared: longer than the budget and than the client's timeout.
    h.sim.fault("/api/v2/tasks", { kind: "hang", method: "GET" });
    h.sim.clearRequests();
    const r = await h.client.callTool({ name: "list_agents", arguments: {} }, {
      timeout: CLIENT_TIMEOUT_MS,
    });
    assert.equal(r.isError, true);
    const text = textOf(r);
    assert.match(text, SAID, text);
    assert.match(text, /^Next: \S/m);
    assert.doesNotMatch(text, /cancel/i);
    assert.ok(h.sim.requests.some((q) => q.path === "/api/v2/tasks"), "the list reached Coder");
    h.sim.clearFaults();
    const again = await h.call("list_agents");
    assert.ok(!again.isError, again.text);
  } finally {
    await h.close();
  }
});
