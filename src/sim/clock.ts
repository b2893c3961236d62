/**
 * The sim's clock: the time every simulated timestamp and every paced evolution (a task that
 * boots, works, settles) is read from. It runs with real time by default; tests may freeze it,
 * so that nothing in the fleet moves between a tool call and `truth()`, and advance it, so that
 * what would take minutes happens at once. The request log and the rate limit keep real time.
 */
export class SimClock {
  /** Virtual time minus real time, while running. */
  #offset = 0;
  /** Virtual time while frozen. */
  #frozenAt: number | undefined;

  /** Start frozen at the current real time when `frozen` is true. */
  constructor(frozen = false) {
    if (frozen) this.#frozenAt = Date.now();
  }

  /** The current virtual time (epoch ms). */
  now(): number {
    return this.#frozenAt ?? Date.now() + this.#offset;
  }

  /** Whether time stands still. */
  get frozen(): boolean {
    return this.#frozenAt !== undefined;
  }

  /** Stop time where it is. */
  freeze(): void {
    if (this.#frozenAt === undefined) this.#frozenAt = this.now();
  }

  /** Let time run again from where it stood. */
  unfreeze(): void {
    if (this.#frozenAt === undefined) return;
    this.#offset = this.#frozenAt - Date.now();
    this.#frozenAt = undefined;
  }

  /** Move time forward by `ms` (frozen or running). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`sim clock: cannot advance by ${ms} ms`);
    if (this.#frozenAt !== undefined) this.#frozenAt += ms;
    else this.#offset += ms;
  }
}
