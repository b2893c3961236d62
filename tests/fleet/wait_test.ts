/**
 * Waits over the fleet (`fleet/wait.ts`, `fleet/watching.ts`) against the sim over real HTTP, its
 * clock frozen (nothing changes unless the test changes it), polling every 50 ms.
 */
import assert from "node:assert/strict";
import { Fleet } from "../../src/fleet/fleet.ts";
import { waitForAgents } from "../../src/fleet/wait.ts";
import { freshView } from "../../src/fleet/watching.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { within } from "../deadline.ts";
import type { Agent } from "../../src/model/agent.ts";
import type { WatchEvent } from "../../src/model/backend.ts";
import type { Step } from "../../src/fleet/pacer.ts";
import { anAgent, fixtureId } from "../agent_fixture.ts";

async function onSim(fn: (sim: Sim, fleet: Fleet) => Promise<void>): Promise<void> {
  const sim = await startSim({ profile: "tasks", tasks: 4, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false, pollMs: 50 });
    await fleet.deployment();
    await fn(sim, fleet);
  } finally {
    await sim.close();
  }
}

Deno.test("wait: a whole-fleet any_change wait ends when an agent it saw at the start changes", () =>
  onSim(async (sim, fleet) => {
    const [id] = sim.taskIds();
    const before = await fleet.resolve(id);
    const r = await within(
      waitForAgents(fleet, {
        until: "any_change",
        mode: "any",
        timeoutMs: 15_000,
        fresh: {},
        // After the first view: the task reports something new.
        onRound: (round) => {
          if (round === 0) sim.setTask(id, { message: `${before.message} and then some` });
        },
      }),
      "the wait to end on the change",
    );
    assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
    assert.deepEqual(r.met.map((a) => a.id), [id]);
    assert.deepEqual(r.already, [], "nothing has changed at the start: none set aside");
    assert.deepEqual(r.appeared, []);
    assert.equal(r.pending.length, sim.taskIds().length - 1);
  }));

Deno.test("wait: a whole-fleet any_change wait with nothing changing times out", () =>
  onSim(async (sim, fleet) => {
    const r = await waitForAgents(fleet, {
      until: "any_change",
      mode: "any",
      timeoutMs: 200,
      fresh: {},
    });
    assert.equal(r.done, false);
    assert.equal(r.timed_out, true);
    assert.equal(r.pending.length, sim.taskIds().length);
    assert.equal(r.already_total, 0);
  }));

Deno.test("wait: a round where one back end's list failed keeps its agents as last seen, looking none up", async () => {
  const sim = await startSim({ profile: "both", tasks: 3, chats: 3, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false, pollMs: 50 });
    await fleet.deployment();
    const [task] = sim.taskIds();
    const [chat] = sim.chatIds();
    sim.setTask(task, { status: "active", state: "working" });
    sim.setChat(chat, { status: "running" });
    const watch = [await fleet.resolve(task), await fleet.resolve(chat)];
    const chatLookups = () =>
      sim.requests.filter((r) => r.method === "GET" && r.path === `/api/v2/chats/${chat}`).length;
    const before = chatLookups();
    let failing = () => {};
    const r = await within(
      waitForAgents(fleet, {
        watch,
        until: "settled",
        mode: "any",
        timeoutMs: 15_000,
        onRound: (round) => {
          // From round 1 the chats list fails (every retry too), the tasks list answers; at
          // round 4 a task settles.
          if (round === 0) failing = sim.fault("/api/v2/chats", { method: "GET", status: 500 });
          if (round === 4) sim.setTask(task, { status: "active", state: "idle" });
        },
      }),
      "the wait to end",
    );
    assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
    assert.deepEqual(r.met.map((a) => a.id), [task]);
    assert.deepEqual(r.pending.map((a) => a.id), [chat], "the chat is still watched");
    assert.deepEqual(r.gone, [], "a chat the failed list did not show is not gone");
    assert.equal(chatLookups(), before, "the chat was not looked up for a failed list");
    assert.ok(sim.requests.some((q) => q.path === "/api/v2/chats" && q.status === 500));
    failing();
  } finally {
    await sim.close();
  }
});

// ---- Over a hand-made fleet (no HTTP): each round lists `lists[r]` (the last one after), each
// step of the pacer is scripted (its watch events, and which kinds it lists), and a watched
// agent missing from a list is looked up with `find`.

