/**
 * Rounds: the fleet's lists as one shared, read-only view, for waits. A thousand concurrent waits
 * on one fleet must not each hold a parsed copy of it (issue 17: 600 whole-fleet waits on 1,000
 * agents ran a 512 MiB heap out of memory). So a wait does not list for itself: it asks for a round
 * of its kinds whose requests went out no earlier than the end of its own previous round, and gets
 * the latest one when that is recent enough (joined while in flight, shared once answered), or
 * starts the next. Every wait still sees a view newer than its last one; the fleet is listed once
 * per round however many waits read it, and parsed once. A wait's first view is as fresh as any
 * other call's: a round in flight, or a new one (as `coalesce.ts` shares identical reads).
 *
 * A round is shared: its agents must never be changed by a reader.
 */
import { shared } from "../coder/coalesce.ts";
import type { Agent, AgentKind } from "../model/agent.ts";
import type { Snapshot } from "./snapshot.ts";

/** One round of the fleet's lists, shared by every wait that reads it. Read only. */
export interface Round {
  /** Every listed agent of the round's kinds, unfiltered. */
  readonly agents: readonly Agent[];
  /** Back ends that could not be listed this round. */
  readonly errors: Snapshot["errors"];
  /** When its requests went out (the rounds' clock). */
  readonly sentAt: number;
  /** The listed agent of this id (the index is built once, on first use). */
  get(id: string): Agent | undefined;
}

/** Lists the fleet for a round: one list request per back end of `kinds`. */
export type ListRound = (kinds: readonly AgentKind[], signal: AbortSignal) => Promise<Snapshot>;

interface Latest {
  sentAt: number;
  done?: Round;
}

/** The latest round of each set of kinds (see the module's notes). */
export class Rounds {
  readonly #list: ListRound;
  readonly #keepMs: number;
  readonly #clock: () => number;
  readonly #latest = new Map<string, Latest>();

  /**
   * `list` lists a round; an answered round is kept for reuse `keepMs` (then dropped, so that an
   * idle server holds no fleet); `clock` is monotonic (default `performance.now`).
   */
  constructor(list: ListRound, keepMs: number, clock: () => number = () => performance.now()) {
    this.#list = list;
    this.#keepMs = keepMs;
    this.#clock = clock;
  }

  /** Now, on the rounds' clock: what a wait passes as `notBefore` for its next round. */
  now(): number {
    return this.#clock();
  }

  /**
   * A round of `kinds` whose requests went out at or after `notBefore`: the latest one when it
   * is that recent (answered, or joined while in flight), else a new one. Without `notBefore`
   * (a first view): the round in flight, else a new one. A caller that aborts leaves at once;
   * the round's requests are aborted only when every caller has left.
   */
  round(
    kinds: readonly AgentKind[],
    notBefore: number | undefined,
    signal?: AbortSignal,
  ): Promise<Round> {
    const key = [...kinds].sort().join(",");
    const last = this.#latest.get(key);
    if (last && (notBefore === undefined ? !last.done : last.sentAt >= notBefore)) {
      if (last.done) return Promise.resolve(last.done);
      return this.#join(key, kinds, last, signal);
    }
    const started: Latest = { sentAt: this.#clock() };
    this.#latest.set(key, started);
    return this.#join(key, kinds, started, signal);
  }

  #join(key: string, kinds: readonly AgentKind[], entry: Latest, signal?: AbortSignal) {
    return shared(this, `${key}@${entry.sentAt}`, "the fleet's lists", signal, async (s) => {
      try {
        const snap = await this.#list(kinds, s);
        const round = makeRound(snap, entry.sentAt);
        if (this.#latest.get(key) === entry) {
          entry.done = round;
          const t = setTimeout(() => {
            if (this.#latest.get(key) === entry) this.#latest.delete(key);
          }, this.#keepMs);
          Deno.unrefTimer(t);
        }
        return round;
      } catch (err) {
        // A failed (or abandoned) round is never reused: the next caller lists again.
        if (this.#latest.get(key) === entry) this.#latest.delete(key);
        throw err;
      }
    });
  }
}

function makeRound(snap: Snapshot, sentAt: number): Round {
  let index: Map<string, Agent> | undefined;
  const agents = snap.agents;
  return {
    agents,
    errors: snap.errors,
    sentAt,
    get(id) {
      index ??= new Map(agents.map((a) => [a.id, a]));
      return index.get(id);
    },
  };
}
