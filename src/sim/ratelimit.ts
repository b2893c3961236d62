/**
 * Coder's rate limit, as the sim applies it: a fixed one-minute window of requests per user per
 * route template, answered 429 with `Retry-After` beyond the limit.
 */
import { coderError } from "./http.ts";

/** Coder's default: requests per minute per user per route. */
export const CODER_RATE_LIMIT = 512;

/** Per-route request counters. */
export class RateLimiter {
  readonly limit: number;
  #windows = new Map<string, { start: number; count: number }>();

  /** `limit` requests per minute per key; 0 turns the limit off. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Count a request under `key`; a 429 answer when it is over the limit. */
  check(key: string, now = Date.now()): Response | undefined {
    if (this.limit <= 0) return undefined;
    let w = this.#windows.get(key);
    if (!w || now - w.start >= 60_000) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.limit) return undefined;
    const wait = Math.max(1, Math.ceil((w.start + 60_000 - now) / 1000));
    return coderError(
      429,
      `You've been rate limited for sending more than ${this.limit} requests in 1m0s.`,
      undefined,
      undefined,
      { "Retry-After": String(wait) },
    );
  }
}
