/**
 * The send policy (src/fleet/send.ts) against the sim over real HTTP, without the MCP layer: a
 * task in `error` takes no input (busy, naming the state, nothing sent), every agent of a call
 * gets its own request id and a busy refusal a fresh one, and under `if_busy: wait` a list round
 * that fails keeps the call's report (what was sent stays `sent`; nothing is sent twice).
 */
import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import { Fleet, type Resolved, type Round } from "../../src/fleet/fleet.ts";
import { previewSend, sendInput, type SendOptions } from "../../src/fleet/send.ts";
import { requestIdFor } from "../../src/fleet/request_id.ts";
import { AgentBusyError } from "../../src/coder/errors.ts";
import { FleetError, type SendResult } from "../../src/model/backend.ts";
import { anAgent } from "../agent_fixture.ts";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";
import { pause, within } from "../deadline.ts";

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

// ---- The policy's own decisions, over a hand-made fleet (no HTTP): each round lists the agents
// as `states` says at that round; sends and resumes are recorded.

type Call = { op: "send" | "resume"; id: string };

/**
 * A fleet of hand-made agents: round r lists each agent in the state `states(r)` gives it; the
 * back end records each send and resume and answers as `send` / `resume` say.
 */
function handFleet(opts: {
  states?: (round: number) => Record<string, Agent["state"]>;
  send?: (a: Agent, n: number) => Promise<SendResult>;
  resume?: (a: Agent) => Promise<void>;
  refusal?: (a: Agent) => FleetError | undefined;
  round?: () => Promise<Round>;
  /** How far the fleet's clock moves per round (default: it is the real one). */
  tickMs?: number;
  /** The pacer's first steps (then: list the tasks, no event). */
  steps?: { kinds: Agent["kind"][]; events: { kind: string; agent: Agent }[] }[];
}) {
  const calls: Call[] = [];
  const rids: (string | undefined)[] = [];
  const paced: number[] = [];
  const asked: number[] = [];
  let rounds = 0;
  let sends = 0;
  let clock = 0;
  const backend = {
    send: (a: Agent, _input: string, _busy?: string, requestId?: string) => {
      calls.push({ op: "send", id: a.id });
      rids.push(requestId);
      return opts.send?.(a, sends++) ?? Promise.resolve({ outcome: "sent", detail: "delivered" });
    },
    resume: async (a: Agent) => {
      calls.push({ op: "resume", id: a.id });
      await opts.resume?.(a);
      return { outcome: "done", detail: "resumed" };
    },
    refusal: opts.refusal,
  };
  const fleet = {
    pollMs: 1,
    now: () => opts.tickMs === undefined ? Date.now() : clock,
    roundClock: () => rounds,
    backendOf: () => Promise.resolve(backend),
    pacer: (_kinds: unknown, pollMs: number) => {
      paced.push(pollMs);
      return Promise.resolve({
        next: (maxMs: number) => {
          asked.push(maxMs);
          return Promise.resolve(opts.steps?.shift() ?? { kinds: ["task"], events: [] });
        },
        close() {},
      });
    },
    round: () => {
      clock += opts.tickMs ?? 0;
      if (opts.round) return opts.round();
      rounds++;
      const states = opts.states?.(rounds) ?? {};
      const agents = Object.entries(states).map(([id, state]) => anAgent({ id, state }));
      return Promise.resolve({
        agents,
        errors: [],
        sentAt: rounds,
        get: (id: string) => agents.find((a) => a.id === id),
      });
    },
  } as unknown as Fleet;
  return { fleet, calls, asked, rids, paced, rounds: () => rounds };
}

const target = (id: string, state: Agent["state"], kind: Agent["kind"] = "task"): Resolved => ({
  handle: `alice/${id}`,
  agent: anAgent({ id, state, kind }),
});

const policy = (p: Partial<SendOptions> = {}): SendOptions => ({
  input: "go on",
  ifBusy: "wait",
  waitMs: 10_000,
  ...p,
});

Deno.test("send: under if_busy=wait a paused task is resumed first, then sent once it is ready", async () => {
  const { fleet, calls } = handFleet({ states: (r) => ({ p: r < 2 ? "starting" : "idle" }) });
  const out = await within(sendInput(fleet, [target("p", "paused")], policy()), "send_input");
  assert.deepEqual(calls, [{ op: "resume", id: "p" }, { op: "send", id: "p" }]);
  assert.deepEqual(out.map((r) => [r.outcome, r.detail]), [["sent", "delivered"]]);
});

