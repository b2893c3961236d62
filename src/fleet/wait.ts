/**
 * Waiting on agents: poll the fleet with ONE list request per back end per round, however many
 * agents are watched, until the condition holds, the timeout passes, or the call is cancelled.
 */
import type { Pacer, Step } from "./pacer.ts";
import { runBatch } from "../model/batch.ts";
import { LOOKUPS } from "./resolve.ts";
import type { Agent, AgentKind } from "../model/agent.ts";
import { applyFilter, type Fleet, type FleetFilter } from "./fleet.ts";
import { freshView, meetsPrint, namedView, type Until, View } from "./watching.ts";

export { meets, type Until } from "./watching.ts";

/** Options of {@link waitForAgents}. */
export interface WaitOptions {
  /** A wait on named agents: them, as first seen. */
  watch?: Agent[];
  until: Until;
  /** `any`: one agent meeting the condition ends the wait; `all`: every agent must. */
  mode: "any" | "all";
  timeoutMs: number;
  /** Time between rounds (default: the fleet's). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called after each round with how many agents meet the condition. */
  onRound?: (round: number, met: number, total: number) => void | Promise<void>;
  /**
   * A whole-fleet (or filtered) wait: it waits for something new, over the agents this filter
   * matches in a round of the fleet's lists sent after the call began. Agents that meet the
   * condition at the start are reported as `already` but do not end it; an agent that comes to
   * meet it, or a new agent matching this filter that appears, does.
   */
  fresh?: FleetFilter;
  /** Fresh waits: how many of the `already` agents to keep for the answer (default all). */
  alreadyMax?: number;
  /**
   * Told how many agents the wait watches, once it knows, before its first round: may throw to
   * refuse the wait (the server's cap on agents watched at once, `admission.ts`).
   */
  admit?: (agents: number) => void;
}

/** The outcome of a wait. */
export interface WaitResult {
  /** The condition held. */
  done: boolean;
  timed_out: boolean;
  /** Agents that meet the condition (latest view). */
  met: Agent[];
  /** Agents that do not (latest view). */
  pending: Agent[];
  /** Agents that disappeared while watched (deleted, or archived). */
  gone: Agent[];
  /** Fresh waits: agents that met the condition at the start (reported, not counted; the first
   * `alreadyMax` of them). */
  already: Agent[];
  /** Fresh waits: how many agents met the condition at the start. */
  already_total: number;
  /** Fresh waits: ids of the agents that appeared during the call (also in `met` or `pending`). */
  appeared: string[];
  elapsed_ms: number;
  rounds: number;
}

/** Wait until agents settle, go idle or change. Cancellation ends it at once (rejects). */
export async function waitForAgents(fleet: Fleet, opts: WaitOptions): Promise<WaitResult> {
  const start = fleet.now();
  const { until, mode, fresh, signal, timeoutMs, onRound } = opts;
  const pollMs = opts.pollMs ?? fleet.pollMs;
  const first = fresh
    ? await freshView(fleet, fresh, until, opts.alreadyMax ?? Infinity, signal)
    : namedView(opts.watch ?? [], until);
  opts.admit?.(first.watched);
  const view = new View(first);
  const gone = new Map<string, Agent>();
  let rounds = 0;
  const newcomers: Newcomers | undefined = fresh && {
    filter: fresh,
    known: (id) => view.known(id),
    add: (a) => view.appeared.set(a.id, a),
  };

  const evaluate = () => {
    const met: Agent[] = [];
    const pending: Agent[] = [];
    for (const id of view.ids()) {
      const a = view.get(id)!;
      if (
        gone.has(id) || view.appeared.has(id) && (mode === "any" || until === "any_change")
      ) {
        met.push(a);
      } else if (meetsPrint(until, a, first.prints?.get(id))) met.push(a);
      else pending.push(a);
    }
    return { met, pending };
  };

  // Opened on the first round that needs it: a wait that is done at once opens no watch.
  let pacer: Pacer | undefined;
  try {
    return await loop();
  } finally {
    pacer?.close();
  }

  async function loop(): Promise<WaitResult> {
    let notBefore = fleet.roundClock();
    while (true) {
      const { met, pending } = evaluate();
      const done = fresh
        ? (mode === "any" ? met.length > 0 : view.size > 0 && pending.length === 0)
        : first.watched > 0 && (opts.mode === "any" ? met.length > 0 : pending.length === 0);
      const elapsed = fleet.now() - start;
      await onRound?.(rounds, met.length, view.size);
      if (done || elapsed >= timeoutMs || (!fresh && first.watched === 0)) {
        return {
          done,
          timed_out: !done,
          met: met.filter((a) => !gone.has(a.id)),
          pending,
          gone: [...gone.values()],
          already: [...first.already],
          already_total: first.alreadyTotal,
          appeared: [...view.appeared.keys()],
          elapsed_ms: elapsed,
          rounds,
        };
      }
      pacer ??= await fleet.pacer([...first.kinds], pollMs, signal, first.owners);
      const step = await pacer.next(
        Math.min(PROGRESS_MS, Math.max(0, timeoutMs - elapsed)),
        signal,
      );
      signal?.throwIfAborted();
      applyEvents(fleet, step, view, gone, newcomers);
      if (step.kinds.length > 0) {
        await poll(fleet, step.kinds, notBefore, view, gone, signal, newcomers);
        notBefore = fleet.roundClock();
      }
      rounds++;
    }
  }
}

