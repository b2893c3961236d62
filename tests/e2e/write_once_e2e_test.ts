/**
 * Writes go out once (issue 17, finding 1). Deno's `fetch` sends a request again by itself when
 * a reused connection resets before the answer, if it can replay the body (a string, bytes, or
 * no body at all); the client never sees the first failure. So a write whose connection reset
 * after Coder acted reached Coder twice, and the second answer ("busy", "already paused", "not
 * found") was reported instead of `uncertain`.
 *
 * For every write route of both back ends, end to end through the tools: the sim acts on the
 * request, then resets the connection (`reset`, `act: true`, once). Exactly one request reaches
 * Coder and the outcome is `uncertain` with the check to make, or, where Coder gives receipts
 * and a lost answer is sent again with the same `request_id`, `sent` with Coder's receipt.
 */
import assert from "node:assert/strict";
import type { Sim } from "../../src/sim/server.ts";
import { type Harness, startHarness, type ToolResult } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Row = any;

/** Requests to `method` on a path matching `route`, logged since index `from`. */
function hits(sim: Sim, from: number, method: string, route: RegExp) {
  return sim.requests.slice(from).filter((q) => q.method === method && route.test(q.path));
}

/** One agent's row of a batch result. */
function only(r: ToolResult): Row {
  assert.ok(r.data?.results?.length === 1, `one result expected: ${r.text}`);
  return r.data.results[0];
}

/** The write's outcome is `uncertain`, and says what to check before retrying. */
function assertUncertain(row: Row, text: string): void {
  assert.equal(row.outcome, "uncertain", text);
  assert.match(row.detail, /get_agent/, text);
}

/**
 * Reset the connection of the next `method` request to `route`, after the sim acted on it; run
 * `act`; return its result and the requests that reached the sim.
 */
async function resetOnce(
  h: Harness,
  method: string,
  route: RegExp,
  act: () => Promise<ToolResult>,
): Promise<{ r: ToolResult; sent: number }> {
  h.sim.clearFaults();
  const from = h.sim.requests.length;
  h.sim.fault(route, { kind: "reset", act: true, times: 1, method });
  try {
    const r = await act();
    const sent = hits(h.sim, from, method, route).length;
    return { r, sent };
  } finally {
    h.sim.clearFaults();
  }
}

/**
 * The chat writes that never carry a receipt, on any Coder: interrupt (`stop_agents` on the
 * running chat `stop`) and archive (`delete_agents` on the waiting chat `archive`).
 */
async function interruptAndArchive(
  t: Deno.TestContext,
  h: Harness,
  stop: string,
  archive: string,
): Promise<void> {
  await t.step("chat interrupt (POST .../interrupt)", async () => {
    h.sim.setChat(stop, { status: "running" });
    const { r, sent } = await resetOnce(
      h,
      "POST",
      new RegExp(`^/api/v2/chats/${stop}/interrupt$`),
      () => h.call("stop_agents", { agents: [stop] }),
    );
    assert.equal(sent, 1, `requests at Coder: ${r.text}`);
    assertUncertain(only(r), r.text);
  });
  await t.step("chat archive (PATCH /chats/{chat})", async () => {
    h.sim.setChat(archive, { status: "waiting" });
    const { r, sent } = await resetOnce(
      h,
      "PATCH",
      new RegExp(`^/api/v2/chats/${archive}$`),
      () => h.call("delete_agents", { agents: [archive] }),
    );
    assert.equal(sent, 1, `requests at Coder: ${r.text}`);
    assertUncertain(only(r), r.text);
    assert.ok(!h.sim.chatIds().includes(archive), "Coder did archive it");
  });
}

function taskOwner(sim: Sim, id: string): string {
  return (sim.task(id) as { owner_name: string }).owner_name;
}

function taskStatus(sim: Sim, id: string): string {
  return (sim.task(id) as { status: string }).status;
}

