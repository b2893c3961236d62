/**
 * End to end: a hung Coder never outlasts the client. Against one server with a short call budget
 * (the user's setting `CODER_FLEET_CALL_BUDGET_S`, here 2 s, so that the test does not sleep
 * through the default 50 s; DESIGN's literal 50 s is asserted in tests/config_test.ts), the first
 * three cases at once and the writes after them, each judged in its own step:
 *
 * - a call that does not wait answers with an explanation within the call budget, before the
 *   client's own timeout, and is not reported "cancelled", since the client cancelled nothing:
 *   whether Coder hangs before the headers or stalls in the middle of the body;
 * - a waiting call whose rounds stall still sends progress (a heartbeat every second: half the
 *   budget), ends within its wait plus a margin (never longer than the call budget: a 3 s wait
 *   ends by 5 s), and is not reported "cancelled". The wait is 3 s, not 1, so that two beats
 *   still fit when a loaded machine delays the server's timers (a 1 s wait saw only one beat at
 *   load 7, with the suite's lanes side by side);
 * - writes whose answer never came are `uncertain`, with the check to make before retrying;
 *   never done, never failed.
 *
 * The server answers normally once Coder does.
 */
import assert from "node:assert/strict";
import { startHarness, type ToolResult } from "./harness.ts";

/** The call budget the server is given (s). */
const BUDGET_S = 2;
/** The client's request timeout: the budget plus a margin, as 50 s sits below 60 s. */
const CLIENT_TIMEOUT_MS = (BUDGET_S + 3) * 1000;
/** The wait of the waiting call (s), and the client's timeout for it: the wait, margin, slack. */
const WAIT_S = 3;
const WAIT_CLIENT_TIMEOUT_MS = (WAIT_S + BUDGET_S + 5) * 1000;

/**
 * The explanation, naming the budget: said by the server's timer, or by the Coder client's own
 * timeout sized to the time left in the call.
 */
