/**
 * What a wait holds between rounds, and how it starts. Up to a thousand waits may run at once
 * (`admission.ts`), on fleets of 20,000, so a wait holds next to nothing per agent:
 *
 * - its first view is shared: waits that start from the same round with the same filter and
 *   condition share one {@link FirstView} (named waits hold their own, at most 1,000 agents);
 * - the agents' later states are the shared rounds' (`rounds.ts`): a wait keeps the latest round
 *   of each kind, not a copy of it;
 * - what it learns on its own (watch events, direct lookups, agents that appeared) is the little
 *   it keeps per agent ({@link View}).
 */
import { type Agent, type AgentKind, isSettled } from "../model/agent.ts";
import { applyFilter, type Fleet, type FleetFilter } from "./fleet.ts";
import type { Round } from "./rounds.ts";

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

/** How a wait starts: what it watches, as first seen. Shared between waits: read only. */
export interface FirstView {
  /** The watched agents, as first seen. */
  readonly first: ReadonlyMap<string, Agent>;
  /** `any_change`: each watched agent's fingerprint at first sight. */
  readonly prints?: ReadonlyMap<string, string>;
  /** Fresh waits: every id of the first view (the others are newcomers). */
  readonly known?: ReadonlySet<string>;
  /** Fresh waits: agents that met the condition at the start (the first `alreadyMax`). */
  readonly already: readonly Agent[];
  readonly alreadyTotal: number;
  /** How many agents the first view holds (watched, and already met). */
  readonly watched: number;
  readonly kinds: readonly AgentKind[];
  /** One watched agent per kind and owner: whose agents the pacer must be able to see. */
  readonly owners: readonly Agent[];
}

/** A wait on named agents. */
export function namedView(watch: readonly Agent[], until: Until): FirstView {
  const first = new Map(watch.map((a) => [a.id, a]));
  return {
    first,
    prints: until === "any_change" ? printsOf(first.values()) : undefined,
    already: [],
    alreadyTotal: 0,
    watched: first.size,
    kinds: [...new Set(watch.map((a) => a.kind))],
    owners: ownersOf(watch),
  };
}

/** The first views built from each round, by filter and condition (dropped with the round). */
const firstViews = new WeakMap<Round, Map<string, FirstView>>();

/**
 * A fresh wait's first view: what its filter matches in a round of the fleet's lists sent after
 * the call began (one in flight is joined). Agents that already meet the condition are set aside
 * (counted; the first `alreadyMax` kept for the answer). Waits that start from the same round
 * with the same filter and condition share it.
 */
export async function freshView(
  fleet: Fleet,
  filter: FleetFilter,
  until: Until,
  alreadyMax: number,
  signal?: AbortSignal,
): Promise<FirstView> {
  const kinds: AgentKind[] = filter.kind
    ? [filter.kind]
    : (await fleet.backends(undefined, signal)).map((b) => b.kind);
  const round = await fleet.round(kinds, undefined, signal);
  const key = JSON.stringify([filter, until, alreadyMax]);
  let views = firstViews.get(round);
  if (!views) firstViews.set(round, views = new Map());
  let view = views.get(key);
  if (!view) {
    views.set(key, view = buildFresh(round, kinds, filter, until, alreadyMax, fleet.now()));
  }
  return view;
}

function buildFresh(
  round: Round,
  kinds: AgentKind[],
  filter: FleetFilter,
  until: Until,
  alreadyMax: number,
  now: number,
): FirstView {
  const matched = applyFilter(round.agents, filter, now);
  const known = new Set<string>();
  const first = new Map<string, Agent>();
  const already: Agent[] = [];
  let alreadyTotal = 0;
  for (const a of matched) {
    known.add(a.id);
    // `any_change` compares with the first view: nothing has changed yet, so none is set aside.
    if (until !== "any_change" && meetsPrint(until, a, undefined)) {
      if (alreadyTotal++ < alreadyMax) already.push(a);
    } else first.set(a.id, a);
  }
  return {
    first,
    prints: until === "any_change" ? printsOf(first.values()) : undefined,
    known,
    already,
    alreadyTotal,
    watched: matched.length,
    kinds,
    owners: ownersOf(matched),
  };
}

function printsOf(agents: Iterable<Agent>): Map<string, string> {
  const prints = new Map<string, string>();
  for (const a of agents) prints.set(a.id, fingerprint(a));
  return prints;
}

/** One agent per kind and owner. */
function ownersOf(agents: readonly Agent[]): Agent[] {
  const seen = new Map<string, Agent>();
  for (const a of agents) {
    if (!seen.has(`${a.kind} ${a.owner}`)) seen.set(`${a.kind} ${a.owner}`, a);
  }
  return [...seen.values()];
}

/**
 * The agents one wait watches, as it last saw them: its first view and the agents that appeared
 * since, each read from the latest round of its kind, unless the wait learned better on its own
 * (a watch event, a direct lookup, the last sight of an agent a round no longer lists).
 */
export class View {
  readonly start: FirstView;
  /** Agents that appeared during the wait (fresh waits), as first seen. */
  readonly appeared = new Map<string, Agent>();
  readonly #latest = new Map<AgentKind, Round>();
  readonly #own = new Map<string, Agent>();

  constructor(start: FirstView) {
    this.start = start;
  }

  /** How many agents it watches. */
  get size(): number {
    return this.start.first.size + this.appeared.size;
  }

  /** Every watched id: the first view's, then those that appeared. */
  *ids(): IterableIterator<string> {
    yield* this.start.first.keys();
    yield* this.appeared.keys();
  }

  /** Whether the wait has seen this id (fresh waits: a newcomer is an id it has not). */
  known(id: string): boolean {
    return (this.start.known?.has(id) ?? false) || this.appeared.has(id);
  }

  /** The watched agent as last seen (undefined when it is not watched). */
  get(id: string): Agent | undefined {
    const own = this.#own.get(id);
    if (own) return own;
    const base = this.start.first.get(id) ?? this.appeared.get(id);
    if (!base) return undefined;
    return this.#latest.get(base.kind)?.get(id) ?? base;
  }

  /** What the wait learned of one agent on its own (an event, a lookup, a last sight). */
  set(agent: Agent): void {
    this.#own.set(agent.id, agent);
  }

  /**
   * The round's lists of `kinds` (those it listed) are now the latest: they supersede what the
   * wait learned on its own of the agents they show.
   */
  adopt(round: Round, kinds: readonly AgentKind[]): void {
    for (const k of kinds) this.#latest.set(k, round);
    for (const [id, a] of this.#own) {
      if (kinds.includes(a.kind) && round.get(id)) this.#own.delete(id);
    }
  }
}