Deno.test("send: a paused task that cannot be resumed is reported so, and neither sent nor waited for", async () => {
  const down = () => Promise.reject(new Error("Coder answered 500: boom"));
  const { fleet, calls, rounds } = handFleet({ resume: down });
  const out = await within(sendInput(fleet, [target("p", "paused")], policy()), "send_input");
  assert.deepEqual(out.map((r) => [r.outcome, r.detail]), [
    ["failed", "could not resume: Coder answered 500: boom"],
  ]);
  assert.deepEqual(calls, [{ op: "resume", id: "p" }], "nothing sent");
  assert.equal(rounds(), 0, "nothing left to wait for: no round");
  // The call's own failure report decides the outcome (a write that may have happened).
  const uncertain = handFleet({ resume: down });
  const [r] = await within(
    sendInput(
      uncertain.fleet,
      [target("p", "paused")],
      policy({ failure: () => ({ outcome: "uncertain", detail: "may have resumed" }) }),
    ),
    "send_input",
  );
  assert.deepEqual([r.outcome, r.detail], ["uncertain", "could not resume: may have resumed"]);
});

Deno.test("send: a send that fails is failed, with the error's line unless the call says otherwise", async () => {
  const fail = () => Promise.reject(new Error("Coder answered 500:\nboom"));
  const { fleet } = handFleet({ send: fail });
  const out = await within(
    sendInput(fleet, [target("a", "idle"), target("b", "idle")], policy()),
    "send_input",
  );
  assert.deepEqual(out.map((r) => [r.agent, r.outcome, r.detail]), [
    ["alice/a", "failed", "Coder answered 500: boom"],
    ["alice/b", "failed", "Coder answered 500: boom"],
  ]);
  const told = handFleet({ send: fail });
  const [r] = await within(
    sendInput(
      told.fleet,
      [target("a", "idle")],
      policy({ failure: () => ({ outcome: "uncertain", detail: "may have been sent" }) }),
    ),
    "send_input",
  );
  assert.deepEqual([r.outcome, r.detail], ["uncertain", "may have been sent"]);
});

Deno.test("send: a send the back end refuses outright (another user's chat) fails at once, never waited for", async () => {
  // The back end is asked about a send (the tool's dry run asks the same).
  const refusal = (a: Agent, write = "send") =>
    a.owner === "bob"
      ? new FleetError(`bob's chat is not yours to ${write}.`, "Ask bob.")
      : undefined;
  const { fleet, calls, rounds } = handFleet({ refusal, states: () => ({ mine: "idle" }) });
  const theirs: Resolved = {
    handle: "bob/c",
    agent: anAgent({ id: "c", owner: "bob", kind: "chat", state: "working" }),
  };
  const out = await within(
    sendInput(fleet, [theirs, target("mine", "working")], policy()),
    "send_input",
  );
  assert.deepEqual(out.map((r) => [r.agent, r.outcome, r.detail]), [
    ["bob/c", "failed", "bob's chat is not yours to send. Next: Ask bob."],
    ["alice/mine", "sent", "delivered"],
  ]);
  assert.deepEqual(calls, [{ op: "send", id: "mine" }]);
  assert.equal(rounds(), 1, "one round: the other agent's");
  // The dry run says the same, and sends nothing.
  assert.deepEqual(
    previewSend([theirs, target("mine", "idle")], policy(), refusal).map((r) => [
      r.outcome,
      r.detail,
    ]),
    [["failed", "bob's chat is not yours to send. Next: Ask bob."], [
      "would",
      "send (idle; if_busy=wait)",
    ]],
  );
});

Deno.test("send: a busy refusal of a send in a wait round puts the agent back on the watch", async () => {
  const send = (_a: Agent, n: number) =>
    n === 0
      ? Promise.reject(new AgentBusyError("Task app is not ready to accept input."))
      : Promise.resolve({ outcome: "sent" as const, detail: "delivered" });
  const { fleet, calls, rounds } = handFleet({ send, states: () => ({ w: "idle" }) });
  const out = await within(sendInput(fleet, [target("w", "working")], policy()), "send_input");
  assert.deepEqual(out.map((r) => r.outcome), ["sent"]);
  assert.deepEqual(calls, [{ op: "send", id: "w" }, { op: "send", id: "w" }]);
  assert.equal(rounds(), 2, "sent in the round after the refusal");
});

Deno.test("send: a cancel during a failed round ends the call with no further round", async () => {
  const ctl = new AbortController();
  let asked = 0;
  const { fleet } = handFleet({
    round: () => {
      asked++;
      ctl.abort(new Error("cancelled"));
      return Promise.reject(new Error("the list was cut"));
    },
  });
  await assert.rejects(
    within(sendInput(fleet, [target("w", "working")], policy({ signal: ctl.signal })), "send"),
    /the list was cut/,
  );
  assert.equal(asked, 1);
});

