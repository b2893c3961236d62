/**
 * Rate discipline towards Coder, shared by every request of the process to one Coder origin.
 *
 * - Per route (see `routeKey`): at most `ratePerMinute` requests in any sliding 60 s window
 *   (Coder allows 512 a minute per user and endpoint; the default stays below, at 450).
 * - Per route: a hold. After a 429 (or a 503 with `Retry-After`), nothing goes to that route
 *   before the time Coder asked for has passed, or {@link MAX_HOLD_MS} at most: a maintenance
 *   page's day or a 429's `1e308` s would lock the route until restart, so after the cap Coder is
 *   asked again and its new answer decides.
 * - Per call and route: a fair share (share.ts). Within a tool call, a call may take a slot only
 *   while it has sent fewer requests to the route, in the window, than what is left of it.
 * - Overall: at most `maxInFlight` requests in flight at once.
 *
 * A wait that would end after the caller's deadline is not started: {@link RateWaitTooLong} is
 * thrown at once, so the client can explain it instead of timing out.
 */
import { callSends } from "./budget.ts";
import { shareWait } from "./share.ts";

/** Default requests per minute per route. */
export const DEFAULT_RATE_PER_MINUTE = 450;
/** Default requests in flight at once. */
export const DEFAULT_MAX_IN_FLIGHT = 16;
export { CALL_FLOOR } from "./share.ts";

const WINDOW_MS = 60_000;

/**
 * The longest one `Retry-After` holds a route (2 min): above Coder's one-minute rate window, so a
 * real 429 is always honoured in full, and short enough that a route recovers soon after Coder.
 */
export const MAX_HOLD_MS = 120_000;

/** Thrown by {@link RateLimiter.acquire} when the wait does not fit before the deadline. */
export class RateWaitTooLong extends Error {
  /** How long the wait would have been, in milliseconds. */
  readonly waitMs: number;
  /**
   * Why: Coder's `Retry-After` hold, the per-minute rate, the call's share of it, or the
   * in-flight bound.
   */
  readonly reason: "hold" | "rate" | "share" | "slots";
  constructor(waitMs: number, reason: "hold" | "rate" | "share" | "slots") {
    super(`a ${reason} wait of ${Math.ceil(waitMs)} ms does not fit before the deadline`);
    this.name = "RateWaitTooLong";
    this.waitMs = waitMs;
    this.reason = reason;
  }
}

interface Route {
  /** Send times within the last window, ascending. */
  sent: number[];
  /** No request before this epoch ms (Retry-After). */
  holdUntil: number;
  /** The status whose `Retry-After` set the hold (429, 503). */
  holdStatus?: number;
  /** The wait Coder asked for then, in ms (may exceed the cap). */
  holdAskedMs?: number;
}

/** What holds a route: how long still, and what Coder answered to set it. */
export interface Hold {
  /** Milliseconds until the route may be sent to again (0 when not held). */
  ms: number;
  /** The status whose `Retry-After` set the hold. */
  status?: number;
  /** The wait Coder asked for, in ms (more than the hold when the cap cut it). */
  askedMs?: number;
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  ratePerMinute?: number;
  maxInFlight?: number;
  /** The longest hold (default {@link MAX_HOLD_MS}; tests shorten it). */
  maxHoldMs?: number;
}

