/**
 * Which optional search terms a deployment's chat list takes (`status:`, `pr_status:`, ...),
 * learned from its answers: newer Coder takes them, older Coder answers 400 "Invalid chat search
 * query." to a key it does not know. At most one untried key goes out with a request, so that a
 * 400 names the key it refuses; that key is then left to local filtering for the rest of the
 * process, and the list is asked again without it. The fleet filters every answer locally anyway:
 * a term pushed to Coder only makes the answer smaller.
 */
import { isHttp } from "../../model/backend_errors.ts";

/** An optional term: its key (what is learned) and the term as sent. */
export interface OptionalTerm {
  key: string;
  term: string;
}

/** What a deployment's chat list takes, per key. */
export class QueryTerms {
  readonly #known = new Map<string, boolean>();

  /** Whether the list takes `key`: true, false, or undefined while untried. */
  takes(key: string): boolean | undefined {
    return this.#known.get(key);
  }

  /**
   * Ask with `base` and as many of `optional` as can go: those known to be taken, and at most one
   * untried. Returns the answer and the keys that went out in the request that answered.
   */
  async ask<T>(
    base: readonly string[],
    optional: readonly OptionalTerm[],
    request: (terms: string[]) => Promise<T>,
  ): Promise<{ answer: T; pushed: Set<string> }> {
    for (;;) {
      const known = optional.filter((o) => this.#known.get(o.key) === true);
      const trial = optional.find((o) => !this.#known.has(o.key));
      const send = trial ? [...known, trial] : known;
      try {
        const answer = await request([...base, ...send.map((o) => o.term)]);
        if (trial) this.#known.set(trial.key, true);
        return { answer, pushed: new Set(send.map((o) => o.key)) };
      } catch (err) {
        if (!trial || !isHttp(err, 400)) throw err;
        this.#known.set(trial.key, false); // an older server: this key is filtered locally
      }
    }
  }
}
