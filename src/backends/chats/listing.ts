/**
 * The chat list requests of the Chats back end, with the search terms that only some Coder
 * versions take, each probed on first use like a feature flag:
 *
 * - `source:created_by_me,shared_with_me`: the caller's chats and those shared with it (v2.39;
 *   Coder's list holds only the caller's own chats by default). An older Coder may answer 400 to
 *   the pair: the list then goes out without it, as before.
 * - `status:...`: the state filter (v2.37 answers 400: filtered locally from then on).
 * - `pr_status:...`: the pull-request filter (`draft|open|merged|closed|none`).
 * - `search:...`: the `list_agents` query, which Coder matches in titles, pull requests and the
 *   conversation (its own full-text search); where Coder answers 400, or cannot run the query
 *   (see `search.ts`), the fleet matches names and messages itself.
 *
 * A term whose support is unknown goes out alone with the known ones, so that a 400 names its
 * cause; what a request could not carry is left to the fleet's local filtering, which re-applies
 * every filter anyway (except the query where Coder ran it: see {@link Listed.applied}).
 */
import { type ChatList, listChats } from "./api.ts";
import type { AgentState } from "../../model/agent.ts";
import type { BackendContext } from "../../model/backend.ts";
import { isHttp } from "../../model/backend_errors.ts";

/** A search term some Coder versions do not take. */
export type ProbedKey = "source" | "status" | "pr_status" | "search";

/** An optional term of one request. */
export interface Optional {
  key: ProbedKey;
  term: string;
}

/** A list answer, and the optional terms Coder applied to it. */
export interface Listed {
  list: ChatList;
  applied: ReadonlySet<ProbedKey>;
}

/** Both sources: the caller's own chats and those shared with it. */
export const BOTH_SOURCES: Optional = {
  key: "source",
  term: "source:created_by_me,shared_with_me",
};

/** The chat list of one back end, and what its Coder was found to take. */
export class ChatListing {
  readonly #ctx: BackendContext;
  readonly #support: Partial<Record<ProbedKey, boolean>> = {};

  constructor(ctx: BackendContext) {
    this.#ctx = ctx;
  }

  /** Whether Coder takes each probed term, once probed. */
  supports(key: ProbedKey): boolean | undefined {
    return this.#support[key];
  }

  /**
   * `GET C/chats` with `terms`, `labels` and as many of the `optional` terms as Coder takes (in
   * their order of importance; an unknown one probed, one a request).
   */
  async list(
    terms: string[],
    optional: Optional[],
    labels?: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Listed> {
    const pending = optional.filter((o) => this.#support[o.key] !== false);
    /** A probe answered 400: judged once the request without it answers. */
    let refused: ProbedKey | undefined;
    for (;;) {
      const known = pending.filter((o) => this.#support[o.key] === true);
      // After a refused probe, the request goes out again with the known terms alone.
      const probe = refused ? undefined : pending.find((o) => this.#support[o.key] === undefined);
      const sent = probe ? [...known, probe] : known;
      try {
        const list = await listChats(this.#ctx.client, this.#ctx.prefix, {
          terms: [...terms, ...sent.map((o) => o.term)],
          labels,
        }, signal);
        if (probe) this.#support[probe.key] = true;
        // The same request without the refused probe answered: that probe was the cause.
        if (refused) this.#support[refused] = false;
        return { list, applied: new Set(sent.map((o) => o.key)) };
      } catch (err) {
        if (!isHttp(err, 400)) throw err;
        // A 400 to a probe: that term may not be taken by this Coder (known once the request
        // answers without it). To a known search term: Coder cannot run this value; the fleet
        // matches it itself.
        const drop = refused ? undefined : probe ?? sent.find((o) => o.key === "search");
        if (!drop) throw err;
        if (drop === probe) refused = probe.key;
        pending.splice(pending.indexOf(drop), 1);
      }
    }
  }
}

/** The chat statuses of each fleet state, where a state is exactly a set of statuses. */
const STATUSES_OF: Partial<Record<AgentState, string[]>> = {
  working: ["running", "interrupting"],
  idle: ["waiting", "requires_action", "paused"],
  error: ["error"],
  complete: [],
  failed: [],
  paused: [],
};

/**
 * The chat statuses a state filter can be pushed to Coder as, or `undefined` when it cannot
 * (no filter, `starting` (queued chats have any status), `unknown`, or nothing to ask for).
 */
export function chatStatusesOf(states: readonly AgentState[] | undefined): string[] | undefined {
  if (!states) return undefined;
  const out: string[] = [];
  for (const s of states) {
    const st = STATUSES_OF[s];
    if (!st) return undefined;
    out.push(...st);
  }
  return out.length > 0 ? out : undefined;
}
