/**
 * End to end: reading agents, each behaviour with its own direct assertion. get_logs honours
 * max_chars (truncated, has_older, next_after_id) and pages both ways in ascending order;
 * get_agent.recent holds the newest messages; list_agents pages without overlap and filters;
 * fleet_overview's attention puts the longest waiting first. The sim's clock is frozen: no agent
 * moves between two calls whose answers are compared.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

type Msg = { id: number; role: string; text: string };

Deno.test("e2e reading: logs, recent, paging and attention", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 12, chats: 6, seed: 5, frozen: true },
  });
  try {
    await h.call("fleet_overview");
    const [taskId, other] = h.sim.taskIds();
    // A task with a known conversation: three long inputs, each 1500 characters, sent when idle.
    const inputs = ["A", "B", "C"].map((c) => `${c}: ` + `${c.toLowerCase()} `.repeat(749));
    for (const input of inputs) {
      h.sim.setTask(taskId, { status: "active", state: "idle" });
      const s = await h.call("send_input", { agents: [taskId], input, if_busy: "fail" });
      assert.equal(s.data.results[0].outcome, "sent", s.text);
    }
    h.sim.setTask(taskId, { status: "active", state: "idle" }); // and the clock is frozen
    const full = await h.call("get_logs", { agent: taskId, limit: 200, max_chars: 100_000 });
    assert.ok(!full.isError, full.text);
    const all: Msg[] = full.data.messages;
    const newest = all[all.length - 1];

    await t.step("get_logs without max_chars pressure is whole and in ascending order", () => {
      assert.equal(full.data.truncated, false);
      assert.equal(full.data.has_older, false);
      const ids = all.map((m) => m.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.equal(newest.text.slice(0, 3), "C: ", "the last input is the newest message");
      assert.equal(full.data.next_after_id, newest.id);
    });

    await t.step("get_logs max_chars caps the text, keeps the newest, says so", async () => {
      const r = await h.call("get_logs", { agent: taskId, limit: 200, max_chars: 2000 });
      assert.ok(!r.isError, r.text);
      const got: Msg[] = r.data.messages;
      const chars = got.reduce((n, m) => n + m.text.length, 0);
      assert.ok(chars <= 2000, `${chars} characters returned for max_chars 2000`);
      assert.equal(r.data.truncated, true);
      assert.equal(r.data.has_older, true, "older messages were left out");
      assert.equal(got[got.length - 1].id, newest.id, "the newest message is kept");
      assert.equal(got[got.length - 1].text, newest.text, "whole, since it fits");
      assert.equal(r.data.next_after_id, newest.id);
      assert.match(r.text, /\[truncated: text was cut to max_chars=2000/);
    });

    await t.step("get_logs limit gives the newest messages", async () => {
      const r = await h.call("get_logs", { agent: taskId, limit: 2 });
      assert.deepEqual(r.data.messages.map((m: Msg) => m.id), all.slice(-2).map((m) => m.id));
      assert.equal(r.data.has_older, true);
    });

    await t.step("get_logs before_id pages back, after_id follows", async () => {
      const last2 = all.slice(-2);
      const back = await h.call("get_logs", { agent: taskId, limit: 2, before_id: last2[0].id });
      assert.deepEqual(
        back.data.messages.map((m: Msg) => m.id),
        all.slice(-4, -2).map((m) => m.id),
        "the two before, no overlap",
      );
      const fwd = await h.call("get_logs", { agent: taskId, after_id: all[0].id, limit: 2 });
      assert.deepEqual(fwd.data.messages.map((m: Msg) => m.id), all.slice(1, 3).map((m) => m.id));
      const none = await h.call("get_logs", { agent: taskId, after_id: newest.id });
      assert.deepEqual(none.data.messages, []);
      assert.equal(none.data.next_after_id, newest.id, "following keeps its place");
    });

    await t.step("get_agent.recent holds the newest three messages, oldest first", async () => {
      const r = await h.call("get_agent", { agent: taskId });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(r.data.recent.map((m: Msg) => m.id), all.slice(-3).map((m) => m.id));
      assert.match(r.data.recent[2].text, /^C: /);
    });

    await t.step("get_agent.recent of a chat holds its newest messages too", async () => {
      const [chatId] = h.sim.chatIds();
      const logs = await h.call("get_logs", { agent: chatId, limit: 200, max_chars: 100_000 });
      const r = await h.call("get_agent", { agent: chatId });
      const want = logs.data.messages.slice(-3).map((m: Msg) => m.id);
      assert.ok(want.length > 0, "the chat has messages");
      assert.deepEqual(r.data.recent.map((m: Msg) => m.id), want);
    });

    await t.step(
      "list_agents pages with a cursor: no overlap, no gap, bound to its query",
      async () => {
        const total = h.sim.truth().total;
        const seen: string[] = [];
        let cursor: string | undefined;
        let first: string | undefined;
        do {
          const p = await h.call("list_agents", { limit: 5, ...(cursor ? { cursor } : {}) });
          assert.ok(!p.isError, p.text);
          assert.equal(p.data.total, total);
          seen.push(...p.data.agents.map((a: { id: string }) => a.id));
          cursor = p.data.next_cursor;
          first ??= cursor;
        } while (cursor);
        assert.equal(seen.length, total);
        assert.equal(new Set(seen).size, total);
        const bad = await h.call("list_agents", { limit: 6, cursor: first });
        assert.equal(bad.isError, true, "a cursor is bound to its query");
        assert.match(bad.text, /Next:/);
      },
    );

    await t.step("list_agents filters: state, kind, query", async () => {
      h.sim.setTask(other, { status: "paused" });
      const paused = await h.call("list_agents", { state: ["paused"], limit: 200 });
      assert.ok(paused.data.agents.length > 0);
      for (const a of paused.data.agents) assert.equal(a.state, "paused");
      assert.ok(paused.data.agents.some((a: { id: string }) => a.id === other));
      const chats = await h.call("list_agents", { kind: "chat", limit: 200 });
      for (const a of chats.data.agents) assert.equal(a.kind, "chat");
      assert.equal(chats.data.total, h.sim.truth().by_kind.chat);
      h.sim.setTask(other, { status: "active", state: "idle", message: "zebra-quartz marker" });
      const q = await h.call("list_agents", { query: "zebra-quartz" });
      assert.deepEqual(q.data.agents.map((a: { id: string }) => a.id), [other]);
    });

    await t.step(
      "fleet_overview attention: settled agents, a decision or a failure first, each longest waiting first",
      async () => {
        const r = await h.call("fleet_overview");
        type Row = { state: string; state_since: string; waiting_for?: string };
        const att: Row[] = r.data.attention;
        assert.ok(att.length >= 2);
        for (const a of att) assert.ok(!["starting", "working"].includes(a.state), a.state);
        const urgent = (a: Row) => a.waiting_for === "action" || a.waiting_for === "fix";
        const first = att.filter(urgent);
        const rest = att.filter((a) => !urgent(a));
        assert.ok(first.length > 0 && rest.length > 0, "both groups shown: the order is tested");
        assert.deepEqual(att, [...first, ...rest]);
        for (const group of [first, rest]) {
          const since = group.map((a) => Date.parse(a.state_since));
          assert.deepEqual(since, [...since].sort((a, b) => a - b));
        }
        const since = rest.map((a) => Date.parse(a.state_since));
        assert.ok(since[0] < since[since.length - 1], "not all equal: the order is tested");
      },
    );
  } finally {
    await h.close();
  }
});