Deno.test("send: under if_busy=wait an agent still busy when wait_s runs out is busy, saying what to do", async () => {
  const { fleet, calls, asked } = handFleet({ tickMs: 1_000, states: () => ({ w: "working" }) });
  const progress: number[][] = [];
  const out = await within(
    sendInput(fleet, [target("w", "working"), target("i", "idle")], {
      ...policy({ waitMs: 3_000 }),
      onRound: (round, done, total) => {
        progress.push([round, done, total]);
      },
    }),
    "send_input",
  );
  assert.deepEqual(out.map((r) => [r.outcome, r.detail]), [
    ["busy", "still working after 3 s; nothing sent: wait_for_agents, then send again"],
    ["sent", "delivered"],
  ]);
  assert.deepEqual(calls, [{ op: "send", id: "i" }]);
  assert.deepEqual(progress, [[1, 1, 2], [2, 1, 2], [3, 1, 2]], "progress after each round");
  assert.deepEqual(asked, [3_000, 2_000, 1_000], "no round waits past wait_s");
  // A long wait still reports progress: no round waits more than 5 s.
  const long = handFleet({ tickMs: 60_000, states: () => ({ w: "working" }) });
  await within(
    sendInput(long.fleet, [target("w", "working")], policy({ waitMs: 120_000 })),
    "send",
  );
  assert.deepEqual(long.asked, [5_000, 5_000]);
});

Deno.test("send: what each policy does first with a busy agent, and the dry run's words for it", () => {
  const busyTask = target("t", "working");
  const busyChat = target("c", "working", "chat");
  const idleChat = target("i", "idle", "chat");
  const dry = (t: Resolved, ifBusy: SendOptions["ifBusy"]) => {
    const [r] = previewSend([t], { ifBusy, waitMs: 45_000 });
    return `${r.outcome}: ${r.detail}`;
  };
  assert.equal(
    dry(busyTask, "queue"),
    "busy: task is working; Coder Tasks cannot queue or interrupt input: retry with if_busy=wait, or later",
  );
  assert.equal(dry(busyTask, "interrupt"), dry(busyTask, "queue"));
  assert.equal(
    dry(busyTask, "fail"),
    "busy: agent is working; nothing sent (if_busy=fail): retry later or use if_busy=wait",
  );
  assert.equal(
    dry(busyChat, "fail"),
    "busy: agent is working; nothing sent (if_busy=fail): retry later or use if_busy=wait",
  );
  assert.equal(
    dry(busyChat, "queue"),
    "would: queue behind the current turn (working; if_busy=queue)",
  );
  assert.equal(
    dry(busyChat, "interrupt"),
    "would: interrupt the current turn (working; if_busy=interrupt)",
  );
  assert.equal(dry(idleChat, "queue"), "would: send (idle; if_busy=queue)");
  assert.equal(
    dry(target("p", "paused", "chat"), "wait"),
    "would: send once ready (paused; if_busy=wait, up to 45 s)",
  );
  assert.equal(
    dry(target("e", "error"), "wait"),
    "would: send once ready (error; if_busy=wait, up to 45 s)",
    "a task in error takes no input",
  );
  assert.equal(
    dry(target("ce", "error", "chat"), "wait"),
    "would: send (error; if_busy=wait)",
    "a chat in error takes a message",
  );
});

Deno.test("send: a handle that did not resolve is failed with its error and next step; a duplicate is sent once", async () => {
  const { fleet, calls } = handFleet({});
  const a = target("a", "idle");
  const out = await within(
    sendInput(fleet, [
      a,
      { handle: "nobody", error: new FleetError('No agent "nobody" was found.', "Look it up.") },
      { ...a, handle: "alice/a-again", duplicateOf: 0 },
    ], policy()),
    "send_input",
  );
  assert.deepEqual(out.map((r) => [r.agent, r.outcome, r.detail]), [
    ["alice/a", "sent", "delivered"],
    ["nobody", "failed", 'No agent "nobody" was found. Next: Look it up.'],
    ["alice/a-again", "duplicate", 'same agent as "alice/a" (item 1): handled once'],
  ]);
  assert.deepEqual(calls, [{ op: "send", id: "a" }]);
});

