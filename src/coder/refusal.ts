/**
 * Why a request was not sent: the rate limiter refused to wait (the wait would end after the
 * call's deadline), as a `budget` error that says what held it and when to retry. Nothing was
 * sent, so a write refused here certainly did not happen.
 */
import { type CoderErrorInit, humanDuration } from "./errors.ts";
import type { RateLimiter, RateWaitTooLong } from "./ratelimit.ts";

/** The error of a request to `key` (`route`) that `limiter` would not send in time. */
export function refusal(
  e: RateWaitTooLong,
  limiter: RateLimiter,
  key: string,
  route: string,
): CoderErrorInit {
  const init: CoderErrorInit = { status: 0, route, kind: "budget" };
  const retry = humanDuration(e.waitMs);
  switch (e.reason) {
    case "hold": {
      // Coder's Retry-After (capped): the error says who asked, and for how long.
      const hold = limiter.holdOf(key);
      init.retryAfterMs = hold.ms;
      init.holdStatus = hold.status;
      // What Coder asked is said only where the cap cut it (the hold's time left is always less).
      if (hold.askedMs !== undefined && hold.askedMs > limiter.maxHoldMs) {
        init.askedMs = hold.askedMs;
      }
      break;
    }
    case "rate":
      init.detail = `nothing was sent: this server keeps under ${limiter.ratePerMinute} ` +
        `requests a minute to this Coder route; retry in ${retry}`;
      break;
    case "share":
      init.detail = `nothing was sent: this call used its share of this route (half of what is ` +
        `left of ${limiter.ratePerMinute} a minute, so other calls get through); retry in ${retry}, ` +
        `or with fewer agents`;
      break;
    default:
      init.detail = "nothing was sent: too many requests to Coder in flight; retry shortly";
  }
  return init;
}
