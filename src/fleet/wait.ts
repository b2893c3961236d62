/**
 * Waiting on agents: poll the fleet with ONE list request per back end per round, however many
 * agents are watched, until the condition holds, the timeout passes, or the call is cancelled.
 */
import { sleep } from "../coder/http.ts";
import { runBatch } from "./batch.ts";
import { LOOKUPS } from "./resolve.ts";
import { type Agent, type AgentKind, isSettled } from "./agent.ts";
import type { Fleet } from "./fleet.ts";

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
  const first = new Map(opts.watch.map((a) => [a.id, a]));
  let current = new Map(first);
  const gone = new Map<string, Agent>();
  const kinds = [...new Set(opts.watch.map((a) => a.kind))];
  let rounds = 0;

  const evaluate = () => {
    const met: Agent[] = [];
    const pending: Agent[] = [];
    for (const [id, a] of current) {
      if (gone.has(id) || meets(opts.until, a, first.get(id)!)) met.push(a);
      else pending.push(a);
    }
    return { met, pending };
  };

  while (true) {
    const { met, pending } = evaluate();
    const done = opts.watch.length > 0 &&
      (opts.mode === "any" ? met.length > 0 : pending.length === 0);
    const elapsed = fleet.now() - start;
    await opts.onRound?.(rounds, met.length, first.size);
    if (done || elapsed >= opts.timeoutMs || opts.watch.length === 0) {
      return {
        done,
        timed_out: !done,
        met: met.filter((a) => !gone.has(a.id)),
        pending,
        gone: [...gone.values()],
        elapsed_ms: elapsed,
        rounds,
      };
    }
    await sleep(Math.min(pollMs, Math.max(0, opts.timeoutMs - elapsed)), opts.signal);
    opts.signal?.throwIfAborted();
    current = await poll(fleet, kinds, current, gone, opts.signal);
    rounds++;
  }
}

/** One round: one list per back end; watched agents missing from the lists are looked up once. */
async function poll(
  fleet: Fleet,
  kinds: AgentKind[],
  current: Map<string, Agent>,
  gone: Map<string, Agent>,
  signal?: AbortSignal,
): Promise<Map<string, Agent>> {
  const snap = await fleet.snapshot(kinds.length === 1 ? { kind: kinds[0] } : {}, signal);
  const byId = new Map(snap.agents.map((a) => [a.id, a]));
  const failedKinds = new Set(snap.errors.map((e) => e.kind));
  const next = new Map<string, Agent>();
  const missing: Agent[] = [];
  for (const [id, old] of current) {
    const now = byId.get(id);
    if (now) next.set(id, now);
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
