/**
 * The fleet as one list (`fleet/fleet.ts`) against the sim over real HTTP: what a caller that
 * leaves, a back end that fails, and a kind the deployment lacks come to.
 */
import assert from "node:assert/strict";
import { Fleet, type FleetFilter } from "../../src/fleet/fleet.ts";
import { waitForAgents } from "../../src/fleet/wait.ts";
import { CoderError } from "../../src/coder/errors.ts";
import { FleetError } from "../../src/model/backend.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { until, within } from "../deadline.ts";

async function onSim(
  profile: "both" | "tasks" | "current",
  fn: (sim: Sim, fleet: Fleet) => Promise<void>,
): Promise<void> {
  const sim = await startSim({ profile, tasks: 3, chats: 3, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false });
    await fleet.deployment();
    await fn(sim, fleet);
  } finally {
    await sim.close();
  }
}

Deno.test("fleet: a caller that leaves a list held at Coder is answered at once, naming the list", () =>
  onSim("both", async (sim, fleet) => {
    for (const kind of ["task", "chat"] as const) {
      const release = sim.fault(`/api/v2/${kind}s`, { kind: "hang", method: "GET" });
      try {
        for (const read of ["snapshot", "summaries"] as const) {
          const n = sim.requests.length;
          const leave = new AbortController();
          const listing: Promise<unknown> = read === "snapshot"
            ? fleet.snapshot({ kind }, leave.signal)
            : fleet.summaries({ kind }, leave.signal);
          await until(() => sim.requests.length > n, `the ${kind} list at Coder`);
          leave.abort();
          await assert.rejects(
            within(listing, `the ${read} to end`),
            (e) =>
              e instanceof CoderError && e.kind === "aborted" &&
              e.message.includes(`Request ${kind} list was cancelled`),
          );
        }
      } finally {
        release();
      }
    }
  }));

Deno.test("fleet: one back end failing is reported, the other still answers", () =>
  onSim("both", async (sim, fleet) => {
    const clear = sim.fault("/api/v2/chats", { status: 403, method: "GET" });
    try {
      const snap = await fleet.snapshot();
      assert.ok(snap.agents.length > 0 && snap.agents.every((a) => a.kind === "task"));
      assert.deepEqual(snap.errors.map((e) => e.kind), ["chat"]);
      assert.match(snap.errors[0].error, /403/);
      assert.deepEqual(snap.warnings, [`chat list failed: ${snap.errors[0].error}`]);
      const sums = await fleet.summaries();
      assert.deepEqual(sums.errors.map((e) => e.kind), ["chat"]);
      assert.ok(sums.summaries.length > 0 && sums.summaries.every((s) => s.kind === "task"));
    } finally {
      clear();
    }
    // Both failing: the first failure is thrown, not an empty fleet.
    const both = [
      sim.fault("/api/v2/chats", { status: 403, method: "GET" }),
      sim.fault("/api/v2/tasks", { status: 403, method: "GET" }),
    ];
    try {
      await assert.rejects(fleet.snapshot(), (e) => e instanceof CoderError && e.status === 403);
    } finally {
      both.forEach((c) => c());
    }
  }));

Deno.test("fleet: a kind the deployment lacks is refused, naming the kind it has", () =>
  onSim("tasks", async (_sim, fleet) => {
    await assert.rejects(
      fleet.backends("chat"),
      (e) =>
        e instanceof FleetError && e.message === "This Coder deployment has no Chats API." &&
        e.next === 'Use kind "task" or leave kind out.',
    );
    assert.equal((await fleet.backends("task")).length, 1);
    assert.equal((await fleet.backends()).length, 1);
  }));

Deno.test("fleet: a wait on the caller's own chats is driven by Coder's chat watch; on anyone else's, it polls", async () => {
  const sim = await startSim({ profile: "current", chats: 24, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, pollMs: 20 });
    const d = await fleet.deployment();
    const chats = (await fleet.snapshot({ kind: "chat" })).agents;
    const mine = chats.find((a) => a.owner === d.me.username);
    const theirs = chats.find((a) => a.owner !== d.me.username);
    assert.ok(mine && theirs, "the sim has chats of the caller and of another user");
    // Another user's chat is in no frame of the caller's watch: rounds poll, no socket opens.
    const polling = await fleet.pacer(["chat"], 20, undefined, [mine, theirs]);
    try {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual((await within(polling.next(1_000), "a poll round")).kinds, ["chat"]);
      }
      assert.equal(sim.watch.accepted(), 0, "no watch socket");
    } finally {
      polling.close();
    }
    const driven = await fleet.pacer(["chat"], 20, undefined, [mine]);
    try {
      await until(() => sim.watch.open() === 1, "the chat watch to open");
    } finally {
      driven.close();
    }
    await until(() => sim.watch.open() === 0, "the watch to close with its last listener");
  } finally {
    await sim.close();
  }
});

