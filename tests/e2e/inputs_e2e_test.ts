/**
 * End to end: inputs are strict (unknown arguments refused, handles have a grammar, strings have
 * limits), `state` takes one value or a list, a batch acts once per resolved agent, and resolving
 * many unknown names stays cheap. Every "nothing happened" claim is checked on the sim's request
 * log.
 */
import assert from "node:assert/strict";
import type { SimRequest } from "../../src/sim/server.ts";
import { type Harness, startHarness } from "./harness.ts";

const writes = (rs: SimRequest[]) => rs.filter((r) => r.method !== "GET");

// One server and sim for the whole file (each server start costs about a CPU-second); every
// group sets the agents it acts on to the state it needs, and reads only the requests it caused.
Deno.test("e2e inputs", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 6, chats: 6 } });
  try {
    await h.call("fleet_overview"); // detection done
    await t.step("unknown arguments, handles, limits, state", (t) => strict(t, h));
    await t.step("a batch acts once per resolved agent", (t) => batches(t, h));
    await t.step("resolving many unknown names stays cheap", (t) => unknowns(t, h));
  } finally {
    await h.close();
  }
});

async function strict(t: Deno.TestContext, h: Harness) {
  const [taskId] = h.sim.taskIds();

  await t.step("a wrong type is refused like every other error", async () => {
    const r = await h.call("list_agents", { limit: "many" });
    assert.equal(r.isError, true, r.text);
    assert.match(r.text, /^Error: \S.*limit/);
    assert.match(r.text, /^Next: \S/m);
  });

  await t.step("an unknown argument is refused, named, and nothing is resumed", async () => {
    h.sim.setTask(taskId, { status: "paused" });
    h.sim.clearRequests();
    const r = await h.call("resume_agents", { agents: [taskId], force: true });
    assert.equal(r.isError, true, r.text);
    assert.match(r.text, /force/);
    // Rendered like every other error: what happened, then the next step on its own line.
    assert.match(r.text, /^Error: \S/);
    assert.match(r.text, /^Next: \S/m);
    assert.doesNotMatch(r.text, /Input validation error/);
    assert.deepEqual(writes(h.sim.requests), [], "no write was sent");
    assert.deepEqual(h.sim.requests, [], "no request at all");
    const still = (h.sim.task(taskId) as { status: string }).status;
    assert.equal(still, "paused");
  });

  await t.step("every tool refuses unknown arguments", async () => {
    const calls: [string, Record<string, unknown>][] = [
      ["fleet_overview", { verbose: true }],
      ["list_agents", { status: "idle" }],
      ["get_agent", { agent: taskId, full: true }],
      ["get_logs", { agent: taskId, since: 1 }],
      ["list_templates", { org: "x" }],
      ["create_task", { prompt: "x", dry_run: true }],
      ["send_input", { agents: [taskId], input: "x", priority: "high" }],
      ["wait_for_agents", { agents: [taskId], timeout: 1 }],
      ["stop_agents", { agents: [taskId], force: true }],
      ["delete_agents", { agents: [taskId], confirm: true }],
    ];
    h.sim.clearRequests();
    for (const [tool, args] of calls) {
      const r = await h.call(tool, args);
      assert.equal(r.isError, true, `${tool}: ${r.text}`);
      const extra = Object.keys(args).find((k) =>
        !["agent", "agents", "input", "prompt"].includes(k)
      )!;
      assert.ok(r.text.includes(extra), `${tool} names ${extra}: ${r.text}`);
    }
    assert.deepEqual(h.sim.requests, []);
  });

  await t.step("state takes one value or a list", async () => {
    // The same fleet for both answers (the first state filter also probes Coder's status:).
    const [one, list] = await h.frozen(async () => [
      await h.call("list_agents", { state: "working", limit: 200 }),
      await h.call("list_agents", { state: ["working"], limit: 200 }),
    ]);
    assert.ok(!one.isError, one.text);
    assert.deepEqual(one.data.total, list.data.total);
    for (const a of one.data.agents) assert.equal(a.state, "working");
    const w = await h.call("wait_for_agents", { state: "idle", timeout_s: 0 });
    assert.ok(!w.isError, w.text);
    const bad = await h.call("list_agents", { state: "sleeping" });
    assert.equal(bad.isError, true);
  });

  await t.step("strings have length limits", async () => {
    const long = "a".repeat(300);
    for (
      const [tool, args] of [
        ["list_agents", { owner: long }],
        ["list_agents", { template: long }],
        ["list_agents", { label: `k:${long}` }],
        ["list_agents", { query: long }],
        ["fleet_overview", { owner: long }],
        ["get_agent", { agent: long }],
        ["create_task", { prompt: "x", name: long }],
        ["create_task", { prompt: "x", owner: long }],
        ["create_task", { prompt: "x", template: long }],
      ] as [string, Record<string, unknown>][]
    ) {
      const r = await h.call(tool, args);
      assert.equal(r.isError, true, `${tool} ${JSON.stringify(args).slice(0, 40)}`);
    }
  });

  await t.step("path-like handles are refused with no request and no re-detection", async () => {
    const bad = ["../users", "..", "a/../../users/me", ".", "me/..", "../../api/v2/users/me"];
    h.sim.clearRequests();
    for (const handle of bad) {
      const g = await h.call("get_agent", { agent: handle });
      assert.equal(g.isError, true, handle);
      assert.match(g.text, /not an agent handle/, handle);
      assert.match(g.text, /Next: /, handle);
      const l = await h.call("get_logs", { agent: handle });
      assert.equal(l.isError, true, handle);
    }
    const s = await h.call("stop_agents", { agents: bad });
    for (const r of s.data.results) {
      assert.equal(r.outcome, "failed");
      assert.match(r.detail, /not an agent handle/);
    }
    const d = await h.call("delete_agents", { agents: bad, dry_run: true });
    assert.ok(d.data.results.every((r: { outcome: string }) => r.outcome === "failed"));
    const w = await h.call("send_input", { agents: ["..", "../users"], input: "x" });
    assert.ok(w.data.results.every((r: { outcome: string }) => r.outcome === "failed"));
    assert.deepEqual(h.sim.requests, [], "no request for a malformed handle");
  });

  await t.step("an out-of-range cursor is a clear error with a next step", async () => {
    const first = await h.call("list_agents", { limit: 1 });
    assert.ok(first.data.next_cursor);
    const [, id, f] = first.data.next_cursor.split(".");
    const r = await h.call("list_agents", { limit: 1, cursor: `zzzzzzzzzzzz.${id}.${f}` });
    assert.equal(r.isError, true);
    assert.doesNotMatch(r.text, /Unexpected/);
    assert.match(r.text, /cursor/);
    assert.match(r.text, /Next: /);
  });
}

