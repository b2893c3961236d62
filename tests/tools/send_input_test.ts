/**
 * send_input's answer, line by line: the counts first (a dry run's and a real send's, duplicate
 * and uncertain only when there are some), then each agent with its outcome and why: what a dry
 * run would do with each state under each if_busy, what a send did. In process, on the sim
 * (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { within } from "../deadline.ts";
import { onSim } from "./on_sim.ts";

const NOT_FOUND = 'No agent "nobody" was found. Next: A bare name means one of your own ' +
  "agents; use owner/name for another user's, or find it with list_agents.";

const BUSY = new Set(["working", "starting", "paused"]);

Deno.test("send_input: what a dry run would do with each state, and the counts", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    const ids = sim.taskIds();
    const state = sim.truth().by_id;
    const busy = ids.filter((id) => BUSY.has(state[id]));
    const ready = ids.filter((id) => !BUSY.has(state[id]));
    assert.ok(busy.length > 0 && ready.length > 0);
    const agents = [...ids, ids[1], "nobody"];
    const tail = [
      `- ${ids[1]}: duplicate (same agent as "${ids[1]}" (item 2): handled once)`,
      `- nobody: failed (${NOT_FOUND})`,
    ];

    const wait = await call("send_input", { agents, input: "Go on", dry_run: true });
    assert.ok(!wait.isError, wait.text);
    assert.deepEqual(wait.text.split("\n"), [
      `Dry run: ${ids.length} would get the message, 0 busy, 1 cannot, duplicate 1.`,
      ...ids.map((id) => {
        const s = state[id];
        if (!BUSY.has(s)) return `- ${id}: would (send (${s}; if_busy=wait))`;
        const resume = s === "paused" ? "resume, then " : "";
        return `- ${id}: would (${resume}send once ready (${s}; if_busy=wait, up to 45 s))`;
      }),
      ...tail,
    ]);
    const short = await call("send_input", {
      agents: [busy[0]],
      input: "Go on",
      wait_s: 7,
      dry_run: true,
    });
    assert.match(short.text, /if_busy=wait, up to 7 s\)\)$/);

    const fail = await call("send_input", {
      agents,
      input: "Go on",
      if_busy: "fail",
      dry_run: true,
    });
    assert.deepEqual(fail.text.split("\n"), [
      `Dry run: ${ready.length} would get the message, ${busy.length} busy, 1 cannot, duplicate 1.`,
      ...ids.map((id) =>
        BUSY.has(state[id])
          ? `- ${id}: busy (agent is ${
            state[id]
          }; nothing sent (if_busy=fail): retry later or use if_busy=wait)`
          : `- ${id}: would (send (${state[id]}; if_busy=fail))`
      ),
      ...tail,
    ]);
    assert.deepEqual(sim.requests.filter((q) => q.method !== "GET"), [], "a dry run sends nothing");

    // Sending: the counts of what happened, then each agent.
    const sent = await call("send_input", { agents, input: "Go on", if_busy: "fail" });
    const lines = sent.text.split("\n");
    assert.equal(
      lines[0],
      `sent ${ready.length}, queued 0, busy ${busy.length}, failed 1, duplicate 1`,
    );
    for (const [i, id] of ids.entries()) {
      assert.match(
        lines[i + 1],
        new RegExp(`^- ${id}: ${BUSY.has(state[id]) ? "busy" : "sent"} \\(`),
      );
    }
    assert.deepEqual(lines.slice(-2), tail);
    assert.doesNotMatch(sent.text, /Uncertain sends/);
  });
});

Deno.test("send_input: a busy chat queues the message; where names what it chose", async () => {
  await onSim({ sim: { profile: "current", chats: 8 } }, async ({ sim, call }) => {
    const own = sim.chatIds("own");
    const state = sim.truth().by_id;
    const working = own.filter((id) => state[id] === "working");
    assert.ok(working.length > 0 && working.length < own.length);
    const r = await call("send_input", { agents: own, input: "Go on", if_busy: "queue" });
    assert.ok(!r.isError, r.text);
    const lines = r.text.split("\n");
    assert.equal(
      lines[0],
      `sent ${own.length - working.length}, queued ${working.length}, busy 0, failed 0`,
    );
    for (const [i, id] of own.entries()) {
      assert.equal(
        lines[i + 1],
        state[id] === "working"
          ? `- ${id}: queued (queued: the chat is busy and will take it next (receipt accepted))`
          : `- ${id}: sent (sent (receipt accepted))`,
      );
    }
    const where = await call("send_input", {
      where: { owner: sim.username, state: "working" },
      input: "Stop there",
      if_busy: "interrupt",
      dry_run: true,
    });
    const w = where.text.split("\n");
    const n = where.data.results.length;
    assert.ok(n > 0);
    assert.equal(w[0], `where matched ${n} agent${n === 1 ? "" : "s"}, newest first.`);
    assert.equal(w[1], `Dry run: ${n} would get the message, 0 busy, 0 cannot.`);
    for (const l of w.slice(2)) {
      assert.match(
        l,
        /^- admin\/.+ \[[0-9a-f-]{36}\]: would \(interrupt the current turn \(working; if_busy=interrupt\)\)$/,
      );
    }
  });
});

Deno.test("send_input: while it waits for a busy agent, each round says how many are handled", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 2 } }, async ({ sim, client }) => {
    const [id] = sim.taskIds();
    sim.setTask(id, { status: "active", state: "working" });
    const messages: string[] = [];
    const r = await within(
      client.callTool({ name: "send_input", arguments: { agents: [id], input: "Next" } }, {
        timeout: 30_000,
        onprogress: (p) => {
          messages.push(p.message ?? "");
          // The first round saw it busy: it settles, and the next round sends.
          if (messages.length === 1) sim.setTask(id, { status: "active", state: "idle" });
        },
      }),
      "the send to end",
    );
    // deno-lint-ignore no-explicit-any
    const data = r.structuredContent as any;
    assert.equal(data.results[0].outcome, "sent", JSON.stringify(data));
    assert.equal(messages[0], "0 of 1 handled");
    assert.equal(messages.at(-1), "1 of 1 handled");
  });
});

Deno.test("send_input: a send that may have happened is counted and says what to check; where matching one and none", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    const state = sim.truth().by_id;
    const [id] = sim.taskIds().filter((i) => !BUSY.has(state[i]));
    // A gateway's 502 on the send: Coder may have delivered it.
    const off = sim.fault(/\/send$/, { method: "POST", status: 502, body: {} });
    const r = await call("send_input", { agents: [id], input: "Go on", if_busy: "fail" });
    off();
    const lines = r.text.split("\n");
    assert.equal(lines[0], "sent 0, queued 0, busy 0, failed 0, uncertain 1", r.text);
    assert.match(lines[1], new RegExp(`^- ${id}: uncertain \\(.*Next: Check with get_agent`));
    assert.equal(
      lines[2],
      "Uncertain sends may have been delivered: check those agents with get_agent before sending again.",
    );
    assert.equal(lines.length, 3);
    // where: one match has its counts; none says only that nothing would be done.
    const named = await call("get_agent", { agent: id });
    const one = await call("send_input", {
      where: { query: named.data.agent.name },
      input: "Go on",
      dry_run: true,
    });
    assert.deepEqual(one.text.split("\n").slice(0, 2), [
      "where matched 1 agent, newest first.",
      "Dry run: 1 would get the message, 0 busy, 0 cannot.",
    ]);
    const none = await call("send_input", {
      where: { owner: "nobody-at-all" },
      input: "Go on",
      dry_run: true,
    });
    assert.equal(none.text, "No agent matched where: nothing would be done.");
  });
});

Deno.test("send_input: wait_s in seconds to its edge: a millisecond short it still sends, at it the agent is busy", async () => {
  // The fleet's clock is the test's: it moves only when the test moves it, at a round.
  let t = Date.parse("2026-03-01T12:00:00Z");
  await onSim({ sim: { profile: "tasks", tasks: 2 }, fleet: { now: () => t } }, async (s) => {
    const [id] = s.sim.taskIds();
    const send = async (ms: number, settle: boolean) => {
      s.sim.setTask(id, { status: "active", state: "working" });
      let rounds = 0;
      const r = await within(
        s.client.callTool({
          name: "send_input",
          arguments: { agents: [id], input: "Next", wait_s: 3 },
        }, {
          timeout: 30_000,
          onprogress: () => {
            if (++rounds > 1) return;
            t += ms;
            if (settle) s.sim.setTask(id, { status: "active", state: "idle" });
          },
        }),
        "the send to end",
      );
      // deno-lint-ignore no-explicit-any
      return (r.structuredContent as any).results[0];
    };
    assert.equal((await send(2_999, true)).outcome, "sent");
    const late = await send(3_000, false);
    assert.equal(late.outcome, "busy");
    assert.match(late.detail, /^still working after 3 s; nothing sent/);
  });
});