Deno.test("fleet: malformed items are skipped with one warning: how many, and the first three reasons", () =>
  onSim("tasks", async (sim, fleet) => {
    const res = await fetch(`${sim.url}/api/v2/tasks`, {
      headers: { "Coder-Session-Token": sim.token },
    });
    const body = await res.json() as { tasks: Record<string, unknown>[] };
    for (const i of [0, 1, 2, 3]) body.tasks.push({ ...body.tasks[0], id: 40 + i });
    const four = sim.fault(/\/api\/v2\/tasks$/, { kind: "wrong_shape", method: "GET", body });
    const snap = await fleet.snapshot();
    assert.equal(snap.agents.length, 3, "the well-formed items still answer");
    assert.deepEqual(snap.errors, []);
    const why = (n: number) =>
      `task #${n} skipped, malformed: id: Invalid input: expected string, received number`;
    assert.deepEqual(snap.warnings, [
      `task list: skipped 4 malformed item(s): ${why(4)}; ${why(5)}; ${why(6)}`,
    ]);
    // One is said too.
    four();
    sim.fault(/\/api\/v2\/tasks$/, {
      kind: "wrong_shape",
      method: "GET",
      body: { ...body, tasks: body.tasks.slice(0, 4) },
    });
    assert.deepEqual((await fleet.snapshot()).warnings, [
      `task list: skipped 1 malformed item(s): ${why(4)}`,
    ]);
  }));

Deno.test("fleet: a whole-fleet wait that sees another user's chats polls; one over the caller's own is watch-driven", async () => {
  const sim = await startSim({ profile: "current", chats: 24, frozen: true });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, pollMs: 20 });
    const me = (await fleet.deployment()).me.username;
    const wait = (fresh: FleetFilter) =>
      within(
        waitForAgents(fleet, { fresh, until: "any_change", mode: "any", timeoutMs: 200 }),
        "the wait to time out",
      );
    assert.equal((await wait({ kind: "chat" })).timed_out, true);
    assert.equal(sim.watch.accepted(), 0, "no watch socket for a wait over others' chats");
    const stop = new AbortController();
    const own = waitForAgents(fleet, {
      fresh: { kind: "chat", owner: me },
      until: "any_change",
      mode: "any",
      timeoutMs: 15_000,
      signal: stop.signal,
    });
    await until(() => sim.watch.accepted() > 0, "the caller's own chats: the watch to open");
    stop.abort();
    await assert.rejects(within(own, "the cancelled wait to end"));
  } finally {
    await sim.close();
  }
});

Deno.test("fleet: concurrent lists with different filters each get their own answer", async () => {
  for (const profile of ["both", "current"] as const) await differentLists(profile);
});

const differentLists = (profile: "both" | "current") =>
  onSim(profile, async (_sim, fleet) => {
    const all = (await fleet.snapshot()).agents;
    const two = <T>(of: (a: (typeof all)[number]) => T | undefined): T[] =>
      [...new Set(all.map(of).filter((v): v is T => v !== undefined))].slice(0, 2);
    const pairs: FleetFilter[][] = [
      two((a) => a.owner).map((owner) => ({ owner })),
      two((a) => a.state).map((s) => ({ state: [s] })),
      two((a) => a.template).map((template) => ({ template })),
      two((a) => a.name).map((query) => ({ query })),
      [{ pr: ["none"] }, { pr: ["open", "draft", "merged", "closed"] }],
    ];
    assert.ok(pairs[0].length === 2 && pairs[1].length === 2, "two owners and two states");
    for (const [f1, f2] of pairs.filter((p) => p.length === 2)) {
      const alone = [await fleet.snapshot(f1), await fleet.snapshot(f2)].map((s) =>
        s.agents.map((a) => a.id).sort()
      );
      const together = (await Promise.all([fleet.snapshot(f1), fleet.snapshot(f2)])).map((s) =>
        s.agents.map((a) => a.id).sort()
      );
      assert.deepEqual(together, alone, `${profile}: ${JSON.stringify([f1, f2])}`);
    }
  });

Deno.test("fleet: a snapshot flags working agents stalled past stalledMs", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 6, frozen: true });
  try {
    // The fleet's clock runs 2 minutes ahead of the frozen sim's: a task that began working at
    // the sim's now has not moved for 2 minutes.
    const fleet = new Fleet({
      url: sim.url,
      token: sim.token,
      watch: false,
      stalledMs: 60_000,
      now: () => Date.now() + 120_000,
    });
    const [busy, idle] = sim.taskIds();
    sim.setTask(busy, { status: "active", state: "working" });
    sim.setTask(idle, { status: "active", state: "idle" });
    const agents = (await fleet.snapshot()).agents;
    const flag = (id: string) => agents.find((a) => a.id === id)?.stalled === true;
    assert.deepEqual([flag(busy), flag(idle)], [true, false]);
  } finally {
    await sim.close();
  }
});

Deno.test("fleet: summaries by owner hold only that owner's agents, concurrent owners each their own", async () => {
  for (const profile of ["tasks", "current"] as const) {
    const sim = await startSim({ profile, tasks: 6, chats: 24, frozen: true });
    try {
      const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false });
      const agents = (await fleet.snapshot()).agents;
      const owners = [...new Set(agents.map((a) => a.owner))];
      assert.ok(owners.length >= 2, `${profile}: two owners at least`);
      const [one, two] = await Promise.all(
        owners.slice(0, 2).map((owner) => fleet.summaries({ owner })),
      );
      for (const [s, owner] of [[one, owners[0]], [two, owners[1]]] as const) {
        assert.ok(s.summaries.every((x) => x.owner === owner), `${profile}: ${owner}`);
        assert.equal(s.summaries.length, agents.filter((a) => a.owner === owner).length);
      }
    } finally {
      await sim.close();
    }
  }
});
