/**
 * End to end: concurrent tool calls that need the same Coder list share one request in flight,
 * and nothing is kept once it has answered.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

const N = 8;

Deno.test("e2e coalesce: concurrent fleet_overview calls share the list requests", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 30, chats: 20, seed: 4 } });
  try {
    await h.call("fleet_overview"); // detection
    const lists = () => {
      const rs = h.sim.requests;
      return {
        tasks: rs.filter((r) => r.path === "/api/v2/tasks").length,
        chats: rs.filter((r) => r.path === "/api/v2/chats").length,
      };
    };

    await t.step(`${N} concurrent calls, fewer than ${N} list requests`, async () => {
      h.sim.clearRequests();
      // The first list requests are held, so the other calls arrive while they are in flight.
      h.sim.fault("/api/v2/tasks", { delayMs: 500, times: 1, method: "GET" });
      h.sim.fault("/api/v2/chats", { delayMs: 500, times: 1, method: "GET" });
      const results = await Promise.all(
        Array.from({ length: N }, () => h.call("fleet_overview")),
      );
      h.sim.clearFaults();
      const truth = h.sim.truth().total;
      for (const r of results) {
        assert.equal(r.isError, undefined, r.text);
        assert.equal(r.data.total, truth);
      }
      const n = lists();
      assert.ok(n.tasks < N, `task lists: ${n.tasks} for ${N} calls`);
      assert.ok(n.chats < N, `chat lists: ${n.chats} for ${N} calls`);
    });

    await t.step("not a cache: calls one after another each send their own", async () => {
      h.sim.clearRequests();
      await h.call("fleet_overview");
      await h.call("fleet_overview");
      assert.deepEqual(lists(), { tasks: 2, chats: 2 });
    });
  } finally {
    await h.close();
  }
});