function handFleet(opts: {
  lists: Agent[][];
  steps?: Step[];
  find?: (id: string) => Promise<Agent[]>;
  /** How far the fleet's clock moves per step of the pacer (default: it is the real one). */
  tickMs?: number;
}) {
  let round = 0;
  let step = 0;
  let clock = 0;
  const looked: string[] = [];
  const asked: number[] = [];
  const paced: number[] = [];
  let closed = 0;
  const backend = {
    find: (h: { id: string }) => {
      looked.push(h.id);
      return opts.find?.(h.id) ?? Promise.resolve([]);
    },
  };
  const fleet = {
    pollMs: 1,
    now: () => opts.tickMs === undefined ? Date.now() : clock,
    roundClock: () => round,
    backends: () => Promise.resolve([{ kind: "task" }, { kind: "chat" }]),
    backendOf: () => Promise.resolve(backend),
    pacer: (_kinds: unknown, pollMs: number) => {
      paced.push(pollMs);
      return Promise.resolve({
        next: (maxMs: number) => {
          asked.push(maxMs);
          clock += opts.tickMs ?? 0;
          return Promise.resolve(opts.steps?.[step++] ?? { kinds: ["task", "chat"], events: [] });
        },
        close() {
          closed++;
        },
      });
    },
    round: () => {
      const agents = opts.lists[Math.min(round++, opts.lists.length - 1)];
      return Promise.resolve({
        agents,
        errors: [],
        sentAt: round,
        get: (id: string) => agents.find((a) => a.id === id),
      });
    },
  } as unknown as Fleet;
  return { fleet, looked, asked, paced, closed: () => closed };
}

const chat = (n: number, p: Partial<Agent> = {}) =>
  anAgent({ id: fixtureId(n), kind: "chat", name: `c-${n}`, state: "working", ...p });
const ev = (kind: string, agent: Agent): WatchEvent => ({ kind, agent });
const ids = (as: Agent[]) => as.map((a) => a.id);

Deno.test("wait: watch events change watched agents; a deleted or archived one is gone", async () => {
  const [a, b, c] = [chat(1), chat(2), chat(3)];
  const { fleet } = handFleet({
    lists: [[a, b, c]],
    steps: [{
      kinds: [],
      events: [
        ev("status_change", chat(1, { state: "idle" })),
        ev("deleted", chat(2)),
        ev("status_change", chat(3, { archived: true })),
      ],
    }],
  });
  const r = await within(
    waitForAgents(fleet, { watch: [a, b, c], until: "settled", mode: "all", timeoutMs: 10_000 }),
    "the wait",
  );
  assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
  assert.deepEqual(ids(r.met), [a.id]);
  assert.equal(r.met[0].state, "idle", "as the event told");
  assert.deepEqual(ids(r.gone), [b.id, c.id]);
  assert.deepEqual(r.pending, []);
  assert.equal(r.rounds, 1);
});

Deno.test("wait: a fresh wait takes in a new agent from the watch only if it matches, and is not deleted or archived", async () => {
  const mine = chat(1);
  const { fleet } = handFleet({
    lists: [[mine]],
    steps: [
      {
        kinds: [],
        events: [
          ev("created", chat(5, { owner: "bob", state: "idle" })),
          ev("deleted", chat(6, { state: "idle" })),
          ev("status_change", chat(7, { state: "idle", archived: true })),
        ],
      },
      { kinds: [], events: [ev("created", chat(8, { state: "idle" }))] },
    ],
  });
  const r = await within(
    waitForAgents(fleet, {
      until: "settled",
      mode: "any",
      timeoutMs: 10_000,
      fresh: { kind: "chat", owner: "alice" },
    }),
    "the wait",
  );
  assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
  assert.deepEqual(r.appeared, [fixtureId(8)], "only alice's new chat appeared");
  assert.deepEqual(ids(r.met), [fixtureId(8)]);
  assert.deepEqual(ids(r.pending), [mine.id]);
  assert.equal(r.rounds, 2, "the first round's events ended nothing");
});

