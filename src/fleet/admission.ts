/**
 * How many waits the server holds at once. Each wait keeps an entry or two per agent it watches
 * (the agents themselves are the shared rounds', see `rounds.ts`), so what a process can hold is
 * bounded by the number of waits and by the agents they watch together: a wait beyond either cap
 * is refused at once, with the count and what to do, instead of running the heap out of memory
 * and losing every call in flight (issue 17).
 */
import { FleetError } from "../model/backend.ts";

/** Waits in flight at once (`wait_for_agents` calls). */
export const MAX_WAITS = 1_000;

/**
 * Agents watched at once, summed over the waits in flight (a whole-fleet wait on 20,000 agents
 * counts 20,000): 1,000 waits on 1,000 agents, or 100 on 20,000, fit.
 */
export const MAX_WATCHED = 2_000_000;

/** One admitted wait. */
export interface WaitTicket {
  /**
   * How many agents the wait watches, once it knows (throws a FleetError, and leaves, when that
   * would pass {@link MAX_WATCHED}). Called at most once.
   */
  watch(agents: number): void;
  /** The wait ended (idempotent). */
  leave(): void;
}

/** Counts the waits in flight and the agents they watch; refuses a wait beyond the caps. */
export class WaitGate {
  readonly maxWaits: number;
  readonly maxWatched: number;
  #waits = 0;
  #watched = 0;

  constructor(maxWaits = MAX_WAITS, maxWatched = MAX_WATCHED) {
    this.maxWaits = maxWaits;
    this.maxWatched = maxWatched;
  }

  /** Waits in flight now. */
  get waits(): number {
    return this.#waits;
  }

  /** Agents watched now, summed over the waits in flight. */
  get watched(): number {
    return this.#watched;
  }

  /** Admit a wait, or throw a FleetError that says how many are in flight and what to do. */
  enter(): WaitTicket {
    if (this.#waits >= this.maxWaits) {
      throw this.#refusal(`at most ${fmt(this.maxWaits)} at once`);
    }
    this.#waits++;
    let mine = 0;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.#waits--;
      this.#watched -= mine;
    };
    return {
      watch: (agents) => {
        if (left || mine > 0) return;
        if (this.#watched + agents > this.maxWatched) {
          leave();
          throw this.#refusal(
            `they watch ${fmt(this.#watched)} agents, and this one would add ${fmt(agents)}; ` +
              `at most ${fmt(this.maxWatched)} are watched at once`,
          );
        }
        mine = agents;
        this.#watched += agents;
      },
      leave,
    };
  }

  #refusal(why: string): FleetError {
    return new FleetError(
      `Too many concurrent waits, ${fmt(this.#waits)} in flight (${why}). Nothing was waited for.`,
      "Retry when some of the waits in flight have ended, or wait for more agents in one call: " +
        "one wait_for_agents watches up to 1000 named agents, or the whole fleet or a filter.",
    );
  }
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
