/**
 * End to end: a deployment with both APIs (one fleet, the union), an old one (experimental paths
 * only), and a forced back end.
 */
import assert from "node:assert/strict";
import { byId, startHarness } from "./harness.ts";

Deno.test("e2e mixed: one fleet over tasks and chats", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 25, chats: 25, seed: 9 } });
  try {
    await t.step("fleet_overview counts equal the sim's ground truth", async () => {
      // The clock stands still: the fleet cannot move between the call and truth().
      const [r, truth] = await h.frozen(
        async () => [await h.call("fleet_overview"), h.sim.truth()],
      );
      assert.equal(r.data.total, truth.total);
      assert.equal(truth.by_kind.task + truth.by_kind.chat, truth.total);
      assert.deepEqual(r.data.by_state, truth.by_state, "no count missing, none extra");
      assert.deepEqual(r.data.backends.map((b: { kind: string }) => b.kind), ["task", "chat"]);
      const list = await h.call("list_agents", { limit: 200 });
      assert.deepEqual(byId(list.data.agents), h.sim.truth().by_id, "agent by agent");
    });

    await t.step("list_agents by kind splits the fleet", async () => {
      const tasks = await h.call("list_agents", { kind: "task", limit: 200 });
      const chats = await h.call("list_agents", { kind: "chat", limit: 200 });
      assert.equal(tasks.data.total, h.sim.truth().by_kind.task);
      assert.equal(chats.data.total, h.sim.truth().by_kind.chat);
    });

    await t.step("get_agent picks the kind by handle", async () => {
      const [taskId] = h.sim.taskIds();
      const [chatId] = h.sim.chatIds();
      assert.equal((await h.call("get_agent", { agent: taskId })).data.agent.kind, "task");
      h.sim.clearRequests();
      assert.equal((await h.call("get_agent", { agent: chatId })).data.agent.kind, "chat");
      const lists = h.sim.requests.filter((q) =>
        q.path === "/api/v2/tasks" || q.path === "/api/v2/chats"
      );
      assert.deepEqual(lists, [], "a direct lookup found it: no fleet list was needed");
    });

    await t.step("create_task: template means a task, otherwise a chat", async () => {
      const tpl = (await h.call("list_templates")).data.templates[0];
      const a = await h.call("create_task", { prompt: "task work", template: tpl.name });
      assert.equal(a.data.created[0].kind, "task", a.text);
      const b = await h.call("create_task", { prompt: "chat work" });
      assert.equal(b.data.created[0].kind, "chat", b.text);
    });

    await t.step("batch tools act across both kinds in one call", async () => {
      const ids = [h.sim.taskIds()[0], h.sim.chatIds()[0]];
      const r = await h.call("stop_agents", { agents: ids, dry_run: true });
      assert.deepEqual(r.data.results.map((x: { kind: string }) => x.kind), ["task", "chat"]);
      const w = await h.call("wait_for_agents", { agents: ids, timeout_s: 0, until: "any_change" });
      assert.equal(w.data.changed_total + w.data.pending_total, 2);
    });

    await t.step("wait_for_agents polls one list per back end per round", async () => {
      // Ten visible agents of each kind (archived chats are not in the list).
      const pick = async (kind: string) =>
        (await h.call("list_agents", { kind, limit: 10 })).data.agents.map((a: { id: string }) =>
          a.id
        );
      const taskIds: string[] = await pick("task");
      const chatIds: string[] = await pick("chat");
      const ids = [...taskIds, ...chatIds];
      for (const id of taskIds) h.sim.setTask(id, { status: "active", state: "working" });
      for (const id of chatIds) h.sim.setChat(id, { status: "running" });
      h.sim.clearRequests();
      // Two rounds polled (the event, not a sleep), then every agent settles and the wait ends.
      const wait = h.begin("wait_for_agents", {
        agents: ids,
        timeout_s: 60,
        until: "idle",
        mode: "all",
      });
      await wait.round(2);
      for (const id of taskIds) h.sim.setTask(id, { status: "active", state: "idle" });
      for (const id of chatIds) h.sim.setChat(id, { status: "waiting" });
      const r = await wait.result;
      assert.equal(r.data.done, true, r.text);
      const taskLists = h.sim.requests.filter((q) => q.path === "/api/v2/tasks").length;
      const chatLists = h.sim.requests.filter((q) => q.path === "/api/v2/chats").length;
      const rounds = Math.max(taskLists, chatLists);
      assert.ok(rounds >= 2, `polled ${rounds} rounds`);
      assert.ok(
        Math.abs(taskLists - chatLists) <= 1,
        `${taskLists} task lists vs ${chatLists} chat lists`,
      );
      const perAgent = h.sim.requests.filter((q) =>
        /\/(tasks\/[^/]+|chats)\/[0-9a-f-]{36}$/.test(q.path)
      );
      assert.equal(perAgent.length, 0, "no per-agent requests while waiting");
      assert.equal(r.data.changed_total + r.data.pending_total, 20, "every agent reported");
    });

    // Last: it takes the Tasks API away from this sim (a server start of its own would cost
    // about a CPU-second).
    await t.step("re-detection: an API that goes away is dropped on the next call", async () => {
      const first = await h.call("fleet_overview");
      assert.deepEqual(first.data.backends.map((b: { kind: string }) => b.kind), ["task", "chat"]);
      // Coder is upgraded: the Tasks API is gone.
      h.sim.fault("/api/v2/tasks", { status: 404, body: { message: "Route not found." } });
      const during = await h.call("fleet_overview");
      assert.ok(!during.isError, during.text);
      assert.match(during.data.warnings.join(" "), /Route not found/);
      const after = await h.call("fleet_overview");
      assert.deepEqual(after.data.backends.map((b: { kind: string }) => b.kind), ["chat"]);
      assert.equal(after.data.warnings, undefined);
      assert.equal(after.data.total, h.sim.truth().by_kind.chat);
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e old deployment: experimental paths only, v2.27 quirks", async () => {
  const h = await startHarness({ sim: { profile: "old", tasks: 12, chats: 6, seed: 2 } });
  try {
    const r = await h.call("fleet_overview");
    assert.ok(!r.isError, r.text);
    assert.deepEqual(r.data.backends, [
      { kind: "task", api: "/api/experimental/tasks" },
      { kind: "chat", api: "/api/experimental/chats" },
    ]);
    assert.equal(r.data.total, h.sim.truth().total);
    const [id] = h.sim.taskIds();
    h.sim.setTask(id, { state: "working" });
    const s = await h.call("send_input", { agents: [id], input: "hi", if_busy: "fail" });
    assert.equal(s.data.results[0].outcome, "busy", s.text);
  } finally {
    await h.close();
  }
});

Deno.test("e2e forced back end: CODER_FLEET_BACKEND=chats hides tasks", async () => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 5, chats: 7 },
    env: { CODER_FLEET_BACKEND: "chats" },
  });
  try {
    const r = await h.call("fleet_overview");
    assert.equal(r.data.total, h.sim.truth().by_kind.chat);
    assert.deepEqual(r.data.backends.map((b: { kind: string }) => b.kind), ["chat"]);
  } finally {
    await h.close();
  }
});
