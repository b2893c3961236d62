/**
 * One agent and its conversation in one round trip (src/fleet/one_trip.ts): what went ahead to a
 * back end that turns out not to own the agent is aborted, not left to run.
 */
import assert from "node:assert/strict";
import { Fleet } from "../../src/fleet/fleet.ts";
import { resolveWithLogs } from "../../src/fleet/one_trip.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { until } from "../deadline.ts";
import { fixtureId } from "../agent_fixture.ts";

/** A sim with both APIs, and a fleet on it whose requests' signals are kept by path. */
async function onSim(
  fn: (sim: Sim, fleet: Fleet, signals: Map<string, AbortSignal>) => Promise<void>,
): Promise<void> {
  const sim = await startSim({ profile: "both", tasks: 2, chats: 2, frozen: true });
  const signals = new Map<string, AbortSignal>();
  const real = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (init?.signal) signals.set(url.pathname, init.signal);
    return real(input, init);
  };
  let fleet: Fleet;
  try {
    fleet = new Fleet({ url: sim.url, token: sim.token, watch: false });
  } finally {
    globalThis.fetch = real;
  }
  try {
    await fleet.deployment();
    await fn(sim, fleet, signals);
  } finally {
    await sim.close();
  }
}

Deno.test("one trip: a chat by UUID on both APIs: the task log request sent ahead is aborted", () =>
  onSim(async (sim, fleet, signals) => {
    const [chat] = sim.chatIds();
    const logs = `/api/v2/tasks/me/${chat}/logs`;
    // The task back end's log request (sent ahead: a UUID may be a task's) is held 10 s.
    sim.fault(logs, { delayMs: 10_000 });
    const one = await resolveWithLogs(
      fleet,
      chat,
      { limit: 3 },
      false,
      new AbortController().signal,
    );
    assert.equal(one.agent.kind, "chat");
    await one.logs;
    await until(() => signals.get(logs)?.aborted === true, "the held task request to be aborted");
  }));

Deno.test("one trip: a UUID no back end knows: the lookup's error, and the request sent ahead is aborted", () =>
  onSim(async (sim, fleet, signals) => {
    const id = fixtureId(424242);
    const logs = `/api/v2/tasks/me/${id}/logs`;
    sim.fault(logs, { delayMs: 10_000 });
    await assert.rejects(
      resolveWithLogs(fleet, id, { limit: 3 }, false, new AbortController().signal),
      new RegExp(`No agent "${id}" was found`),
    );
    await until(() => signals.get(logs)?.aborted === true, "the held task request to be aborted");
  }));

Deno.test("one trip: a task by UUID on both APIs: nothing goes ahead to the chat API; a malformed handle sends nothing", () =>
  onSim(async (sim, fleet) => {
    const [task] = sim.taskIds();
    // The log request sent ahead is still out when the lookup ends: it is the one read.
    sim.fault(`/api/v2/tasks/me/${task}/logs`, { delayMs: 300 });
    const one = await resolveWithLogs(
      fleet,
      task,
      { limit: 3 },
      false,
      new AbortController().signal,
    );
    assert.equal(one.agent.kind, "task");
    await one.logs;
    assert.deepEqual(await one.extras, {}, "extras only when asked");
    const chatAsked = sim.requests.filter((q) => q.path.startsWith(`/api/v2/chats/${task}/`));
    assert.deepEqual(chatAsked, [], "no chat messages asked for a UUID the task API may own");
    const before = sim.requests.length;
    await assert.rejects(
      resolveWithLogs(fleet, "../users", { limit: 3 }, false, new AbortController().signal),
      /is not an agent handle/,
    );
    assert.equal(sim.requests.length, before);
  }));