Deno.test("wait: a watched agent a list no longer shows is looked up: found, it is as found; not found or archived, gone", async () => {
  const [a, b, c, d] = [1, 2, 3, 4].map((n) => anAgent({ id: fixtureId(n), state: "working" }));
  const { fleet, looked } = handFleet({
    lists: [[]],
    find: (id) =>
      id === b.id
        ? Promise.resolve([])
        : id === c.id
        ? Promise.resolve([{ ...c, archived: true }])
        : id === d.id
        ? Promise.reject(new Error("Coder answered 502"))
        : Promise.resolve([{ ...a, state: "idle" }]),
  });
  const r = await within(
    waitForAgents(fleet, { watch: [a, b, c, d], until: "settled", mode: "any", timeoutMs: 10_000 }),
    "the wait",
  );
  assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
  assert.deepEqual(looked.sort(), [a.id, b.id, c.id, d.id], "each missing agent looked up once");
  assert.deepEqual(ids(r.met), [a.id], "found idle");
  assert.equal(r.rounds, 1);
  assert.deepEqual(ids(r.gone), [b.id, c.id]);
  assert.deepEqual(ids(r.pending), [d.id], "a failed lookup keeps it as last seen");
});

Deno.test("wait: a later list supersedes what a watch event told of an agent", async () => {
  const a = chat(1);
  const { fleet } = handFleet({
    lists: [[chat(1, { state: "idle" })]],
    steps: [
      { kinds: [], events: [ev("status_change", chat(1, { state: "complete" }))] },
      { kinds: ["chat"], events: [] },
    ],
  });
  const r = await within(
    waitForAgents(fleet, { watch: [a], until: "idle", mode: "all", timeoutMs: 2_000 }),
    "the wait",
  );
  assert.equal(r.done, true, `timed out after ${r.rounds} rounds`);
  assert.equal(r.met[0].state, "idle");
  assert.equal(r.rounds, 2);
});

Deno.test("wait: rounds come at least every 5 s (progress), none past the timeout, which ends the wait", async () => {
  const a = chat(1);
  const { fleet, asked, paced, closed } = handFleet({ lists: [[a]], tickMs: 4_000 });
  const seen: number[][] = [];
  const r = await within(
    waitForAgents(fleet, {
      watch: [a],
      until: "settled",
      mode: "all",
      timeoutMs: 12_000,
      onRound: (round, met, total) => {
        seen.push([round, met, total]);
      },
    }),
    "the wait",
  );
  assert.deepEqual([r.done, r.timed_out, r.rounds, r.elapsed_ms], [false, true, 3, 12_000]);
  assert.deepEqual(ids(r.pending), [a.id]);
  assert.deepEqual(asked, [5_000, 5_000, 4_000]);
  assert.deepEqual(paced, [1], "polling at the fleet's pace (one pacer for the whole wait)");
  assert.equal(closed(), 1, "the pacer is closed when the wait ends (its watch listener goes)");
  const own = handFleet({ lists: [[a]], tickMs: 4_000 });
  await waitForAgents(own.fleet, {
    watch: [a],
    until: "settled",
    mode: "all",
    timeoutMs: 4_000,
    pollMs: 250,
  });
  assert.deepEqual(own.paced, [250], "or at the wait's own");
  assert.deepEqual(seen, [[0, 0, 1], [1, 0, 1], [2, 0, 1], [3, 0, 1]]);
});

Deno.test("wait: a named wait on no agent ends at once, neither done nor waiting", async () => {
  const { fleet, asked } = handFleet({ lists: [[]] });
  const r = await waitForAgents(fleet, {
    watch: [],
    until: "settled",
    mode: "all",
    timeoutMs: 5_000,
  });
  assert.deepEqual([r.done, r.rounds], [false, 0]);
  assert.deepEqual(asked, [], "no round");
});

Deno.test("wait: a fresh wait sets aside the agents that meet the condition at the start: all of them, or alreadyMax", async () => {
  const agents = [chat(1, { state: "idle" }), chat(2, { state: "idle" }), chat(3)];
  for (const [alreadyMax, kept] of [[undefined, 2], [1, 1]] as const) {
    const { fleet } = handFleet({ lists: [agents], tickMs: 1_000 });
    const r = await within(
      waitForAgents(fleet, {
        until: "settled",
        mode: "any",
        timeoutMs: 1_000,
        fresh: { kind: "chat" },
        alreadyMax,
      }),
      "the wait",
    );
    assert.deepEqual(ids(r.already), ids(agents.slice(0, kept)), `alreadyMax ${alreadyMax}`);
    assert.equal(r.already_total, 2);
    assert.deepEqual(ids(r.pending), [fixtureId(3)], "set aside: not watched");
    assert.equal(r.done, false, "meeting it at the start does not end the wait");
  }
});

