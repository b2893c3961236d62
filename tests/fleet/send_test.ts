/**
 * The send policy (src/fleet/send.ts) against the sim over real HTTP, without the MCP layer: a
 * task in `error` takes no input (busy, naming the state, nothing sent), every agent of a call
 * gets its own request id and a busy refusal a fresh one, and under `if_busy: wait` a list round
 * that fails keeps the call's report (what was sent stays `sent`; nothing is sent twice).
 */
import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { sendInput, type SendOptions } from "../../src/fleet/send.ts";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";
import { within } from "../deadline.ts";

/** A sim and a fleet on it (polling, no watch socket), detection done. */
async function onSim(
  opts: SimOptions,
  fn: (sim: Sim, fleet: Fleet) => Promise<void>,
  fleetNow?: () => number,
): Promise<void> {
  const sim = await startSim({ frozen: true, ...opts });
  try {
    const fleet = new Fleet({
      url: sim.url,
      token: sim.token,
      pollMs: 100,
      watch: false,
      now: fleetNow,
    });
    await fleet.deployment();
    await fn(sim, fleet);
  } finally {
    await sim.close();
  }
}

/** Resolve `ids`, then send with `opts`; every agent must resolve. Bounded by a deadline. */
async function send(fleet: Fleet, ids: string[], opts: Partial<SendOptions>) {
  const targets = await fleet.resolveMany(ids);
  for (const t of targets) assert.ok("agent" in t, JSON.stringify(t));
  return await within(
    sendInput(fleet, targets, { input: "go on", ifBusy: "wait", waitMs: 10_000, ...opts }),
    "send_input to end",
  );
}

/** POSTs of task input to the task with this id. */
const taskSends = (sim: Sim, id: string) =>
  sim.requests.filter((q) => q.method === "POST" && q.path.endsWith(`/${id}/send`));

/**
 * Record the request id the policy hands to each send of `kind`'s back end (the back end is
 * real; the spy only listens).
 */
async function spySends(fleet: Fleet, kind: Agent["kind"]): Promise<(string | undefined)[]> {
  const [backend] = await fleet.backends(kind);
  const real = backend.send.bind(backend);
  const ids: (string | undefined)[] = [];
  backend.send = (agent, input, busy, requestId) => {
    ids.push(requestId);
    return real(agent, input, busy, requestId);
  };
  return ids;
}

Deno.test("send: a task in error (past the start grace) is busy, naming the state; nothing is sent", () =>
  // The fleet's clock runs 6 minutes ahead of the sim's: the error is past the 5 minute grace in
  // which a task in error still counts as starting.
  onSim({ profile: "tasks", tasks: 3 }, async (sim, fleet) => {
    const [id] = sim.taskIds();
    sim.setTask(id, { status: "error" });
    assert.equal((await fleet.resolve(id)).state, "error");
    for (const ifBusy of ["fail", "wait", "queue"] as const) {
      const [r] = await send(fleet, [id], { ifBusy, waitMs: 300 });
      assert.equal(r.outcome, "busy", `${ifBusy}: ${r.detail}`);
      assert.match(r.detail, /\berror\b/, `${ifBusy}: the detail names the state`);
    }
    assert.deepEqual(taskSends(sim, id), [], "no input was sent to a task in error");
  }, () => Date.now() + 6 * 60_000));

Deno.test("send: every agent of one call gets its own request id (each chat gets its message)", () =>
  onSim({ profile: "current", chats: 24 }, async (sim, fleet) => {
    const mine = sim.chatIds().filter((id) =>
      (sim.chat(id) as { owner_username: string }).owner_username === sim.username
    ).slice(0, 3);
    assert.equal(mine.length, 3, "the sim has three chats of the caller");
    for (const id of mine) sim.setChat(id, { status: "waiting" });
    const before = mine.map((id) => sim.chatMessages(id));
    const receipts = sim.receipts().length;
    const ids = await spySends(fleet, "chat");
    const out = await send(fleet, mine, {});
    assert.deepEqual(out.map((r) => r.outcome), ["sent", "sent", "sent"], JSON.stringify(out));
    assert.equal(new Set(ids).size, 3, `request ids ${ids}`);
    // Coder answers a request id it has seen with its first receipt, acting once: with a shared
    // id, the second and third chats would not get the message.
    assert.equal(new Set(sim.receipts().slice(receipts)).size, 3);
    assert.deepEqual(mine.map((id) => sim.chatMessages(id)), before.map((n) => n + 1));
  }));

Deno.test("send: after a busy refusal the next attempt carries a new request id", () =>
  onSim({ profile: "tasks", tasks: 3 }, async (sim, fleet) => {
    const [id] = sim.taskIds();
    sim.setTask(id, { status: "active", state: "idle" });
    // Listed idle, but Coder refuses the first send: busy (a definite refusal; nothing written).
    sim.fault(new RegExp(`/${id}/send$`), {
      status: 409,
      times: 1,
      body: { message: "Task app is not ready to accept input.", detail: "Status: working" },
    });
    const ids = await spySends(fleet, "task");
    const [r] = await send(fleet, [id], {});
    assert.equal(r.outcome, "sent", r.detail);
    assert.equal(taskSends(sim, id).length, 2);
    assert.equal(ids.length, 2);
    // The same id again would tell an idempotent Coder "you have seen this one": it would answer
    // the refusal again instead of acting.
    assert.notEqual(ids[1], ids[0], "a fresh request id after the refusal");
  }));

Deno.test("send: under if_busy=wait, a failed list round keeps the report; nothing is sent twice", () =>
  onSim({ profile: "tasks", tasks: 3 }, async (sim, fleet) => {
    const [idle, busy] = sim.taskIds();
    sim.setTask(idle, { status: "active", state: "idle" });
    sim.setTask(busy, { status: "active", state: "working" });
    const targets = await fleet.resolveMany([idle, busy]);
    // The first list round of the wait fails (a proxy mangles the answer); the busy task goes
    // idle after it.
    sim.fault("/api/v2/tasks", { kind: "malformed", method: "GET", times: 1 });
    const out = await within(
      sendInput(fleet, targets, {
        input: "go on",
        ifBusy: "wait",
        waitMs: 10_000,
        onRound: (round) => {
          if (round === 1) sim.setTask(busy, { status: "active", state: "idle" });
        },
      }),
      "send_input to end",
    );
    assert.ok(
      sim.requests.some((q) => q.path === "/api/v2/tasks" && q.fault === "malformed"),
      "a list round failed",
    );
    // The call still reports what it did: the first agent was sent to before the failed round,
    // the second after it. A call that threw instead would leave the caller to send again, and
    // the first agent would get the message twice.
    assert.deepEqual(out.map((r) => r.outcome), ["sent", "sent"], JSON.stringify(out));
    assert.equal(taskSends(sim, idle).length, 1);
    assert.equal(taskSends(sim, busy).length, 1);
  }));
