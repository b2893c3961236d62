/**
 * The Coder HTTP client: one small layer over native `fetch` that every API module uses.
 *
 * - authenticates with the `Coder-Session-Token` header, and sends it only to the origin of
 *   `CODER_URL`: redirects are never followed (a 3xx is a `redirect` error naming its origin);
 * - judges success strictly (success.ts): the documented status (`expect`), and JSON where JSON
 *   is documented; a write whose fate is unknown (sent, then the answer was lost; or a 2xx that
 *   is not the documented answer) is `uncertain`, never done, never failed;
 * - sends a write once: its body goes out as a stream, which Deno's fetch never replays after a
 *   reset (once.ts);
 * - keeps to Coder's rate limit through a process-wide {@link RateLimiter} per route (a call
 *   takes a fair share of it), and retries a 429 (writes too: Coder did not act) once its
 *   `Retry-After` has passed (2 min at most);
 * - fits every request, retry and wait into the call's budget (`budget.ts`): per-request timeout
 *   = min(timeout, time left); a wait that does not fit fails at once (`budget`);
 * - reads bodies under a byte cap (`too_large`);
 * - turns Coder's `{message, detail, validations}` into a typed {@link CoderError}, and validates
 *   every body it reads with a zod schema.
 *
 * The session token is held privately; it is scrubbed from anything Coder echoes back, in any
 * letter case and where a cap cut it (secrets.ts).
 */
import { z } from "zod";
import { remainingMs } from "./budget.ts";
import { DEFAULT_MAX_BYTES, discard, readCapped } from "./body.ts";
import { CoderError, type CoderErrorInit } from "./errors.ts";
import { routeKey } from "./paths.ts";
import { RateLimiter, RateWaitTooLong, sharedLimiter, sleep } from "./ratelimit.ts";
import { classifyFetchError, errorFromBody } from "./failures.ts";
import { originOf, retryAfter } from "./answer.ts";
import { judgeSuccess } from "./success.ts";
import { onceBody } from "./once.ts";
import { refusal } from "./refusal.ts";
import { Secrets } from "./secrets.ts";
import type { CoderClientOptions, RequestOptions } from "./options.ts";

export { CoderError, type CoderErrorInit, type CoderValidation } from "./errors.ts";
export { sleep } from "./ratelimit.ts";
export { retryAfter } from "./answer.ts";
export type { CoderClientOptions, RequestOptions } from "./options.ts";

/** Least time an attempt needs to be worth starting, in ms. */
const MIN_ATTEMPT_MS = 250;
/** Cap on reading an error body (the summary needs only its start). */
const ERROR_BODY_CAP = 64 * 1024;

/** One exchange's result; `final` failures are never retried (a permission refusal, say). */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: CoderError; final?: boolean };

/** The HTTP client every Coder API module is built on. */
export class CoderClient {
  /** Base URL without a trailing slash. */
  readonly url: string;
  readonly #origin: string;
  readonly #basePath: string;
  readonly #token: string;
  /** Finds the token in what Coder echoes: raw, encoded, case-folded, or cut (secrets.ts). */
  readonly #secrets: Secrets;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxBytes: number;
  readonly #maxWaitMs: number;
  readonly #fetch: typeof fetch;
  /** The process-wide limiter of this Coder origin. */
  readonly limiter: RateLimiter;