Deno.test("e2e writes once: a reset after Coder acted is one request and uncertain (tasks, chats)", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 12, chats: 40, pace: 1, tcpFaults: true, frozen: true },
  });
  const sim = h.sim;
  const tasks = sim.taskIds();
  const chats = sim.chatIds("own"); // only the owner may write to a chat
  const task = (i: number) => tasks[i];
  const taskRoute = (id: string, tail = "") => new RegExp(`^/api/v2/tasks/[^/]+/${id}${tail}$`);
  try {
    // Warm up: detection done, connections open and pooled (the replay needs a reused one).
    const warm = await h.call("fleet_overview");
    assert.ok(!warm.isError, warm.text);

    await t.step("task send (POST .../send)", async () => {
      const id = task(0);
      sim.setTask(id, { status: "active", state: "idle" });
      const { r, sent } = await resetOnce(
        h,
        "POST",
        taskRoute(id, "/send"),
        () => h.call("send_input", { agents: [id], input: "once", if_busy: "fail" }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assertUncertain(only(r), r.text);
    });

    await t.step("task pause (POST .../pause)", async () => {
      const id = task(1);
      sim.setTask(id, { status: "active", state: "working" });
      const { r, sent } = await resetOnce(
        h,
        "POST",
        taskRoute(id, "/pause"),
        () => h.call("stop_agents", { agents: [id] }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assertUncertain(only(r), r.text);
      assert.equal(taskStatus(sim, id), "paused", "Coder did pause it");
    });

    await t.step("task resume (POST .../resume)", async () => {
      const id = task(2);
      sim.setTask(id, { status: "paused" });
      const { r, sent } = await resetOnce(
        h,
        "POST",
        taskRoute(id, "/resume"),
        () => h.call("resume_agents", { agents: [id] }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assertUncertain(only(r), r.text);
    });

    await t.step("task prompt (PATCH .../input, before a resume)", async () => {
      const id = task(3);
      sim.setTask(id, { status: "paused" });
      const { r, sent } = await resetOnce(
        h,
        "PATCH",
        taskRoute(id, "/input"),
        () => h.call("resume_agents", { agents: [id], prompt: "a new prompt" }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assertUncertain(only(r), r.text);
    });

    await t.step("task delete (DELETE .../{task})", async () => {
      const id = task(4);
      sim.setTask(id, { status: "active", state: "idle" });
      const { r, sent } = await resetOnce(
        h,
        "DELETE",
        taskRoute(id),
        () => h.call("delete_agents", { agents: [id] }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assertUncertain(only(r), r.text);
      assert.ok(!sim.taskIds().includes(id), "Coder did delete it");
    });

    await t.step("task create (POST /tasks/{user})", async () => {
      const before = sim.taskIds().length;
      const owner = taskOwner(sim, task(5));
      const { r, sent } = await resetOnce(
        h,
        "POST",
        /^\/api\/v2\/tasks\/[^/]+$/,
        () =>
          h.call("create_task", {
            kind: "task",
            prompt: "write once",
            owner,
            template: "claude-code",
          }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assert.equal(r.data.created.length, 0, r.text);
      assert.equal(r.data.uncertain.length, 1, r.text);
      assert.match(r.data.uncertain[0].error, /list_agents|get_agent/, r.text);
      assert.equal(sim.taskIds().length, before + 1, "Coder created exactly one task");
    });

    await t.step("chat send, no receipts (POST .../messages)", async () => {
      const id = chats[0];
      sim.setChat(id, { status: "waiting" });
      const messages = sim.chatMessages(id);
      const { r, sent } = await resetOnce(
        h,
        "POST",
        new RegExp(`^/api/v2/chats/${id}/messages$`),
        () => h.call("send_input", { agents: [id], input: "once", if_busy: "queue" }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assertUncertain(only(r), r.text);
      assert.ok(sim.chatMessages(id) > messages, "Coder took the message");
    });

    await interruptAndArchive(t, h, chats[1], chats[2]);

    await t.step("chat create, no receipts (POST /chats)", async () => {
      const before = sim.chatIds().length;
      const { r, sent } = await resetOnce(
        h,
        "POST",
        /^\/api\/v2\/chats$/,
        () => h.call("create_task", { kind: "chat", prompt: "write once" }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assert.equal(r.data.created.length, 0, r.text);
      assert.equal(r.data.uncertain.length, 1, r.text);
      assert.equal(sim.chatIds().length, before + 1, "Coder created exactly one chat");
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e writes once: current Coder, receipts and the writes without them", async (t) => {
  const h = await startHarness({
    sim: { profile: "current", chats: 8, pace: 1, tcpFaults: true, frozen: true },
  });
  const sim = h.sim;
  const chats = sim.chatIds("own"); // only the owner may write to a chat
  try {
    const warm = await h.call("fleet_overview");
    assert.ok(!warm.isError, warm.text);

    await t.step("chat create before receipts are known: one request, uncertain", async () => {
      const before = sim.chatIds().length;
      const { r, sent } = await resetOnce(
        h,
        "POST",
        /^\/api\/v2\/chats$/,
        () => h.call("create_task", { kind: "chat", prompt: "first write" }),
      );
      assert.equal(sent, 1, `requests at Coder: ${r.text}`);
      assert.equal(r.data.uncertain.length, 1, r.text);
      assert.equal(sim.chatIds().length, before + 1, "Coder created exactly one chat");
    });

    await t.step("chat send with a receipt: the lost answer is fetched again, sent", async () => {
      // A first send teaches the server that this Coder honours request_id.
      sim.setChat(chats[0], { status: "waiting" });
      const first = await h.call("send_input", { agents: [chats[0]], input: "hello" });
      assert.equal(only(first).outcome, "sent", first.text);
      const id = chats[1];
      sim.setChat(id, { status: "waiting" });
      const messages = sim.chatMessages(id);
      const receipts = sim.receipts().length;
      const { r, sent } = await resetOnce(
        h,
        "POST",
        new RegExp(`^/api/v2/chats/${id}/messages$`),
        () => h.call("send_input", { agents: [id], input: "once", if_busy: "queue" }),
      );
      const row = only(r);
      assert.equal(row.outcome, "sent", r.text);
      assert.match(row.detail, /receipt accepted/, r.text);
      // Sent again with the same request_id, Coder answered with the first write's receipt.
      assert.equal(sent, 2, `requests at Coder: ${r.text}`);
      assert.equal(sim.receipts().length, receipts + 1, "one receipt: Coder acted once");
      assert.equal(sim.chatMessages(id), messages + 1, "one message stored");
    });

    await interruptAndArchive(t, h, chats[2], chats[3]);
  } finally {
    await h.close();
  }
});
