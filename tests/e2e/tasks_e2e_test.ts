/**
 * End to end over stdio (modern MCP era), every tool against a Tasks-only simulated Coder.
 */
import assert from "node:assert/strict";
import { byId, startHarness } from "./harness.ts";
import { within } from "../deadline.ts";

Deno.test("e2e tasks: every tool against a tasks-only Coder", async (t) => {
  const h = await startHarness({ sim: { profile: "tasks", tasks: 40, seed: 3 } });
  try {
    await t.step(
      "tools/list has all eleven tools with annotations and output schemas",
      async () => {
        const { tools } = await h.client.listTools();
        assert.equal(tools.length, 13);
        for (const tool of tools) {
          assert.ok(tool.outputSchema, `${tool.name} output schema`);
          assert.equal(typeof tool.annotations?.readOnlyHint, "boolean");
          assert.equal(typeof tool.annotations?.destructiveHint, "boolean");
          assert.equal(typeof tool.annotations?.idempotentHint, "boolean");
          assert.equal(typeof tool.annotations?.openWorldHint, "boolean");
        }
      },
    );

    await t.step("fleet_overview counts equal the sim's ground truth", async () => {
      // The clock stands still: the fleet cannot move between the call and truth().
      const [r, truth] = await h.frozen(
        async () => [await h.call("fleet_overview"), h.sim.truth()],
      );
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.total, truth.total);
      // Agent state by agent state: no count missing, none extra.
      assert.deepEqual(r.data.by_state, truth.by_state);
    });

    await t.step("list_agents: each agent's state equals the sim's ground truth", async () => {
      const r = await h.call("list_agents", { limit: 200 });
      assert.equal(r.data.agents.length, 40);
      assert.deepEqual(byId(r.data.agents), h.sim.truth().by_id);
    });

    await t.step("fleet_overview names the back end and the user", async () => {
      const r = await h.call("fleet_overview");
      assert.deepEqual(r.data.backends, [{ kind: "task", api: "/api/v2/tasks" }]);
      assert.equal(r.data.coder.user, h.sim.username);
      assert.ok(r.data.attention.length <= 20);
      assert.match(r.text, /agents:/);
    });

    await t.step("fleet_overview sends one list request", async () => {
      h.sim.clearRequests();
      await h.call("fleet_overview");
      const lists = h.sim.requests.filter((q) => q.method === "GET" && q.path === "/api/v2/tasks");
      assert.equal(lists.length, 1);
    });

    await t.step("list_agents pages with a cursor", async () => {
      const p1 = await h.call("list_agents", { limit: 15 });
      assert.ok(!p1.isError, p1.text);
      assert.equal(p1.data.agents.length, 15);
      assert.equal(p1.data.total, 40);
      assert.ok(p1.data.next_cursor);
      const p2 = await h.call("list_agents", { limit: 15, cursor: p1.data.next_cursor });
      const p3 = await h.call("list_agents", { limit: 15, cursor: p2.data.next_cursor });
      assert.equal(p3.data.agents.length, 10);
      assert.equal(p3.data.next_cursor, undefined);
      const ids = new Set(
        [...p1.data.agents, ...p2.data.agents, ...p3.data.agents].map((a) => a.id),
      );
      assert.equal(ids.size, 40, "pages neither overlap nor skip");
    });

    await t.step("list_agents settled_for_s keeps settled agents only", async () => {
      const settled = await h.call("list_agents", { settled_for_s: 0, limit: 200 });
      assert.ok(settled.data.total > 0);
      for (const a of settled.data.agents) assert.ok(!["starting", "working"].includes(a.state));
    });

    await t.step("list_agents owner filter", async () => {
      const mine = await h.call("list_agents", { owner: h.sim.username, limit: 200 });
      assert.ok(mine.data.total > 0 && mine.data.total < 40, `${mine.data.total}`);
      for (const a of mine.data.agents) assert.equal(a.owner, h.sim.username);
    });

    await t.step("get_agent by id and by owner/name", async () => {
      const list = await h.call("list_agents", { owner: h.sim.username, limit: 1 });
      const some = list.data.agents[0];
      const byId = await h.call("get_agent", { agent: some.id });
      assert.ok(!byId.isError, byId.text);
      assert.equal(byId.data.agent.id, some.id);
      assert.match(byId.data.agent.url, /\/tasks\//);
      const byName = await h.call("get_agent", { agent: `${some.owner}/${some.name}` });
      assert.equal(byName.data.agent.id, some.id);
      const bare = await h.call("get_agent", { agent: some.name });
      assert.equal(bare.data.agent.id, some.id, "a bare name is the caller's own task");
      h.sim.clearRequests();
      await h.call("get_agent", { agent: some.id });
      const gets = h.sim.requests.filter((q) =>
        q.method === "GET" && q.path.endsWith(`/${some.id}`)
      );
      assert.equal(gets.length, 1, "the task is fetched once, not again for its extras");
    });

    await t.step("get_agent on an unknown agent is an actionable error", async () => {
      const r = await h.call("get_agent", { agent: "no-such-task-anywhere" });
      assert.equal(r.isError, true);
      assert.match(r.text, /No agent/);
      assert.match(r.text, /Next: .*list_agents/);
    });

    await t.step("list_templates shows AI templates with presets", async () => {
      const r = await h.call("list_templates");
      assert.ok(!r.isError, r.text);
      assert.ok(r.data.templates.length >= 1);
      assert.ok(r.data.templates[0].presets.length >= 1);
      assert.ok(r.data.organizations.length >= 1);
      assert.deepEqual(r.data.models, []);
    });

    let created: { id: string; name: string }[] = [];
    await t.step("create_task starts several agents and reports each", async () => {
      const tpl = (await h.call("list_templates")).data.templates[0];
      const before = h.sim.truth().total;
      const r = await h.call("create_task", {
        prompts: ["Write tests for parser", "Fix flaky CI"],
        template: tpl.name,
        name: "e2e-batch",
      });
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.created.length, 2);
      assert.deepEqual(r.data.failed, []);
      created = r.data.created;
      assert.deepEqual(created.map((c) => c.name).sort(), ["e2e-batch-1", "e2e-batch-2"]);
      const lines = r.text.split("\n");
      assert.equal(lines[0], "Created 2 of 2 tasks:");
      for (const c of created) {
        assert.ok(lines.some((l) => l.startsWith("- ") && l.includes(c.id)), `a line for ${c.id}`);
      }
      assert.equal(h.sim.truth().total, before + 2, "Coder has them");
    });

    await t.step(
      "create_task with an unknown template fails that item with a next step",
      async () => {
        const bad = await h.call("create_task", { prompt: "x", template: "no-such-template" });
        assert.equal(bad.isError ?? false, false);
        assert.equal(bad.data.failed.length, 1);
        assert.match(bad.data.failed[0].error, /list_templates/);
      },
    );

    await t.step("wait_for_agents returns when the new agents settle", async () => {
      assert.equal(created.length, 2, "needs the agents create_task started");
      // A minute of the sim's time per round: they boot, work and settle in a few rounds.
      const r = await h.callAdvancing("wait_for_agents", {
        agents: created.map((c) => c.id),
        mode: "all",
        timeout_s: 60,
      }, 60_000);
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.done, true, r.text);
      assert.equal(r.data.changed_total, 2);
    });

    // Each step below works on its own seeded task, so that one failure hides nothing else.
    const ids = h.sim.taskIds();

    await t.step("send_input sends to an idle task, and get_logs shows it", async () => {
      const id = ids[0];
      h.sim.setTask(id, { status: "active", state: "idle", message: "waiting for you" });
      const r = await h.call("send_input", { agents: [id], input: "Also cover edge cases" });
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.results[0].outcome, "sent", r.text);
      const logs = await h.call("get_logs", { agent: id, limit: 50 });
      assert.ok(!logs.isError, logs.text);
      assert.ok(
        logs.data.messages.some((m: { text: string }) => m.text.includes("Also cover edge cases")),
      );
    });

    await t.step("send_input if_busy=fail sends nothing to a working task", async () => {
      const id = ids[1];
      h.sim.setTask(id, { status: "active", state: "working" });
      h.sim.clearRequests();
      const r = await h.call("send_input", { agents: [id], input: "hello", if_busy: "fail" });
      assert.equal(r.data.results[0].outcome, "busy");
      assert.equal(h.sim.requests.filter((q) => q.path.endsWith("/send")).length, 0);
    });

    await t.step("send_input if_busy=queue on a task: busy, Tasks cannot queue", async () => {
      const id = ids[1];
      h.sim.setTask(id, { status: "active", state: "working" });
      h.sim.clearRequests();
      const q = await h.call("send_input", { agents: [id], input: "hello", if_busy: "queue" });
      assert.equal(q.data.results[0].outcome, "busy");
      assert.match(q.data.results[0].detail, /cannot queue/);
      assert.equal(h.sim.requests.filter((q) => q.path.endsWith("/send")).length, 0);
    });

    await t.step("send_input if_busy=wait resumes a paused task first, then sends", async () => {
      const id = ids[2];
      h.sim.setTask(id, { status: "paused" });
      h.sim.clearRequests();
      const r = await h.callAdvancing(
        "send_input",
        { agents: [id], input: "carry on", wait_s: 120 },
        60_000,
      );
      assert.equal(r.data.results[0].outcome, "sent", r.text);
      const paths = h.sim.requests.filter((q) => q.method === "POST").map((q) => q.path);
      const resume = paths.findIndex((p) => p.endsWith("/resume"));
      const send = paths.findIndex((p) => p.endsWith("/send"));
      assert.ok(resume >= 0 && send > resume, paths.join(", "));
    });

    await t.step("send_input if_busy=wait sends once a working task goes idle", async () => {
      const id = ids[3];
      h.sim.setTask(id, { status: "active", state: "working" });
      h.sim.clearRequests();
      const r = await h.callAdvancing("send_input", {
        agents: [id],
        input: "when you are done",
        wait_s: 120,
      }, 60_000);
      assert.equal(r.data.results[0].outcome, "sent", r.text);
      assert.ok(
        h.sim.requests.some((q) => q.path === "/api/v2/tasks"),
        "it watched the task settle before sending",
      );
    });

    await t.step("Coder 500 on send is reported per agent; others still go through", async () => {
      const [a, b] = [ids[4], ids[5]];
      h.sim.setTask(a, { status: "active", state: "idle" });
      h.sim.setTask(b, { status: "active", state: "idle" });
      h.sim.fault(new RegExp(`/tasks/[^/]+/${a}/send$`), { status: 500, times: 1 });
      const r = await h.call("send_input", { agents: [a, b], input: "go", if_busy: "fail" });
      h.sim.clearFaults();
      const byId = Object.fromEntries(r.data.results.map((x: { id: string }) => [x.id, x]));
      assert.equal(byId[a].outcome, "failed");
      assert.match(byId[a].detail, /500/);
      assert.equal(byId[b].outcome, "sent");
    });

    await t.step("delete_agents deletes, and the fleet shrinks", async () => {
      const gone = [ids[6], ids[7]];
      const before = h.sim.truth().total;
      const r = await h.call("delete_agents", { agents: gone });
      assert.deepEqual(r.data.results.map((x: { outcome: string }) => x.outcome), ["done", "done"]);
      assert.equal(h.sim.truth().total, before - 2);
      const after = await h.call("get_agent", { agent: gone[0] });
      assert.equal(after.isError, true);
    });

    await t.step("invalid arguments are rejected with a message", async () => {
      const r = await h.call("list_agents", { limit: 5000 });
      assert.equal(r.isError, true);
      assert.match(r.text, /limit: Too big: expected number to be <=200/);
    });

    await t.step("agent-written text is sanitised and capped in every output", async () => {
      const id = ids[8];
      const evil = "ok\u001b[2J\u202Eevil\u200B\u0007 " + "x".repeat(5000);
      h.sim.setTask(id, { status: "active", state: "idle", message: evil });
      const g = await h.call("get_agent", { agent: id });
      const l = await h.call("list_agents", { query: "okevil" });
      // deno-lint-ignore no-control-regex
      const unsafe = /[\u0000-\u0008\u000B-\u001F\u202A-\u202E\u200B]/;
      for (const out of [g.text, g.data.agent.message, l.text, l.data.agents[0].message]) {
        assert.ok(!unsafe.test(out), "unsafe characters");
      }
      assert.ok(g.data.agent.message.length <= 200);
      assert.ok(l.data.agents[0].message.length <= 120);
      assert.match(g.text, /«okevil/, "agent text is quoted as data");
    });

    await t.step("wait_for_agents: an agent deleted while watched is reported gone", async () => {
      const id = ids[9];
      h.sim.setTask(id, { status: "active", state: "working" });
      // Delete once the wait is watching: its first progress notification (a round is done).
      let watching!: () => void;
      const started = new Promise<void>((r) => (watching = r));
      const waiting = h.client.callTool(
        { name: "wait_for_agents", arguments: { agents: [id], timeout_s: 60 } },
        { timeout: 120_000, onprogress: () => watching() },
      );
      await within(started, "the wait's first progress");
      const del = await h.call("delete_agents", { agents: [id] });
      assert.equal(del.data.results[0].outcome, "done");
      const r = await waiting;
      // deno-lint-ignore no-explicit-any
      const data = r.structuredContent as any;
      // deno-lint-ignore no-explicit-any
      const text = (r.content as any[]).map((c) => c.text ?? "").join("\n");
      assert.equal(data.done, true, text);
      assert.deepEqual(data.gone, [id]);
      assert.match(text, /Gone/);
    });

    await t.step("the session token appears nowhere", () => {
      for (const o of h.outputs) assert.ok(!o.includes(h.sim.token), "token leaked in a result");
      assert.ok(!h.stderr().includes(h.sim.token), "token leaked on stderr");
    });
  } finally {
    await h.close();
  }
});
