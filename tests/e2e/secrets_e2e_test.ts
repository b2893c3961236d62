/**
 * End to end: the session token never leaves the server, whatever brings it back. A token that
 * Coder (or a proxy) echoes in an error body when it is revoked mid-session, and a token that an
 * agent writes into its own status or conversation, are both redacted from every result, error
 * and stderr line.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

/** No output holds the token, nor, in any letter case, a long piece of it (12 characters). */
function assertNoPiece(texts: string[], token: string): void {
  const folded = token.toLowerCase();
  const pieces = [folded, folded.slice(0, 12), folded.slice(-12)];
  for (const o of texts) {
    const low = o.toLowerCase();
    for (const p of pieces) assert.ok(!low.includes(p), `a piece of the token (${p}) in: ${o}`);
  }
}

Deno.test("e2e secrets: a token echoed in a Coder error body mid-session", async (t) => {
  // Upper and lower case, so that a copy case-folded on the way is a different string.
  const h = await startHarness({
    sim: { profile: "tasks", tasks: 4, token: `CoderTok-${crypto.randomUUID().toUpperCase()}` },
  });
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

    await t.step("a status message whose length cap cuts the token: no piece of it", async () => {
      const id = h.sim.taskIds()[1];
      // The cap (200) keeps 30 characters of the token, then "…".
      h.sim.setTask(id, { status: "active", state: "idle", message: "m".repeat(169) + token });
      for (const [tool, args] of [["get_agent", { agent: id }], ["list_agents", {}]] as const) {
        const r = await h.call(tool, args);
        assert.ok(!r.isError, r.text);
        assertNoPiece([r.text, JSON.stringify(r.data)], token);
      }
      const g = await h.call("get_agent", { agent: id });
      assert.match(g.data.agent.message, /m\[redacted\]…$/);
    });

    await t.step(
      "a redirect whose host carries the token comes back lower-cased: redacted",
      async () => {
        h.sim.fault("/api/v2/tasks", {
          kind: "redirect",
          method: "GET",
          location: `http://${token}.example.invalid/login`,
        });
        const r = await h.call("list_agents");
        h.sim.clearFaults();
        assert.equal(r.isError, true, r.text);
        assert.match(r.text, /redirect/);
        assert.match(r.text, /http:\/\/\[redacted\]\.example\.invalid/);
        assertNoPiece([r.text], token);
      },
    );

    await t.step("nothing the server sent or logged holds the token", () => {
      for (const o of h.outputs) assert.ok(!o.includes(token), o);
      assert.ok(!h.stderr().includes(token), "stderr");
      assertNoPiece([...h.outputs, h.stderr()], token);
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
