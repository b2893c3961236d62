/**
 * End to end: where Coder versions differ. v2.27 (the `old` profile) has no task pause or resume
 * routes and reads a task's conversation only from its running app; current Coder (v2.39) takes
 * request_id on chat writes and answers with receipts, and v2.37 does not.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

interface Result {
  agent: string;
  outcome: string;
  detail: string;
}

Deno.test("e2e v2.27: no pause or resume, and the truth about a stopped task's logs", async (t) => {
  const h = await startHarness({ sim: { profile: "old", tasks: 12, chats: 0, seed: 2 } });
  try {
    const ids = h.sim.taskIds();
    const [running, stopped] = ids;
    h.sim.setTask(running, { status: "running", state: "working" });
    h.sim.setTask(stopped, { status: "stopped" });

    await t.step("stop_agents: this Coder cannot pause tasks, v2.29 can; no 'retry'", async () => {
      const r = await h.call("stop_agents", { agents: [running] });
      const [res] = r.data.results as Result[];
      assert.equal(res.outcome, "failed", r.text);
      assert.match(res.detail, /Coder v2\.27\.1 cannot pause or resume tasks/);
      assert.match(res.detail, /from Coder v2\.29 on/);
      assert.doesNotMatch(res.detail, /retry/i);
    });

    await t.step("resume_agents: the same, for a stopped task", async () => {
      const r = await h.call("resume_agents", { agents: [stopped] });
      const [res] = r.data.results as Result[];
      assert.equal(res.outcome, "failed", r.text);
      assert.match(res.detail, /cannot pause or resume tasks/);
      assert.doesNotMatch(res.detail, /retry/i);
    });

    await t.step("get_logs on a stopped task: stopped, not 'still starting'", async () => {
      const r = await h.call("get_logs", { agent: stopped });
      assert.equal(r.isError, true);
      assert.match(r.text, /is stopped/);
      assert.match(r.text, /keeps no copy while the workspace is stopped/);
      assert.doesNotMatch(r.text, /still starting/);
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e v2.39: request_id receipts on create and send; a lost answer retried safely", async (t) => {
  const h = await startHarness({ sim: { profile: "current", chats: 6, seed: 4, tcpFaults: true } });
  try {
    let chat = "";
    await t.step("create_task sends a request_id per item and reports the receipts", async () => {
      const r = await h.call("create_task", { prompts: ["First job", "Second job"] });
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.created.length, 2);
      assert.deepEqual(r.data.receipts.map((x: { state: string }) => x.state), [
        "accepted",
        "accepted",
      ]);
      const ids = r.data.receipts.map((x: { request_id: string }) => x.request_id);
      assert.equal(new Set(ids).size, 2, "one request id per item");
      assert.deepEqual(
        h.sim.receipts(),
        ids.sort((a: string, b: string) =>
          h.sim.receipts().indexOf(a) - h.sim.receipts().indexOf(b)
        ),
      );
      chat = r.data.created[0].id;
    });

    await t.step("send_input: the receipt's state in detail", async () => {
      const r = await h.call("send_input", { agents: [chat], input: "more", if_busy: "queue" });
      assert.match(r.data.results[0].detail, /receipt accepted/, r.text);
    });

    await t.step(
      "an answer lost after Coder acted: sent again with the same id, acted once",
      async () => {
        const before = h.sim.chatMessages(chat);
        const queuedBefore = h.sim.receipts().length;
        h.sim.fault(`/api/v2/chats/${chat}/messages`, { kind: "reset", method: "POST", times: 1 });
        const r = await h.call("send_input", {
          agents: [chat],
          input: "once only",
          if_busy: "interrupt",
        });
        const [res] = r.data.results as Result[];
        assert.equal(res.outcome, "sent", r.text);
        assert.match(res.detail, /receipt accepted/);
        const posts = h.sim.requests.filter((q) =>
          q.method === "POST" && q.path === `/api/v2/chats/${chat}/messages`
        );
        assert.ok(posts.some((q) => q.fault === "reset"), "the first answer was lost");
        assert.equal(h.sim.receipts().length, queuedBefore + 1, "one submission");
        // The interrupt note and the message itself: once, although the request went twice.
        assert.equal(h.sim.chatMessages(chat), before + 2);
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("e2e v2.37: no receipts, writes as before", async () => {
  const h = await startHarness({ sim: { profile: "chats", chats: 6, seed: 4 } });
  try {
    const c = await h.call("create_task", { prompts: ["A job", "Another"] });
    assert.ok(!c.isError, c.text);
    assert.equal(c.data.created.length, 2);
    assert.equal(c.data.receipts, undefined);
    // The new chat is running: send_input waits for its turn to end (a minute of the sim's time
    // per round), then sends.
    const s = await h.callAdvancing(
      "send_input",
      { agents: [c.data.created[0].id], input: "x" },
      60_000,
    );
    assert.equal(s.data.results[0].outcome, "sent", s.text);
    assert.doesNotMatch(s.data.results[0].detail, /receipt/);
    assert.deepEqual(h.sim.receipts(), []);
  } finally {
    await h.close();
  }
});
