/**
 * End to end against the `current` sim profile (Coder v2.39: `/api/v2` only, org-scoped model
 * configs, `paused`, chats queued under a 5-slot licence, the status filter, the chat watch
 * WebSocket, request_id receipts), and the older profiles where current Coder differs.
 */
import assert from "node:assert/strict";
import { byId, startHarness } from "./harness.ts";

interface Row {
  id: string;
  state: string;
  detail: string;
}

const ORG_MODELS = /^\/api\/v2\/organizations\/[0-9a-f-]{36}\/chats\/models$/;

Deno.test("e2e current: v2.39 chats, models, paused, capacity, status filter", async (t) => {
  const h = await startHarness({ sim: { profile: "current", chats: 30, seed: 3 } });
  try {
    await t.step("fleet_overview: Coder v2.39, /api/v2/chats only, counts match", async () => {
      const r = await h.call("fleet_overview");
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.coder.version, "v2.39.0");
      assert.deepEqual(r.data.backends, [{ kind: "chat", api: "/api/v2/chats" }]);
      const truth = h.sim.truth();
      assert.equal(r.data.total, truth.total);
      // Coder's chat list does not say which running chats wait for a licence slot (see the
      // capacity step): in the fleet's view a queued chat (starting, to get_agent) is working.
      const listed = (s: string) => (s === "starting" ? "working" : s);
      const want: Record<string, number> = {};
      for (const s of Object.values(truth.by_id)) want[listed(s)] = (want[listed(s)] ?? 0) + 1;
      assert.ok(truth.by_state.starting > 0, "the sim has chats queued for capacity");
      assert.deepEqual(r.data.by_state, want);
      const list = await h.call("list_agents", { limit: 200 });
      assert.deepEqual(
        byId(list.data.agents),
        Object.fromEntries(Object.entries(truth.by_id).map(([id, s]) => [id, listed(s)])),
        "agent by agent",
      );
    });

    await t.step("model configs come from the org-scoped route, found once", async () => {
      h.sim.clearRequests();
      const a = await h.call("list_templates");
      assert.ok(!a.isError, a.text);
      assert.ok(a.data.models.length > 0, a.text);
      assert.ok(h.sim.requests.some((q) => ORG_MODELS.test(q.path)));
      assert.ok(!h.sim.requests.some((q) => q.path === "/api/v2/chats/models"));
      const c = await h.call("create_task", {
        prompt: "Use a named model",
        model: "Claude Sonnet 4.5",
      });
      assert.ok(!c.isError && c.data.created.length === 1, c.text);
    });

    await t.step("paused chats are idle, with detail paused", async () => {
      const r = await h.call("list_agents", { limit: 200 });
      const paused = (r.data.agents as Row[]).filter((a) => a.detail === "paused");
      assert.ok(paused.length > 0, "the current sim seeds paused chats");
      for (const a of paused) assert.equal(a.state, "idle");
    });

    await t.step(
      "a chat queued for capacity: get_agent says starting, waiting for a licence slot",
      async () => {
        const queued = h.sim.chatIds().find((id) =>
          (h.sim.chat(id) as { queued_for_capacity: boolean }).queued_for_capacity
        );
        assert.ok(queued, "more than 5 chats want to run: some are queued");
        const r = await h.call("get_agent", { agent: queued });
        assert.equal(r.data.agent.state, "starting");
        assert.match(r.data.agent.detail, /licence slot/);
      },
    );

    await t.step("fleet_overview: capacity, and why the list cannot tell which wait", async () => {
      // More of the caller's chats want to run than the licence's 5 slots.
      for (const id of h.sim.chatIds("own").slice(0, 7)) h.sim.setChat(id, { status: "running" });
      const r = await h.call("fleet_overview");
      assert.ok(r.data.capacity.running > 5, JSON.stringify(r.data.capacity));
      assert.equal(r.data.capacity.queued_for_capacity, null);
      assert.match(r.text, /does not say which of them wait for a licence slot/);
      assert.match(r.text, /at most 5 chats run at once/);
      // list_agents says the same: its rows cannot tell a running chat from a queued one.
      const l = await h.call("list_agents", { kind: "chat", state: "working", limit: 200 });
      assert.ok(
        l.data.warnings?.some((w: string) => /does not say which of them wait/.test(w)),
        l.text,
      );
      assert.match(l.text, /Warning: Capacity: /);
    });

    await t.step("the state filter goes to Coder as q=status:...", async () => {
      h.sim.clearRequests();
      const r = await h.call("list_agents", { state: "idle", limit: 200 });
      const q = h.sim.requests.filter((x) => x.path === "/api/v2/chats").map((x) =>
        decodeURIComponent(x.query.replace(/\+/g, " "))
      );
      assert.equal(q.length, 1, q.join(" | "));
      assert.match(q[0], /status:waiting,requires_action,paused/);
      assert.equal(r.data.total, h.sim.truth().by_state.idle);
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e v2.37 (chats profile): the status filter answers 400 once, then local filtering", async () => {
  const h = await startHarness({ sim: { profile: "chats", chats: 20, seed: 3 } });
  try {
    await h.call("fleet_overview"); // detection first
    h.sim.clearRequests();
    const a = await h.call("list_agents", { state: "idle", limit: 200 });
    const b = await h.call("list_agents", { state: "working", limit: 200 });
    const lists = h.sim.requests.filter((x) => x.path === "/api/v2/chats");
    assert.deepEqual(lists.map((x) => x.status), [400, 200, 200]);
    assert.ok(!/status/.test(decodeURIComponent(lists[2].query)));
    const truth = h.sim.truth();
    assert.equal(a.data.total, truth.by_state.idle);
    assert.equal(b.data.total, truth.by_state.working ?? 0);
  } finally {
    await h.close();
  }
});