Deno.test("send: request ids derive from the call's id: the same call sends the same ids, two calls without one differ", async () => {
  const { fleet, rids } = handFleet({});
  const both = [target("a", "idle"), target("b", "idle")];
  await sendInput(fleet, both, policy({ callId: "call-1" }));
  await sendInput(fleet, both, policy({ callId: "call-1" }));
  assert.deepEqual(rids, [
    requestIdFor("call-1", 0),
    requestIdFor("call-1", 1),
    requestIdFor("call-1", 0),
    requestIdFor("call-1", 1),
  ]);
  const fresh = handFleet({});
  await sendInput(fresh.fleet, [target("a", "idle")], policy());
  await sendInput(fresh.fleet, [target("a", "idle")], policy());
  assert.equal(new Set(fresh.rids).size, 2, "each call its own id");
});

Deno.test("send: every busy refusal brings a new request id, not only the first", async () => {
  const send = (_a: Agent, n: number) =>
    n < 2
      ? Promise.reject(new AgentBusyError("Task app is not ready to accept input."))
      : Promise.resolve({ outcome: "sent" as const, detail: "delivered" });
  const { fleet, rids } = handFleet({ send, states: () => ({ w: "idle" }) });
  const [r] = await within(
    sendInput(fleet, [target("w", "idle")], policy({ callId: "call-1" })),
    "send_input",
  );
  assert.equal(r.outcome, "sent");
  assert.equal(rids.length, 3);
  assert.equal(new Set(rids).size, 3, "a lost answer may reuse an id; a refusal never does");
});

Deno.test("send: under if_busy=fail, a send Coder refuses as busy is busy, with Coder's words", async () => {
  const send = () => Promise.reject(new AgentBusyError("Task app is not ready to accept input."));
  const { fleet, rounds } = handFleet({ send });
  const out = await sendInput(fleet, [target("w", "idle")], policy({ ifBusy: "fail" }));
  assert.deepEqual(out.map((r) => [r.outcome, r.detail]), [[
    "busy",
    "Task app is not ready to accept input.",
  ]]);
  assert.equal(rounds(), 0, "not waited for");
});

Deno.test("send: a paused task's resume is done before the watch starts; a paused chat is not resumed", async () => {
  // A resume that takes a while (a real one is a build): nothing is watched or sent meanwhile.
  const slow = () => pause(50);
  const ok = handFleet({ resume: slow, states: () => ({ p: "idle" }) });
  const sent = await within(sendInput(ok.fleet, [target("p", "paused")], policy()), "send");
  assert.deepEqual(sent.map((r) => r.outcome), ["sent"]);
  assert.equal(ok.rounds(), 1, "one round, after the resume");
  assert.deepEqual(ok.paced, [1], "at the fleet's pace");
  const own = handFleet({ states: () => ({ w: "idle" }) });
  await within(sendInput(own.fleet, [target("w", "working")], policy({ pollMs: 250 })), "send");
  assert.deepEqual(own.paced, [250], "or at the call's own");
  const failing = handFleet({
    resume: () => pause(50).then(() => Promise.reject(new Error("Coder answered 500"))),
  });
  const out = await within(sendInput(failing.fleet, [target("p", "paused")], policy()), "send");
  assert.deepEqual(out.map((r) => r.detail), ["could not resume: Coder answered 500"]);
  assert.equal(failing.rounds(), 0, "nothing to watch");
  const chat = handFleet({ states: () => ({ c: "idle" }) });
  await within(sendInput(chat.fleet, [target("c", "paused", "chat")], policy()), "send");
  assert.deepEqual(chat.calls, [{ op: "send", id: "c" }], "sent once ready, not resumed");
});

Deno.test("send: a round woken by a watch event alone lists nothing; the event's state is enough to send", async () => {
  const idle = anAgent({ id: "w", state: "idle" });
  const { fleet, calls, rounds } = handFleet({
    steps: [{ kinds: [], events: [{ kind: "status_change", agent: idle }] }],
  });
  const out = await within(sendInput(fleet, [target("w", "working")], policy()), "send_input");
  assert.deepEqual(out.map((r) => r.outcome), ["sent"]);
  assert.deepEqual(calls, [{ op: "send", id: "w" }]);
  assert.equal(rounds(), 0, "no list request");
});

Deno.test("send: a call cancelled while it waits ends at once, before another round", async () => {
  const ctl = new AbortController();
  ctl.abort(new Error("cancelled"));
  const { fleet, rounds } = handFleet({ states: () => ({ w: "working" }) });
  await assert.rejects(
    within(sendInput(fleet, [target("w", "working")], policy({ signal: ctl.signal })), "send"),
    /cancelled/,
  );
  assert.equal(rounds(), 0);
});
