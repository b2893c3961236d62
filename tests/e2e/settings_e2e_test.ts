/**
 * The Coder client's limits are settings a user can change, and they reach the client: a small
 * `CODER_FLEET_MAX_RESPONSE_MB` turns a big list into a clear `too_large` error with its next step,
 * and `CODER_FLEET_RATE_LIMIT` holds requests to one route to the configured budget.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

Deno.test("settings: CODER_FLEET_MAX_RESPONSE_MB caps Coder's answers", async () => {
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 1500, chats: 0 },
    env: { CODER_FLEET_MAX_RESPONSE_MB: "1" },
  });
  try {
    const r = await h.call("list_agents", {});
    assert.ok(r.isError, r.text);
    assert.match(r.text, /1 MiB|1\.0 MiB|1048576/);
    assert.match(r.text, /CODER_FLEET_MAX_RESPONSE_MB/);
    assert.match(r.text, /^Next: /m);
  } finally {
    await h.close();
  }
});

Deno.test("settings: CODER_FLEET_RATE_LIMIT bounds requests to one route", async () => {
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 5, chats: 0 },
    env: { CODER_FLEET_RATE_LIMIT: "3" },
  });
  try {
    await h.call("fleet_overview", {}); // detection + one list
    const before = h.sim.requests.filter((q) => q.method === "GET" && /\/tasks$/.test(q.path));
    // Within the same minute, a budget of 3 a minute leaves at most 3 task lists in all.
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await h.call("list_agents", {}));
    const after = h.sim.requests.filter((q) => q.method === "GET" && /\/tasks$/.test(q.path));
    assert.ok(after.length <= 3, `sent ${after.length} task lists (before: ${before.length})`);
    const refused = results.filter((r) => r.isError);
    assert.ok(refused.length >= 1, "a call over the budget is refused, not sent");
    assert.match(refused[0].text, /retry in|rate/i);
  } finally {
    await h.close();
  }
});

Deno.test("settings: one call cannot spend a route's minute; another call still gets through", async () => {
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 5, chats: 0 },
    env: { CODER_FLEET_RATE_LIMIT: "20" },
  });
  try {
    const lookups = () =>
      h.sim.requests.filter((q) =>
        q.method === "GET" && /^\/api\/v2\/tasks\/[^/]+\/[^/]+$/.test(q.path)
      )
        .length;
    // 40 ids no list shows: each is looked up on its own, on one route (GET tasks/{user}/{id}).
    const unknown = Array.from({ length: 40 }, () => crypto.randomUUID());
    const greedy = await h.call("wait_for_agents", { agents: unknown, timeout_s: 1 });
    assert.ok(lookups() <= 10, `one call sent ${lookups()} of the route's 20 a minute`);
    assert.match(
      greedy.text,
      /used its share of this route .* retry in \d+ s/,
      `the call says why it stopped: ${greedy.text}`,
    );
    // Another call on the same route, in the same minute, still gets its request through.
    const real = h.sim.taskIds()[0];
    const r = await h.call("get_agent", { agent: real });
    assert.ok(!r.isError, `get_agent on a real task after the greedy call: ${r.text}`);
    assert.equal(r.data.agent.id, real);
  } finally {
    await h.close();
  }
});