const SAID = /did not answer within 2 s|no answer within (2|1\.\d) s \(the time left/;
/** The explanation of the waiting call, naming the wait plus its 2 s margin (5 s in all). */
const SAID_WAIT =
  /did not finish within 5 s \(its wait plus 2 s\)|no answer within ([1-4](\.\d)?) s \(the time left/;

// deno-lint-ignore no-explicit-any
const textOf = (r: any) => (r.content as { text?: string }[]).map((c) => c.text ?? "").join("\n");

/** A promise's value or its error, to judge later in a step. */
function settle<T>(p: Promise<T>): Promise<{ v: T } | { e: Error }> {
  return p.then(
    (v) => ({ v }),
    (e: unknown) => ({ e: e instanceof Error ? e : new Error(String(e)) }),
  );
}
function value<T>(out: { v: T } | { e: Error }): T {
  if ("e" in out) throw out.e;
  return out.v;
}

Deno.test("e2e budget: a hung Coder is explained within the call budget; lost answers are uncertain", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 6, chats: 6 },
    env: { CODER_FLEET_CALL_BUDGET_S: String(BUDGET_S) },
  });
  try {
    // Detection done (the first call also loads the server's code: on a loaded machine it may
    // outlast 2 s).
    let warm = await h.call("fleet_overview");
    for (let i = 0; i < 3 && warm.isError; i++) warm = await h.call("fleet_overview");
    assert.ok(!warm.isError, warm.text);
    const tl = await h.call("list_templates");
    assert.ok(!tl.isError, tl.text);
    // The waiting call's agent is the caller's own: it is looked up by its own route.
    const mine = (id: string) =>
      (h.sim.task(id) as { owner_name: string }).owner_name === h.sim.username;
    const w = h.sim.taskIds().find(mine)!;
    const [a, b, c] = h.sim.taskIds().filter((id) => id !== w);
    h.sim.setTask(a, { status: "active", state: "working" });
    h.sim.setTask(b, { status: "active", state: "working" });
    h.sim.setTask(c, { status: "active", state: "idle" });
    h.sim.setTask(w, { status: "active", state: "working" });

    // The task list hangs before its headers until cleared: longer than the budget and than the
    // client's timeout; every round of the waiting call lists the tasks: each hangs. The chat
    // list sends its headers and half its body, then nothing until cleared.
    h.sim.fault("/api/v2/tasks", { kind: "hang", method: "GET" });
    h.sim.fault("/api/v2/chats", { kind: "stall", method: "GET" });
    h.sim.clearRequests();

    const listWithin = (kind: string) =>
      settle(
        h.client.callTool({ name: "list_agents", arguments: { kind } }, {
          timeout: CLIENT_TIMEOUT_MS,
        }),
      );
    const hungList = listWithin("task");
    const stalledList = listWithin("chat");
    const seen: { progress: number; message?: string }[] = [];
    const stalledWait = settle(h.client.callTool(
      { name: "wait_for_agents", arguments: { agents: [w], timeout_s: WAIT_S } },
      {
        timeout: WAIT_CLIENT_TIMEOUT_MS,
        onprogress: (p: { progress: number; message?: string }) => void seen.push(p),
      },
    ));
    // Then the writes (send_input reads the task list, so they wait for the hang to end): they
    // reach Coder, which acts, but the answers come after the client gave up.
    const writes = settle((async () => {
      await Promise.all([hungList, stalledList, stalledWait]);
      h.sim.clearFaults();
      h.sim.fault(/\/pause$/, { delayMs: 20_000, method: "POST" });
      h.sim.fault(/\/send$/, { delayMs: 20_000, method: "POST" });
      h.sim.fault(/^\/api\/v2\/tasks\/[^/]+$/, { delayMs: 20_000, method: "POST" });
      return await Promise.all([
        h.call("stop_agents", { agents: [a, b] }),
        h.call("send_input", { agents: [c], input: "hello", if_busy: "fail" }),
        h.call("create_task", { prompt: "x", template: tl.data.templates[0]?.name }),
      ]);
    })());

    await t.step(
      "a hung list is explained within the call budget, before the client's timeout",
      async () => {
        const r = value(await hungList);
        assert.equal(r.isError, true);
        const text = textOf(r);
        assert.match(text, SAID, text);
        assert.match(text, /^Next: \S/m);
        assert.doesNotMatch(text, /cancel/i);
        assert.ok(h.sim.requests.some((q) => q.path === "/api/v2/tasks"), "the list reached Coder");
      },
    );

    await t.step("a stall mid-body is explained within the call budget", async () => {
      const r = value(await stalledList);
      assert.equal(r.isError, true);
      const text = textOf(r);
      assert.match(text, /^Error: \S/, text);
      assert.match(text, /^Next: \S/m);
      assert.doesNotMatch(text, /cancel/i, "a timeout is not a cancellation");
      assert.match(text, /in time|did not answer|timed? ?out|no answer|stall/i);
      assert.ok(h.sim.requests.some((q) => q.path === "/api/v2/chats"), "the list reached Coder");
    });

    await t.step("a wait whose rounds stall still sends progress", async () => {
      const r = value(await stalledWait);
      const text = textOf(r);
      const values = seen.map((p) => p.progress);
      assert.ok(seen.length >= 2, `progress while the rounds stalled: ${values.join(", ")}`);
      for (let i = 1; i < seen.length; i++) {
        assert.ok(values[i] > values[i - 1], "progress increases");
      }
      assert.ok(
        seen.every((p) => /of 1 agents settled/.test(p.message ?? "")),
        JSON.stringify(seen),
      );
      assert.equal(r.isError, true, text);
      // Said by the server's timer, or by the Coder client's timeout sized to the time left.
      assert.match(text, SAID_WAIT, text);
      assert.match(text, /^Next: \S/m);
      assert.doesNotMatch(text, /cancel/i, text);
    });

    await t.step("writes whose answer is lost are uncertain", async () => {
      const [stop, send, create]: ToolResult[] = value(await writes);
      for (const r of stop.data.results) {
        assert.equal(r.outcome, "uncertain", stop.text);
        assert.match(r.detail, /get_agent before retrying/);
      }
      assert.match(stop.text, /uncertain 2/);
      assert.equal(send.data.results[0].outcome, "uncertain", send.text);
      assert.match(send.data.results[0].detail, /get_agent before retrying/);
      assert.deepEqual(create.data.created, [], create.text);
      assert.deepEqual(create.data.failed, [], create.text);
      assert.equal(create.data.uncertain.length, 1, create.text);
      assert.match(create.data.uncertain[0].error, /list_agents/);
    });

    await t.step("the server answers normally once Coder does", async () => {
      h.sim.clearFaults();
      const again = await h.call("list_agents");
      assert.ok(!again.isError, again.text);
    });
  } finally {
    await h.close();
  }
});
