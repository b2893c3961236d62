/**
 * Concurrent waits share one parsed fleet per round, and the server refuses a wait it cannot hold
 * (issue 17, finding 2): the rounds (`fleet/rounds.ts`) on a counting list, the wait gate
 * (`fleet/admission.ts`), and waits on the sim over real HTTP.
 */
import assert from "node:assert/strict";
import { Fleet } from "../../src/fleet/fleet.ts";
import { type ListRound, Rounds } from "../../src/fleet/rounds.ts";
import { MAX_WAITS, MAX_WATCHED, WaitGate } from "../../src/fleet/admission.ts";
import { waitForAgents } from "../../src/fleet/wait.ts";
import { freshView } from "../../src/fleet/watching.ts";
import { FleetError } from "../../src/model/backend.ts";
import type { Agent } from "../../src/model/agent.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { until } from "../deadline.ts";

/**
 * A sim with both APIs (`tasks` and `chats` agents) and a fleet on it, detection done and the
 * chat list's optional terms probed (a first list: an older Coder refuses the sources term once).
 */
async function onSim(
  tasks: number,
  chats: number,
  fn: (sim: Sim, fleet: Fleet) => Promise<void>,
): Promise<void> {
  const sim = await startSim({ profile: "both", tasks, chats });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token, watch: false });
    await fleet.deployment();
    await fleet.snapshot();
    await fn(sim, fleet);
  } finally {
    await sim.close();
  }
}