Deno.test("wait: a fresh wait counts a newcomer as met in mode any, or when waiting for any change; in mode all it must meet the condition", async () => {
  const [a, n] = [chat(1), chat(9)];
  const fresh = (mode: "any" | "all", until: "settled" | "any_change", lists: Agent[][]) =>
    within(
      waitForAgents(handFleet({ lists, tickMs: 1_000 }).fleet, {
        until,
        mode,
        timeoutMs: 10_000,
        fresh: { kind: "chat" },
      }),
      "the wait",
    );
  // Mode any: a newcomer ends the wait, busy as it is.
  const any = await fresh("any", "settled", [[a], [a, n]]);
  assert.deepEqual([any.done, any.rounds, any.appeared, ids(any.met)], [true, 1, [n.id], [n.id]]);
  // Mode all, settled: the newcomer too must settle.
  const idle = { state: "idle" } as const;
  const all = await fresh("all", "settled", [[a], [chat(1, idle), n], [
    chat(1, idle),
    chat(9, idle),
  ]]);
  assert.deepEqual([all.done, all.rounds, ids(all.met)], [true, 2, [a.id, n.id]]);
  // Mode all, any change: appearing is a change.
  const changed = await fresh("all", "any_change", [[a], [chat(1, { message: "step 2" }), n]]);
  assert.deepEqual([changed.done, changed.rounds, ids(changed.met)], [true, 1, [a.id, n.id]]);
});

Deno.test("wait: fresh waits from one round share a first view only with the same filter, condition and alreadyMax", async () => {
  const agents = [chat(1, { state: "complete" }), chat(2, { state: "idle" }), chat(3)];
  const round = {
    agents,
    errors: [],
    sentAt: 0,
    get: (id: string) => agents.find((a) => a.id === id),
  };
  const kindsAsked: string[][] = [];
  const fleet = {
    now: () => 0,
    backends: () => Promise.resolve([{ kind: "task" }, { kind: "chat" }]),
    round: (kinds: string[]) => {
      kindsAsked.push(kinds);
      return Promise.resolve(round);
    },
  } as unknown as Fleet;
  const settled = await freshView(fleet, { kind: "chat" }, "settled", Infinity);
  assert.equal(await freshView(fleet, { kind: "chat" }, "settled", Infinity), settled, "shared");
  assert.deepEqual(ids([...settled.already]), [fixtureId(1), fixtureId(2)]);
  assert.deepEqual([settled.alreadyTotal, settled.watched], [2, 3]);
  assert.deepEqual([...settled.first.keys()], [fixtureId(3)]);
  assert.equal(settled.prints, undefined, "fingerprints only for any_change");
  const idle = await freshView(fleet, { kind: "chat" }, "idle", Infinity);
  assert.deepEqual(ids([...idle.already]), [fixtureId(2)], "another condition: its own view");
  const one = await freshView(fleet, { kind: "chat" }, "settled", 1);
  assert.deepEqual([one.already.length, one.alreadyTotal], [1, 2], "another alreadyMax: its own");
  const bob = await freshView(fleet, { kind: "chat", owner: "bob" }, "settled", Infinity);
  assert.equal(bob.watched, 0, "another filter: its own");
  const changes = await freshView(fleet, {}, "any_change", Infinity);
  assert.deepEqual(changes.already, [], "any_change: nothing has changed yet");
  assert.deepEqual([...changes.first.keys()], ids(agents));
  assert.equal(changes.prints?.size, 3);
  assert.deepEqual(kindsAsked.slice(-1), [["task", "chat"]], "no kind: every back end's list");
  assert.deepEqual(kindsAsked[0], ["chat"]);
  assert.deepEqual([...changes.kinds], ["task", "chat"]);
});

Deno.test("wait: a fresh wait in mode all over nothing yet waits for something new", async () => {
  const { fleet } = handFleet({ lists: [[]], tickMs: 1_000 });
  const r = await within(
    waitForAgents(fleet, {
      until: "settled",
      mode: "all",
      timeoutMs: 2_000,
      fresh: { kind: "chat" },
    }),
    "the wait",
  );
  assert.deepEqual([r.done, r.timed_out, r.rounds], [false, true, 2]);
});

Deno.test("wait: a cancelled wait ends at once (rejects), before another round", async () => {
  const ctl = new AbortController();
  ctl.abort(new Error("cancelled"));
  const a = chat(1);
  const { fleet, looked } = handFleet({ lists: [[]], tickMs: 1_000 });
  await assert.rejects(
    within(
      waitForAgents(fleet, {
        watch: [a],
        until: "settled",
        mode: "all",
        timeoutMs: 60_000,
        signal: ctl.signal,
      }),
      "the wait",
    ),
    /cancelled/,
  );
  assert.deepEqual(looked, [], "no round: nothing looked up");
});
