/**
 * The options of the Coder HTTP client (`http.ts`): how it is built, and what one request asks.
 */
import type { z } from "zod";

/** Options for the `CoderClient`. */
export interface CoderClientOptions {
  /** Base URL of the Coder deployment, e.g. `https://coder.example.com`. */
  url: string;
  /** The session token, sent as `Coder-Session-Token`. */
  token: string;
  /** Per-request timeout in milliseconds (default 15 000); the call's budget may shorten it. */
  timeoutMs?: number;
  /** Retries (default 3): reads on network errors, timeouts, 5xx and 429; writes on 429 only. */
  retries?: number;
  /** Base backoff in milliseconds (default 200). */
  backoffMs?: number;
  /** Cap on one backoff in milliseconds (default 5 000). `Retry-After` is honoured, 2 min at most. */
  maxBackoffMs?: number;
  /** Requests per minute per Coder route (default 450, below Coder's 512). */
  ratePerMinute?: number;
  /** Requests in flight at once, process-wide per Coder origin (default 16). */
  maxInFlight?: number;
  /** Cap on one answer's body in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Longest wait (rate limit, `Retry-After`) outside any call budget, in ms (default 60 000). */
  maxWaitMs?: number;
  /** Longest hold of a route for one `Retry-After`, in ms (default 2 min; tests shorten it). */
  maxHoldMs?: number;
  /** Swap in a fetch implementation (tests of the client itself). */
  fetch?: typeof fetch;
}

/** One request to Coder. */
export interface RequestOptions<T> {
  /** Query parameters; `undefined` values are dropped. */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body for writes. */
  body?: unknown;
  /** Schema that the response body must satisfy; omit for bodiless answers (204). */
  schema?: z.ZodType<T>;
  /** Caller's cancellation. */
  signal?: AbortSignal;
  /** Override: allow retries on a non-GET that is safe to repeat. */
  idempotent?: boolean;
  /**
   * The documented success statuses, e.g. `[204]` or `[200, 201]`. Any other 2xx is an error
   * (`parse`). Default: `[200]` for GET and HEAD, any 2xx otherwise (every write passes it).
   */
  expect?: number[];
  /** With a schema: accept an empty body (parsed as `undefined`). Default: JSON is required. */
  allowEmpty?: boolean;
}