  constructor(opts: CoderClientOptions) {
    this.url = opts.url.replace(/\/+$/, "");
    const base = new URL(this.url);
    if (base.username || base.password || base.search || base.hash) {
      throw new Error("The Coder URL must have no credentials, query or fragment.");
    }
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, "");
    this.#token = opts.token;
    this.#secrets = new Secrets([opts.token]);
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
    this.#retries = opts.retries ?? 3;
    this.#backoffMs = opts.backoffMs ?? 200;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#maxWaitMs = opts.maxWaitMs ?? 60_000;
    this.#fetch = opts.fetch ?? fetch;
    this.limiter = sharedLimiter(this.#origin, {
      ratePerMinute: opts.ratePerMinute,
      maxInFlight: opts.maxInFlight,
      maxHoldMs: opts.maxHoldMs,
    });
  }

  /** GET a path and parse it with `schema`. Retried on network errors, timeouts, 5xx and 429. */
  get<T>(path: string, schema: z.ZodType<T>, opts: Omit<RequestOptions<T>, "schema"> = {}) {
    return this.request<T>("GET", path, { ...opts, schema });
  }

  /** Send one request. Writes are retried only on 429 (Coder did not act), unless `idempotent`. */
  async request<T = undefined>(
    method: string,
    path: string,
    opts: RequestOptions<T> = {},
  ): Promise<T> {
    const route = `${method} ${path.split("?")[0]}`;
    const url = this.#resolve(path, route);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    }
    const write = method !== "GET" && method !== "HEAD";
    const retryable = !write || opts.idempotent === true;
    const key = routeKey(method, path);
    let attempt = 0;
    for (;;) {
      const result = await this.#attempt(method, url, route, key, write, opts);
      if (result.ok) return result.value;
      const err = result.error;
      const again = err.kind === "http" && err.status === 429 ||
        retryable && (err.kind === "network" || err.kind === "timeout" ||
            err.kind === "http" && err.status >= 500);
      if (!again || result.final || attempt >= this.#retries) throw tried(err, attempt + 1);
      attempt++;
      try {
        await this.#pause(attempt, err, key, route, opts.signal);
      } catch (e) {
        throw e === err ? tried(err, attempt) : e;
      }
    }
  }

  /**
   * Open a WebSocket to `path` on the Coder URL (http -> ws, https -> wss), with the session
   * token in the `Coder-Session-Token` header. The same origin rules as `request` apply: a path
   * that would leave the Coder URL throws before anything is opened, so the token goes nowhere
   * else. `open` stands in for the WebSocket constructor (tests).
   */
  openWebSocket(
    path: string,
    open: (url: string, init: { headers: Record<string, string> }) => WebSocket = (u, i) =>
      new (WebSocket as unknown as new (u: string, o: typeof i) => WebSocket)(u, i),
  ): WebSocket {
    const url = this.#resolve(path, `GET ${path.split("?")[0]}`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return open(url.href, { headers: { "Coder-Session-Token": this.#token } });
  }

  /** The URL of `path`, refused unless it stays on the base origin under the base path. */
  #resolve(path: string, route: string): URL {
    let url: URL | undefined;
    try {
      url = new URL(this.url + path);
    } catch {
      url = undefined;
    }
    const want = this.#basePath + path.split("?")[0].split("#")[0];
    if (
      !url || !path.startsWith("/") || url.origin !== this.#origin || url.pathname !== want ||
      url.username || url.password
    ) {
      throw new CoderError({
        status: 0,
        route,
        kind: "network",
        detail: "refused: the path would leave the Coder URL (no request was sent)",
      });
    }
    return url;
  }

  /** Wait before retry `attempt`, if the wait fits in the budget; otherwise throw. */
  async #pause(
    attempt: number,
    err: CoderError,
    key: string,
    route: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const left = remainingMs();
    const limit = Number.isFinite(left) ? left - MIN_ATTEMPT_MS : this.#maxWaitMs;
    if (err.retryAfterMs !== undefined) {
      // The limiter holds the route until then; this request waits in `acquire`.
      if (err.retryAfterMs > limit) {
        throw new CoderError({
          status: err.status,
          route,
          kind: "budget",
          retryAfterMs: err.retryAfterMs,
          askedMs: err.askedMs,
          holdStatus: err.status,
        });
      }
      return;
    }
    const base = this.#backoffMs * 2 ** (attempt - 1);
    const delay = Math.min(this.#maxBackoffMs, base / 2 + Math.random() * base / 2);
    if (delay > limit) throw err;
    if (err.status === 429) {
      this.limiter.hold(key, delay);
      return;
    }
    try {
      await sleep(delay, signal);
    } catch {
      throw new CoderError({ status: 0, route, kind: "aborted" });
    }
  }

  async #attempt<T>(
    method: string,
    url: URL,
    route: string,
    key: string,
    write: boolean,
    opts: RequestOptions<T>,
  ): Promise<Attempt<T>> {
    const left = remainingMs();
    if (left < 1) return { ok: false, error: new CoderError({ status: 0, route, kind: "budget" }) };
    const deadline = Date.now() + (Number.isFinite(left) ? left : this.#maxWaitMs);
    let release: () => void;
    try {
      release = await this.limiter.acquire(key, deadline, opts.signal);
    } catch (e) {
      if (!(e instanceof RateWaitTooLong)) {
        return { ok: false, error: new CoderError({ status: 0, route, kind: "aborted" }) };
      }
      return { ok: false, error: new CoderError(refusal(e, this.limiter, key, route)) };
    }
    try {
      return await this.#exchange(method, url, route, key, write, opts);
    } finally {
      release();
    }
  }

  async #exchange<T>(
    method: string,
    url: URL,
    route: string,
    key: string,
    write: boolean,
    opts: RequestOptions<T>,
  ): Promise<Attempt<T>> {
    const left = remainingMs();
    const timeoutMs = Math.max(1, Math.min(this.#timeoutMs, left));
    const byBudget = timeoutMs < this.#timeoutMs;
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(new DOMException("timeout", "TimeoutError")), timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timer.signal]) : timer.signal;
    const fail = (init: Omit<CoderErrorInit, "route">): { ok: false; error: CoderError } => ({
      ok: false,
      error: new CoderError({ ...init, route }),
    });
    const lost = (phase: "wait" | "body", cause: unknown): Attempt<T> => ({
      ...fail(classifyFetchError(cause, {
        write,
        phase,
        cancelled: opts.signal?.aborted === true,
        timedOut: timer.signal.aborted,
        timeoutMs,
        byBudget,
        url,
      })),
      final: typeof Deno !== "undefined" && cause instanceof Deno.errors.NotCapable,
    });
    try {
      const headers: Record<string, string> = {
        "Coder-Session-Token": this.#token,
        "Accept": "application/json",
      };
      if (opts.body !== undefined) headers["Content-Type"] = "application/json";
      const sent = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method,
          headers,
          // A write that must not happen twice goes out as a stream, which Deno never sends
          // again by itself (once.ts); reads and idempotent writes may be replayed.
          body: write && opts.idempotent !== true ? onceBody(sent) : sent,
          signal,
          redirect: "manual",
        });
      } catch (e) {
        return lost("wait", e);
      }
      if (res.status >= 300 && res.status < 400 || res.type === "opaqueredirect") {
        await discard(res);
        const found = originOf(res, url);
        const location = found === undefined ? undefined : this.#scrub(found);
        return fail({
          status: res.status,
          kind: "redirect",
          location,
          sameOrigin: found === this.#origin,
        });
      }
      if (!res.ok) {
        const text = await readCapped(res, ERROR_BODY_CAP).catch(() => "");
        const init = errorFromBody(res.status, text, (s) => this.#scrub(s));
        if (write && (res.status === 502 || res.status === 504) && !init.coderMessage) {
          // A gateway's error, not Coder's: the request may have reached Coder before it failed.
          return fail({
            status: res.status,
            kind: "uncertain",
            detail: `a gateway answered ${res.status} instead of Coder`,
          });
        }
        if (res.status === 429 || res.status === 503) {
          const ra = retryAfter(res.headers.get("retry-after"));
          if (ra !== undefined) {
            // Held for what Coder asked, up to a cap; then Coder is asked again.
            init.retryAfterMs = this.limiter.hold(key, ra, res.status);
            if (ra > init.retryAfterMs) init.askedMs = ra;
          }
        }
        return fail(init);
      }
      const judged = await judgeSuccess(res, {
        write,
        expect: opts.expect,
        schema: opts.schema,
        allowEmpty: opts.allowEmpty === true,
        maxBytes: this.#maxBytes,
        scrub: (s) => this.#scrub(s),
      });
      if (judged.ok) return judged;
      return "lost" in judged ? lost("body", judged.lost) : fail(judged.error);
    } finally {
      clearTimeout(t);
    }
  }

  /** Replace the session token wherever Coder echoed it: raw, encoded, in any case, or cut. */
  #scrub(s: string): string {
    return this.#secrets.scrub(s); // a token under 4 characters is no secret there: s as it is
  }
}

/** A timeout or network error after several attempts says how many there were. */
function tried(err: CoderError, attempts: number): CoderError {
  if (attempts < 2 || (err.kind !== "timeout" && err.kind !== "network")) return err;
  return new CoderError({
    status: err.status,
    route: err.route,
    kind: err.kind,
    detail: `${err.detail ?? "failed"}; ${attempts} attempts`,
  });
}