async function batches(t: Deno.TestContext, h: Harness) {
  const [taskId] = h.sim.taskIds();
  const [chatId] = h.sim.chatIds();
  const task = h.sim.task(taskId) as { name: string; owner_name: string };

  await t.step("send_input to one task named three times sends once", async () => {
    h.sim.setTask(taskId, { status: "active", state: "idle" });
    h.sim.clearRequests();
    const r = await h.call("send_input", {
      agents: [taskId, `${task.owner_name}/${task.name}`, taskId.toUpperCase()],
      input: "only once",
      if_busy: "fail",
    });
    const sends = h.sim.requests.filter((q) => q.method === "POST" && q.path.endsWith("/send"));
    assert.equal(sends.length, 1, r.text);
    assert.deepEqual(r.data.results.map((x: { outcome: string }) => x.outcome), [
      "sent",
      "duplicate",
      "duplicate",
    ]);
    assert.match(r.data.results[1].detail, /same agent/);
  });

  await t.step("send_input to one chat named three times sends once", async () => {
    h.sim.setChat(chatId, { status: "waiting" });
    h.sim.clearRequests();
    const r = await h.call("send_input", {
      agents: [chatId, chatId, chatId],
      input: "only once",
      if_busy: "queue",
    });
    const sends = h.sim.requests.filter((q) =>
      q.method === "POST" && q.path.endsWith(`/${chatId}/messages`)
    );
    assert.equal(sends.length, 1, r.text);
    assert.equal(
      r.data.results.filter((x: { outcome: string }) => x.outcome === "duplicate").length,
      2,
    );
  });

  await t.step("stop_agents on one task named twice pauses it once", async () => {
    h.sim.setTask(taskId, { status: "active", state: "working" });
    h.sim.clearRequests();
    const r = await h.call("stop_agents", {
      agents: [`${task.owner_name}/${task.name}`, taskId],
    });
    const pauses = h.sim.requests.filter((q) => q.path.endsWith("/pause"));
    assert.equal(pauses.length, 1, r.text);
    assert.deepEqual(r.data.results.map((x: { outcome: string }) => x.outcome), [
      "done",
      "duplicate",
    ]);
  });
}

async function unknowns(t: Deno.TestContext, h: Harness) {
  await t.step("200 unknown task-like names: at most one lookup each", async () => {
    const names = Array.from({ length: 200 }, (_, i) => `no-such-task-${i}`);
    h.sim.clearRequests();
    const r = await h.call("wait_for_agents", { agents: names, timeout_s: 0 });
    assert.equal(r.data.not_found.length, 200, r.text.slice(0, 300));
    const n = h.sim.requests.length;
    assert.ok(n <= 200 + 4, `${n} requests for 200 unknown names`);
    const chatLookups = h.sim.requests.filter((q) => q.path.includes("/chats")).length;
    assert.ok(chatLookups <= 2, `${chatLookups} chat requests: a name is looked up in the list`);
  });

  await t.step("100 unknown chat titles via stop_agents dry_run: the lists only", async () => {
    const titles = Array.from({ length: 100 }, (_, i) => `No such chat ${i}`);
    h.sim.clearRequests();
    const r = await h.call("stop_agents", { agents: titles, dry_run: true });
    assert.ok(r.data.results.every((x: { outcome: string }) => x.outcome === "failed"));
    assert.ok(h.sim.requests.length <= 4, `${h.sim.requests.length} requests`);
    assert.deepEqual(writes(h.sim.requests), []);
  });
}
