/**
 * Waiting on agents: poll the fleet with ONE list request per back end per round, however many
 * agents are watched, until the condition holds, the timeout passes, or the call is cancelled.
 */
import type { Pacer, Step } from "./pacer.ts";
import { runBatch } from "../model/batch.ts";
import { LOOKUPS } from "./resolve.ts";
import { type Agent, type AgentKind, isSettled } from "../model/agent.ts";
import { applyFilter, type Fleet, type FleetFilter } from "./fleet.ts";

/** What to wait for. */
export type Until = "settled" | "any_change" | "idle";

/** Options of {@link waitForAgents}. */
export interface WaitOptions {
  /** The agents to watch, as first seen. */
  watch: Agent[];
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
   * A whole-fleet (or filtered) wait: it waits for something new. Agents that meet the condition
   * at the start are reported as `already` but do not end it; an agent that comes to meet it, or
   * a new agent matching this filter that appears, does.
   */
  fresh?: FleetFilter;
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
  /** Fresh waits: agents that met the condition at the start (reported, not counted). */
  already: Agent[];
  /** Fresh waits: agents that appeared during the call (also in `met` or `pending`). */
  appeared: Agent[];
  elapsed_ms: number;
  rounds: number;
}

/** A fingerprint of what `any_change` compares. */
function fingerprint(a: Agent): string {
  return `${a.state}\u0000${a.detail}\u0000${a.message}`;
}

/** Does the agent meet the condition, given its first view? */
export function meets(until: Until, now: Agent, first: Agent): boolean {
  if (until === "settled") return isSettled(now.state);
  if (until === "idle") return now.state === "idle";
  return fingerprint(now) !== fingerprint(first);
}

/** Wait until agents settle, go idle or change. Cancellation ends it at once (rejects). */
export async function waitForAgents(fleet: Fleet, opts: WaitOptions): Promise<WaitResult> {
  const start = fleet.now();
  const pollMs = opts.pollMs ?? fleet.pollMs;
  const fresh = opts.fresh;
  const first = new Map(opts.watch.map((a) => [a.id, a]));
  let current = new Map(first);
  const gone = new Map<string, Agent>();
  // A fresh wait sets aside what already meets the condition, and watches for newcomers.
  const already = new Map<string, Agent>();
  if (fresh) {
    for (const a of opts.watch) if (meets(opts.until, a, a)) already.set(a.id, a);
    for (const id of already.keys()) current.delete(id);
  }
  const appeared = new Map<string, Agent>();
  const kinds: AgentKind[] = fresh
    ? (fresh.kind
      ? [fresh.kind]
      : (await fleet.backends(undefined, opts.signal)).map((b) => b.kind))
    : [...new Set(opts.watch.map((a) => a.kind))];
  let rounds = 0;
  const newcomers: Newcomers | undefined = fresh && {
    filter: fresh,
    known: (id) => first.has(id) || appeared.has(id),
    add: (a) => appeared.set(a.id, a),
  };

  const evaluate = () => {
    const met: Agent[] = [];
    const pending: Agent[] = [];
    for (const [id, a] of current) {
      if (
        gone.has(id) || appeared.has(id) && (opts.mode === "any" || opts.until === "any_change")
      ) {
        met.push(a);
      } else if (meets(opts.until, a, first.get(id) ?? a)) met.push(a);
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
    while (true) {
      const { met, pending } = evaluate();
      const done = fresh
        ? (opts.mode === "any" ? met.length > 0 : current.size > 0 && pending.length === 0)
        : opts.watch.length > 0 && (opts.mode === "any" ? met.length > 0 : pending.length === 0);
      const elapsed = fleet.now() - start;
      await opts.onRound?.(rounds, met.length, current.size);
      if (done || elapsed >= opts.timeoutMs || (!fresh && opts.watch.length === 0)) {
        return {
          done,
          timed_out: !done,
          met: met.filter((a) => !gone.has(a.id)),
          pending,
          gone: [...gone.values()],
          already: [...already.values()],
          appeared: [...appeared.values()],
          elapsed_ms: elapsed,
          rounds,
        };
      }
      pacer ??= await fleet.pacer(kinds, pollMs, opts.signal, opts.watch);
      const step = await pacer.next(
        Math.min(PROGRESS_MS, Math.max(0, opts.timeoutMs - elapsed)),
        opts.signal,
      );
      opts.signal?.throwIfAborted();
      applyEvents(fleet, step, current, gone, newcomers);
      if (step.kinds.length > 0) {
        current = await poll(fleet, step.kinds, current, gone, opts.signal, newcomers);
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
  current: Map<string, Agent>,
  gone: Map<string, Agent>,
  newcomers?: Newcomers,
): void {
  for (const f of step.events) {
    const a = f.agent;
    const old = current.get(a.id);
    if (old) {
      if (f.kind === "deleted" || a.archived) gone.set(a.id, old);
      else current.set(a.id, a);
    } else if (newcomers && !newcomers.known(a.id) && f.kind !== "deleted" && !a.archived) {
      for (const n of applyFilter([a], newcomers.filter, fleet.now())) {
        newcomers.add(n);
        current.set(n.id, n);
      }
    }
  }
}

/** How a fresh wait takes in agents that appear: those matching its filter, never seen before. */
interface Newcomers {
  filter: FleetFilter;
  known: (id: string) => boolean;
  add: (a: Agent) => void;
}

/** One round: one list per back end; watched agents missing from the lists are looked up once. */
async function poll(
  fleet: Fleet,
  kinds: AgentKind[],
  current: Map<string, Agent>,
  gone: Map<string, Agent>,
  signal?: AbortSignal,
  newcomers?: Newcomers | false,
): Promise<Map<string, Agent>> {
  const snap = await fleet.snapshot(kinds.length === 1 ? { kind: kinds[0] } : {}, signal);
  const listed = new Set(snap.agents.map((a) => a.kind).concat(kinds));
  if (newcomers) {
    const fresh = applyFilter(
      snap.agents.filter((a) => !newcomers.known(a.id)),
      newcomers.filter,
      fleet.now(),
    );
    for (const a of fresh) {
      newcomers.add(a);
      current.set(a.id, a);
    }
  }
  const byId = new Map(snap.agents.map((a) => [a.id, a]));
  const failedKinds = new Set(snap.errors.map((e) => e.kind));
  const next = new Map<string, Agent>();
  const missing: Agent[] = [];
  for (const [id, old] of current) {
    const now = byId.get(id);
    if (now) next.set(id, now);
    else if (!listed.has(old.kind)) next.set(id, old); // not listed this round (watch-driven)
    else if (gone.has(id) || failedKinds.has(old.kind)) next.set(id, old);
    else missing.push(old);
  }
  // Not in the list: another user's task or an archived chat. Ask for each directly, a few at a
  // time (rate discipline: a round must not fan out into hundreds of requests at once).
  await runBatch(missing, async (old) => {
    try {
      const backend = await fleet.backendOf(old, signal);
      const found = await backend.find({ kind: "id", id: old.id, text: old.id }, signal, "quick");
      if (found.length === 1 && !found[0].archived) {
        next.set(old.id, found[0]);
      } else {
        gone.set(old.id, old);
        next.set(old.id, old);
      }
    } catch {
      next.set(old.id, old);
    }
  }, LOOKUPS);
  return next;
}
