/**
 * End to end: the session token never leaves the server, whatever brings it back. A token that
 * Coder (or a proxy) echoes in an error body when it is revoked mid-session, and a token that an
 * agent writes into its own status or conversation, are both redacted from every result, error
 * and stderr line.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

Deno.test("e2e secrets: a token echoed in a Coder error body mid-session", async (t) => {
  const h = await startHarness({ sim: { profile: "tasks", tasks: 4 } });
  const token = h.sim.token;
  try {
    const first = await h.call("fleet_overview");
    assert.ok(!first.isError, first.text);
    const echo = {
      message: `Invalid session token ${token}`,
      detail: `header Coder-Session-Token: ${token}; encoded ${encodeURIComponent(token)}`,
      validations: [{ field: token, detail: `value ${token}` }],
    };

    await t.step("revoked on a read: the error says 401, not the token", async () => {
      h.sim.fault("/api/v2/tasks", { status: 401, method: "GET", body: echo });
      const r = await h.call("list_agents");
      h.sim.clearFaults();
      assert.equal(r.isError, true, r.text);
      assert.match(r.text, /401/);
      assert.match(r.text, /Next: The session token was rejected: set a valid CODER_SESSION_TOKEN/);
      assert.ok(!r.text.includes(token), r.text);
    });

    await t.step("refused on a write: the per-agent detail holds no token", async () => {
      const [id] = h.sim.taskIds();
      h.sim.setTask(id, { status: "active", state: "idle" });
      h.sim.fault(new RegExp(`/${id}/send$`), { status: 500, times: 1, body: echo });
      const r = await h.call("send_input", { agents: [id], input: "hi", if_busy: "fail" });
      h.sim.clearFaults();
      assert.equal(r.data.results[0].outcome, "failed", r.text);
      const all = r.text + JSON.stringify(r.data);
      assert.ok(!all.includes(token), all);
      assert.match(all, /Invalid session token/, "the rest of Coder's message is kept");
    });

    await t.step("nothing the server sent or logged holds the token", () => {
      for (const o of h.outputs) assert.ok(!o.includes(token), o);
      assert.ok(!h.stderr().includes(token), "stderr");
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e secrets: a token that an agent writes is redacted from every tool", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 2, chats: 2 } });
  const token = h.sim.token;
  try {
    await h.call("fleet_overview");
    const [taskId] = h.sim.taskIds();
    const [chatId] = h.sim.chatIds();

    await t.step("in a task's status message", async () => {
      h.sim.setTask(taskId, { status: "active", state: "idle", message: `tok ${token} end` });
      for (
        const [tool, args] of [
          ["get_agent", { agent: taskId }],
          ["list_agents", { kind: "task" }],
          ["fleet_overview", {}],
          ["wait_for_agents", { agents: [taskId], timeout_s: 1 }],
        ] as const
      ) {
        const r = await h.call(tool, args);
        assert.ok(!r.isError, r.text);
        const all = r.text + JSON.stringify(r.data);
        assert.ok(!all.includes(token), `${tool}: ${all}`);
      }
      const g = await h.call("get_agent", { agent: taskId });
      assert.match(g.data.agent.message, /tok \[redacted\] end/);
    });

    await t.step("in a chat's summary", async () => {
      h.sim.setChat(chatId, { status: "waiting", summary: `summary ${token}` });
      const r = await h.call("get_agent", { agent: chatId });
      assert.ok(!r.isError, r.text);
      assert.ok(!(r.text + JSON.stringify(r.data)).includes(token));
    });

    await t.step("in the conversation (get_logs, get_agent.recent)", async () => {
      h.sim.setTask(taskId, { status: "active", state: "idle" });
      const s = await h.call("send_input", {
        agents: [taskId],
        input: `the token is ${token}`,
        if_busy: "fail",
      });
      assert.equal(s.data.results[0].outcome, "sent", s.text);
      const logs = await h.call("get_logs", { agent: taskId, limit: 50 });
      assert.ok(!logs.isError, logs.text);
      assert.ok(logs.text.includes("the token is [redacted]"), logs.text);
      const g = await h.call("get_agent", { agent: taskId });
      assert.ok(!(g.text + JSON.stringify(g.data)).includes(token));
    });

    await t.step("nothing the server sent or logged holds the token", () => {
      for (const o of h.outputs) assert.ok(!o.includes(token), o);
      assert.ok(!h.stderr().includes(token), "stderr");
    });
  } finally {
    await h.close();
  }
});
