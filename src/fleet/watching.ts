/**
 * What a wait holds between rounds, and how it starts. Many waits may run at once (the server
 * admits up to a cap, `admission.ts`), so a wait holds per agent no more than an entry or two:
 * the agents themselves are the shared rounds' (`rounds.ts`), and nothing keeps a whole first
 * view alive. A wait on named agents starts from them; a fresh (whole-fleet or filtered) wait
 * from a round of the fleet's lists.
 */
import { type Agent, type AgentKind, isSettled } from "../model/agent.ts";
import { applyFilter, type Fleet, type FleetFilter } from "./fleet.ts";

/** What to wait for. */
export type Until = "settled" | "any_change" | "idle";

/** A fingerprint of what `any_change` compares. */
export function fingerprint(a: Agent): string {
  return `${a.state}\u0000${a.detail}\u0000${a.message}`;
}

/** Does the agent meet the condition, given its first view? */
export function meets(until: Until, now: Agent, first: Agent): boolean {
  return meetsPrint(until, now, until === "any_change" ? fingerprint(first) : undefined);
}

/** {@link meets}, given the first view's fingerprint (`any_change` only). */
export function meetsPrint(until: Until, now: Agent, first: string | undefined): boolean {
  if (until === "settled") return isSettled(now.state);
  if (until === "idle") return now.state === "idle";
  return first !== undefined && fingerprint(now) !== first;
}

/**
 * What a wait holds between rounds. Many waits may run at once (the server admits up to a cap),
 * so it holds per agent no more than an entry or two: the agents themselves are the shared
 * rounds' (see `rounds.ts`), and nothing keeps a whole first view alive.
 */
export interface Watching {
  /** The watched agents, latest view. */
  current: Map<string, Agent>;
  /** `any_change`: each watched agent's fingerprint at first sight. */
  prints?: Map<string, string>;
  /** Fresh waits: every id seen at the start or since (the others are newcomers). */
  known?: Set<string>;
  already: Agent[];
  alreadyTotal: number;
  /** How many agents the wait watched at the start. */
  watched: number;
  kinds: AgentKind[];
  /** One watched agent per kind and owner: whose agents the pacer must be able to see. */
  owners: Agent[];
}

/** A wait on named agents. */
export function watching(watch: readonly Agent[], until: Until): Watching {
  const current = new Map(watch.map((a) => [a.id, a]));
  return {
    current,
    prints: until === "any_change" ? new Map(watch.map((a) => [a.id, fingerprint(a)])) : undefined,
    already: [],
    alreadyTotal: 0,
    watched: current.size,
    kinds: [...new Set(watch.map((a) => a.kind))],
    owners: ownersOf(watch),
  };
}

/**
 * A fresh wait's first view: what its filter matches in a round of the fleet's lists sent after
 * the call began. Agents that already meet the condition are set aside (counted; the first
 * `alreadyMax` kept for the answer); only ids, and the rest, are kept.
 */
export async function firstView(
  fleet: Fleet,
  filter: FleetFilter,
  until: Until,
  alreadyMax: number,
  signal?: AbortSignal,
): Promise<Watching> {
  const kinds: AgentKind[] = filter.kind
    ? [filter.kind]
    : (await fleet.backends(undefined, signal)).map((b) => b.kind);
  const round = await fleet.round(kinds, undefined, signal);
  const view = applyFilter(round.agents, filter, fleet.now());
  const known = new Set<string>();
  const current = new Map<string, Agent>();
  const prints = until === "any_change" ? new Map<string, string>() : undefined;
  const already: Agent[] = [];
  let alreadyTotal = 0;
  for (const a of view) {
    known.add(a.id);
    // `any_change` compares with the first view: nothing has changed yet, so none is set aside.
    if (until !== "any_change" && meetsPrint(until, a, undefined)) {
      if (alreadyTotal++ < alreadyMax) already.push(a);
    } else {
      current.set(a.id, a);
      prints?.set(a.id, fingerprint(a));
    }
  }
  return {
    current,
    prints,
    known,
    already,
    alreadyTotal,
    watched: view.length,
    kinds,
    owners: ownersOf(view),
  };
}

/** One agent per kind and owner. */
function ownersOf(agents: readonly Agent[]): Agent[] {
  const seen = new Map<string, Agent>();
  for (const a of agents) {
    if (!seen.has(`${a.kind} ${a.owner}`)) seen.set(`${a.kind} ${a.owner}`, a);
  }
  return [...seen.values()];
}