/** A list whose answers the test releases one by one, on a clock the test moves. */
function manualList() {
  const calls: { resolve: () => void; reject: (e: unknown) => void; signal: AbortSignal }[] = [];
  let clock = 0;
  const list: ListRound = (_kinds, signal) =>
    new Promise((resolve, reject) => {
      const agents: Agent[] = [{ id: `a${calls.length}` } as Agent];
      calls.push({ resolve: () => resolve({ agents, errors: [], warnings: [] }), reject, signal });
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  return { calls, list, tick: (ms: number) => (clock += ms), clock: () => clock };
}

Deno.test("rounds: concurrent first views share one list, and its agents", async () => {
  const m = manualList();
  const rounds = new Rounds(m.list, 60_000, m.clock);
  const a = rounds.round(["task", "chat"], undefined);
  m.tick(5);
  const b = rounds.round(["chat", "task"], undefined); // the same kinds, in another order
  assert.equal(m.calls.length, 1, "one list for both");
  m.calls[0].resolve();
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal(ra, rb, "the same round");
  assert.equal(ra.get("a0"), rb.agents[0], "the same agent objects");
  // Answered: a first view now lists again (as fresh as any other call).
  const c = rounds.round(["task", "chat"], undefined);
  assert.equal(m.calls.length, 2);
  m.calls[1].resolve();
  assert.notEqual(await c, ra);
});

Deno.test("rounds: a later round is reused only when sent after the caller's notBefore", async () => {
  const m = manualList();
  const rounds = new Rounds(m.list, 60_000, m.clock);
  m.tick(100);
  const first = rounds.round(["task"], 50);
  m.calls[0].resolve();
  const r1 = await first;
  assert.equal(r1.sentAt, 100);
  // A wait whose previous round ended at 80 may take a round sent at 100: nothing new to list.
  assert.equal(await rounds.round(["task"], 80), r1);
  assert.equal(await rounds.round(["task"], 100), r1);
  assert.equal(m.calls.length, 1);
  // A wait whose previous round ended after it was sent needs a newer one.
  m.tick(10);
  const next = rounds.round(["task"], 101);
  assert.equal(m.calls.length, 2);
  // ... which a wait that asks while it is in flight joins.
  const joined = rounds.round(["task"], 105);
  assert.equal(m.calls.length, 2);
  m.calls[1].resolve();
  assert.equal(await next, await joined);
  assert.equal((await next).sentAt, 110);
  // Other kinds are other rounds.
  void rounds.round(["chat"], 0);
  assert.equal(m.calls.length, 3);
  m.calls[2].resolve();
});

Deno.test("rounds: a failed round is not reused; one caller leaving does not stop the others", async () => {
  const m = manualList();
  const rounds = new Rounds(m.list, 60_000, m.clock);
  const failing = rounds.round(["task"], 0);
  m.calls[0].reject(new Error("Coder said no"));
  await assert.rejects(failing, /Coder said no/);
  const again = rounds.round(["task"], 0);
  assert.equal(m.calls.length, 2, "listed again");
  const leaving = new AbortController();
  const left = rounds.round(["task"], 0, leaving.signal);
  leaving.abort();
  await assert.rejects(left);
  assert.equal(m.calls[1].signal.aborted, false, "the other caller still waits for it");
  m.calls[1].resolve();
  assert.equal((await again).agents[0].id, "a1");
  // Every caller gone: the round's list is aborted, and the next caller lists anew.
  m.tick(1);
  const only = new AbortController();
  const alone = rounds.round(["task"], 1, only.signal);
  only.abort();
  await assert.rejects(alone);
  assert.equal(m.calls[2].signal.aborted, true);
  void rounds.round(["task"], 1);
  assert.equal(m.calls.length, 4);
  m.calls[3].resolve();
});

Deno.test("wait gate: at most so many waits, and so many agents watched, at once", () => {
  assert.equal(MAX_WAITS, 1_000);
  assert.ok(MAX_WATCHED >= 1_000 * 1_000 && MAX_WATCHED >= 100 * 20_000);
  assert.equal(MAX_WATCHED, 2_000_000, "as the README and the tool's description say");
  // The defaults are the caps, each reached exactly.
  const full = new WaitGate();
  assert.deepEqual([full.maxWaits, full.maxWatched], [MAX_WAITS, MAX_WATCHED]);
  const t = full.enter();
  t.watch(MAX_WATCHED);
  assert.throws(() => full.enter().watch(1), FleetError);
  t.leave();
  const gate = new WaitGate(2, 1_000);
  const a = gate.enter();
  const b = gate.enter();
  assert.throws(
    () => gate.enter(),
    (e) =>
      e instanceof FleetError &&
      e.message ===
        "Too many concurrent waits, 2 in flight (at most 2 at once). Nothing was waited for." &&
      /Retry when/.test(e.next),
  );
  a.watch(600);
  assert.throws(
    () => b.watch(500),
    (e) =>
      e instanceof FleetError &&
      e.message ===
        "Too many concurrent waits, 1 in flight (they watch 600 agents, and this one would add " +
          "500; at most 1,000 are watched at once). Nothing was waited for.",
  );
  assert.equal(gate.waits, 1, "the refused wait left");
  assert.equal(gate.watched, 600);
  b.leave(); // idempotent
  a.leave();
  a.leave();
  assert.equal(gate.waits, 0);
  assert.equal(gate.watched, 0);
  // A ticket counts its agents once, and not at all once it has left.
  const c = gate.enter();
  c.watch(400);
  c.watch(400);
  assert.equal(gate.watched, 400);
  c.leave();
  c.watch(400);
  assert.equal(gate.watched, 0);
  gate.enter().watch(1_000);
});

Deno.test("waits: concurrent whole-fleet waits hold one parsed fleet, not one each", () =>
  onSim(30, 20, async (sim, fleet) => {
    const n0 = sim.requests.length;
    const waits = await Promise.all(Array.from({ length: 5 }, () =>
      waitForAgents(fleet, {
        until: "settled",
        mode: "any",
        timeoutMs: 0,
        fresh: {},
      })));
    assert.equal(sim.requests.length - n0, 2, "one list per back end for all five");
    const [first, ...others] = waits;
    const agents = [...first.already, ...first.pending];
    assert.equal(agents.length, (await fleet.snapshot()).agents.length);
    for (const w of others) {
      const mine = new Map([...w.already, ...w.pending].map((a) => [a.id, a]));
      assert.ok(agents.every((a) => mine.get(a.id) === a), "the very same agent objects");
    }
  }));

Deno.test("waits: waits that start together share their first view; another filter has its own", () =>
  onSim(6, 4, async (_sim, fleet) => {
    const [a, b, c, d] = await Promise.all([
      freshView(fleet, {}, "settled", 10),
      freshView(fleet, {}, "settled", 10),
      freshView(fleet, { kind: "task" }, "settled", 10),
      freshView(fleet, {}, "any_change", 10),
    ]);
    assert.equal(a, b, "one first view for both");
    assert.notEqual(a, c);
    assert.notEqual(a, d);
    assert.ok(a.watched > 0 && a.known!.size === a.watched);
  }));

Deno.test("lists: concurrent identical lists share one request and its agents", () =>
  onSim(6, 4, async (sim, fleet) => {
    const n0 = sim.requests.length;
    const [a, b] = await Promise.all([fleet.snapshot(), fleet.snapshot()]);
    const paths = sim.requests.slice(n0).map((q) => q.path).sort();
    assert.deepEqual(paths, ["/api/v2/chats", "/api/v2/tasks"], "one list per back end for both");
    const mine = new Map(b.agents.map((x) => [x.id, x]));
    assert.ok(a.agents.length > 0 && a.agents.every((x) => mine.get(x.id) === x), "shared agents");
    // A list that starts after they answered is its own (not a cache).
    const later = await fleet.snapshot();
    assert.equal(sim.requests.length - n0, 4);
    assert.ok(later.agents.every((x) => mine.get(x.id) !== x));
  }));

const small = new WaitGate(10, 5);
Deno.test("waits: a wait beyond the gate's caps is refused before its first round", () =>
  onSim(3, 3, async (_sim, fleet) => {
    const ticket = small.enter();
    await assert.rejects(
      () =>
        waitForAgents(fleet, {
          until: "settled",
          mode: "any",
          timeoutMs: 5_000,
          fresh: {},
          admit: (n) => small.enter().watch(n),
        }),
      /Too many concurrent waits, 1 in flight .*would add \d+/,
    );
    assert.equal(small.waits, 1, "only the first wait is in flight");
    ticket.leave();
  }));

Deno.test("rounds: an answered round is dropped after keepMs: an idle server holds no fleet", async () => {
  const m = manualList();
  const rounds = new Rounds(m.list, 20, m.clock);
  const first = rounds.round(["task"], 0);
  m.calls[0].resolve();
  const r = await first;
  assert.equal(await rounds.round(["task"], 0), r, "kept for reuse at first");
  await until(() => {
    void rounds.round(["task"], 0);
    return m.calls.length === 2;
  }, "the kept round to be dropped");
  m.calls[1].resolve();
});

Deno.test("rounds: the same kinds in another order are the same round", async () => {
  const m = manualList();
  const rounds = new Rounds(m.list, 60_000, m.clock);
  const a = rounds.round(["task", "chat"], undefined);
  const b = rounds.round(["chat", "task"], undefined);
  assert.equal(m.calls.length, 1, "one list for both");
  m.calls[0].resolve();
  assert.equal(await a, await b);
});