/** The limiter; one per Coder origin, see {@link sharedLimiter}. */
export class RateLimiter {
  readonly ratePerMinute: number;
  readonly maxInFlight: number;
  readonly maxHoldMs: number;
  readonly #routes = new Map<string, Route>();
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(opts: RateLimiterOptions = {}) {
    this.ratePerMinute = Math.max(1, Math.floor(opts.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE));
    this.maxInFlight = Math.max(1, Math.floor(opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
    this.maxHoldMs = Math.max(0, opts.maxHoldMs ?? MAX_HOLD_MS);
  }

  #route(key: string): Route {
    let r = this.#routes.get(key);
    if (!r) {
      r = { sent: [], holdUntil: 0 };
      this.#routes.set(key, r);
    }
    return r;
  }

  /**
   * Hold `key` for `ms` from now, at most {@link maxHoldMs}: nothing is sent to it before. Below
   * the cap, holds only ever lengthen. `status` is the answer that asked for it (429, 503).
   * Returns the hold set, in ms.
   */
  hold(key: string, ms: number, status?: number): number {
    const r = this.#route(key);
    const asked = Number.isNaN(ms) ? 0 : Math.max(0, ms);
    const held = Math.min(asked, this.maxHoldMs);
    const until = Date.now() + held;
    if (until > r.holdUntil) {
      r.holdUntil = until;
      r.holdStatus = status;
      r.holdAskedMs = asked;
    }
    return held;
  }

  /** Milliseconds until `key` may be sent to again because of a hold (0 when none). */
  heldFor(key: string): number {
    return Math.max(0, (this.#routes.get(key)?.holdUntil ?? 0) - Date.now());
  }

  /** The hold on `key`: how long still, and the answer that set it. */
  holdOf(key: string): Hold {
    const ms = this.heldFor(key);
    const r = this.#routes.get(key);
    if (ms === 0 || !r) return { ms };
    return { ms, status: r.holdStatus, askedMs: r.holdAskedMs };
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Wait until a request to `key` may go out, then take an in-flight slot. Returns the function
   * that gives the slot back (call it exactly once). Throws {@link RateWaitTooLong} when a wait
   * would end after `deadline` (epoch ms), and the signal's reason when it aborts.
   */
  async acquire(key: string, deadline: number, signal?: AbortSignal): Promise<() => void> {
    const r = this.#route(key);
    const calls = callSends(); // undefined outside a tool call: the server's own work
    let mine = calls?.get(key);
    if (calls && !mine) calls.set(key, mine = []);
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      if (r.holdUntil > now) {
        await this.#wait(r.holdUntil - now, deadline, "hold", signal);
        continue;
      }
      while (r.sent.length > 0 && r.sent[0] <= now - WINDOW_MS) r.sent.shift();
      if (mine) {
        while (mine.length > 0 && mine[0] <= now - WINDOW_MS) mine.shift();
        const share = shareWait(r.sent, mine, now, this.ratePerMinute, WINDOW_MS);
        if (share > 0) {
          await this.#wait(share, deadline, "share", signal);
          continue;
        }
      }
      if (r.sent.length < this.ratePerMinute) {
        r.sent.push(now);
        mine?.push(now);
        break;
      }
      await this.#wait(r.sent[0] + WINDOW_MS - now, deadline, "rate", signal);
    }
    await this.#slot(deadline, signal);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#waiting.shift()?.();
    };
  }

  #wait(ms: number, deadline: number, reason: RateWaitTooLong["reason"], signal?: AbortSignal) {
    if (Date.now() + ms > deadline) return Promise.reject(new RateWaitTooLong(ms, reason));
    return sleep(ms, signal);
  }

  #slot(deadline: number, signal?: AbortSignal): Promise<void> {
    // A free slot means no one waits: a release hands its slot to the first waiter at once.
    if (this.#inFlight < this.maxInFlight) {
      this.#inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const left = deadline - Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const grant = () => {
        done();
        this.#inFlight++;
        resolve();
      };
      const drop = (err: unknown) => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        done();
        reject(err);
      };
      const onAbort = () => drop(signal!.reason);
      if (Number.isFinite(left)) {
        timer = setTimeout(() => drop(new RateWaitTooLong(left, "slots")), Math.max(0, left));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }
}

const shared = new Map<string, RateLimiter>();

/**
 * The process-wide limiter of one Coder origin (created on first use with these options; every
 * later client of that origin and those options shares it).
 */
export function sharedLimiter(origin: string, opts: RateLimiterOptions = {}): RateLimiter {
  const key = `${origin} ${opts.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE} ${
    opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  } ${opts.maxHoldMs ?? MAX_HOLD_MS}`;
  let l = shared.get(key);
  if (!l) {
    l = new RateLimiter(opts);
    shared.set(key, l);
  }
  return l;
}

/** Sleep for `ms`, waking early (with a rejection) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