/** Longest stretch without a round (and so without a progress notification). */
const PROGRESS_MS = 5_000;

/** Apply the watch's events: watched agents change, deleted or archived ones are gone,
 * and a fresh wait takes in new agents that match its filter. */
function applyEvents(
  fleet: Fleet,
  step: Step,
  view: View,
  gone: Map<string, Agent>,
  newcomers?: Newcomers,
): void {
  for (const f of step.events) {
    const a = f.agent;
    const old = view.get(a.id);
    if (old) {
      if (f.kind === "deleted" || a.archived) gone.set(a.id, old);
      else view.set(a);
    } else if (newcomers && !newcomers.known(a.id) && f.kind !== "deleted" && !a.archived) {
      for (const n of applyFilter([a], newcomers.filter, fleet.now())) newcomers.add(n);
    }
  }
}

/** How a fresh wait takes in agents that appear: those matching its filter, never seen before. */
interface Newcomers {
  filter: FleetFilter;
  known: (id: string) => boolean;
  /** Watch it from now on (it appeared). */
  add: (a: Agent) => void;
}

/**
 * One round: one shared round of the lists per back end (see `rounds.ts`), sent at or after
 * `notBefore`, becomes the wait's latest view of the kinds it listed; watched agents missing
 * from the lists are looked up once.
 */
async function poll(
  fleet: Fleet,
  kinds: AgentKind[],
  notBefore: number,
  view: View,
  gone: Map<string, Agent>,
  signal?: AbortSignal,
  newcomers?: Newcomers | false,
): Promise<void> {
  const round = await fleet.round(kinds, notBefore, signal);
  if (newcomers) {
    const fresh = applyFilter(
      round.agents.filter((a) => !newcomers.known(a.id)),
      newcomers.filter,
      fleet.now(),
    );
    for (const a of fresh) newcomers.add(a);
  }
  const failedKinds = new Set(round.errors.map((e) => e.kind));
  const listed = kinds.filter((k) => !failedKinds.has(k));
  const missing: Agent[] = [];
  for (const id of view.ids()) {
    if (round.get(id) || gone.has(id)) continue;
    const old = view.get(id)!;
    if (!listed.includes(old.kind)) continue; // not listed this round (watch-driven, or failed)
    view.set(old); // its last sight, until a lookup says better
    missing.push(old);
  }
  view.adopt(round, listed);
  // Not in the list: another user's task or an archived chat. Ask for each directly, a few at a
  // time (rate discipline: a round must not fan out into hundreds of requests at once).
  await runBatch(missing, async (old) => {
    try {
      const backend = await fleet.backendOf(old, signal);
      const found = await backend.find({ kind: "id", id: old.id, text: old.id }, signal, "quick");
      if (found.length === 1 && !found[0].archived) view.set(found[0]);
      else gone.set(old.id, old);
    } catch {
      // Kept as last seen: looked up again next round.
    }
  }, LOOKUPS);
}
