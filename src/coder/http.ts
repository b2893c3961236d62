/**
 * The Coder HTTP client: one small layer over native `fetch` that every API module uses.
 *
 * - authenticates with the `Coder-Session-Token` header;
 * - bounds every request with a timeout (`AbortSignal.timeout`), combined with the caller's signal;
 * - retries idempotent requests (GET) with jittered backoff on network errors, 5xx and 429,
 *   honouring `Retry-After`; never retries a write;
 * - turns Coder's `{message, detail, validations}` error bodies into a typed {@link CoderError};
 * - validates every body it reads with a zod schema, so a malformed answer is a clear error.
 *
 * The session token is held privately and never appears in an error, a log line or a summary.
 */
import { z } from "zod";

/** Options for {@link CoderClient}. */
export interface CoderClientOptions {
  /** Base URL of the Coder deployment, e.g. `https://coder.example.com`. */
  url: string;
  /** The session token, sent as `Coder-Session-Token`. */
  token: string;
  /** Per-request timeout in milliseconds (default 15 000). */
  timeoutMs?: number;
  /** Retries for idempotent requests (default 3). */
  retries?: number;
  /** Base backoff in milliseconds (default 200). */
  backoffMs?: number;
  /** Cap on one backoff or `Retry-After` wait, in milliseconds (default 5 000). */
  maxBackoffMs?: number;
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
}

/** One field-level validation failure reported by Coder. */
export interface CoderValidation {
  field: string;
  detail: string;
}

/** What a {@link CoderError} is made of. */
export interface CoderErrorInit {
  status: number;
  route: string;
  /**
   * What went wrong:
   * - `http`: Coder answered with an error status;
   * - `network`: the request could not be sent (nothing reached Coder);
   * - `timeout`: no answer in time (for a write: see `uncertain`);
   * - `aborted`: the caller cancelled;
   * - `parse`: the answer was not the documented shape (HTML, wrong JSON);
   * - `redirect`: Coder (or a proxy) answered 3xx; never followed, the token stays at home;
   * - `uncertain`: a write whose fate is unknown (sent, then the answer was lost);
   * - `too_large`: the answer exceeded the size cap;
   * - `budget`: the call's time budget ran out (or a `Retry-After` does not fit in it).
   */
  kind:
    | "http"
    | "network"
    | "timeout"
    | "aborted"
    | "parse"
    | "redirect"
    | "uncertain"
    | "too_large"
    | "budget";
  coderMessage?: string;
  detail?: string;
  validations?: CoderValidation[];
}

/** A failed Coder request: HTTP error, network failure, timeout, or a body that did not parse. */
export class CoderError extends Error {
  /** HTTP status, or 0 for network errors and timeouts. */
  readonly status: number;
  /** `METHOD /path` of the request (no query string, no host, no token). */
  readonly route: string;
  /** Coder's `message`, when the body had one. */
  readonly coderMessage?: string;
  /** Coder's `detail`, when the body had one. */
  readonly detail?: string;
  /** Coder's `validations`. */
  readonly validations: CoderValidation[];
  /** What went wrong, for classification: `http`, `network`, `timeout`, `aborted`, `parse`. */
  readonly kind: CoderErrorInit["kind"];
  /** The wait a 429 or 503 asked for (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;

  constructor(init: CoderErrorInit) {
    super(summarize(init));
    this.name = "CoderError";
    this.status = init.status;
    this.route = init.route;
    this.kind = init.kind;
    this.coderMessage = init.coderMessage;
    this.detail = init.detail;
    this.validations = init.validations ?? [];
  }

  /** A one-line summary that is safe to show to a caller: status, route, Coder's message. */
  get summary(): string {
    return this.message;
  }

  /** True when a write may have happened although no success was seen: check before retrying. */
  get uncertain(): boolean {
    return this.kind === "uncertain";
  }

  /** True for a 404 whose message is "Route not found.": the API itself is absent. */
  get routeNotFound(): boolean {
    return this.status === 404 && (this.coderMessage ?? "").trim() === "Route not found.";
  }
}

function summarize(e: CoderErrorInit): string {
  const head = e.kind === "http"
    ? `Coder answered ${e.status} to ${e.route}`
    : e.kind === "timeout"
    ? `Coder did not answer ${e.route} in time`
    : e.kind === "aborted"
    ? `Request ${e.route} was cancelled`
    : e.kind === "parse"
    ? `Coder's answer to ${e.route} was not understood`
    : `Could not reach Coder for ${e.route}`;
  const parts = [head];
  if (e.coderMessage) parts.push(clip(e.coderMessage, 200));
  if (e.detail && e.detail !== e.coderMessage) parts.push(clip(e.detail, 200));
  for (const v of (e.validations ?? []).slice(0, 3)) {
    parts.push(`${clip(v.field, 40)}: ${clip(v.detail, 120)}`);
  }
  return parts.join(": ");
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? one.slice(0, n - 1) + "…" : one;
}

const ErrorBody = z.looseObject({
  message: z.string().optional(),
  detail: z.string().optional(),
  validations: z.array(z.looseObject({ field: z.string(), detail: z.string() })).nullish(),
});

/** The HTTP client every Coder API module is built on. */
export class CoderClient {
  /** Base URL without a trailing slash. */
  readonly url: string;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: CoderClientOptions) {
    this.url = opts.url.replace(/\/+$/, "");
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? 15_000;
    this.#retries = opts.retries ?? 3;
    this.#backoffMs = opts.backoffMs ?? 200;
    this.#maxBackoffMs = opts.maxBackoffMs ?? 5_000;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** GET a path and parse it with `schema`. Retried on network errors, 5xx and 429. */
  get<T>(path: string, schema: z.ZodType<T>, opts: Omit<RequestOptions<T>, "schema"> = {}) {
    return this.request<T>("GET", path, { ...opts, schema });
  }

  /** Send one request. Writes are never retried unless `idempotent` is set. */
  async request<T = undefined>(
    method: string,
    path: string,
    opts: RequestOptions<T> = {},
  ): Promise<T> {
    const route = `${method} ${path}`;
    const url = new URL(this.url + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    }
    const retryable = method === "GET" || method === "HEAD" || opts.idempotent === true;
    const attempts = retryable ? this.#retries + 1 : 1;
    let last: CoderError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(this.#delay(attempt, last), opts.signal);
      const { res, error } = await this.#send(method, url, route, opts);
      if (error) {
        last = error;
        if (error.kind === "aborted") throw error;
        continue;
      }
      const response = res!;
      if (response.ok) return await this.#parse(response, route, opts.schema);
      last = await this.#httpError(response, route);
      if (response.status === 429 || response.status >= 500) {
        last.retryAfterMs = retryAfter(response.headers.get("retry-after"));
        continue;
      }
      throw last;
    }
    throw last!;
  }

  #delay(attempt: number, last?: CoderError): number {
    if (last?.retryAfterMs !== undefined) return Math.min(last.retryAfterMs, this.#maxBackoffMs);
    const base = this.#backoffMs * 2 ** (attempt - 1);
    return Math.min(this.#maxBackoffMs, base / 2 + Math.random() * base / 2);
  }

  async #send(
    method: string,
    url: URL,
    route: string,
    opts: RequestOptions<unknown>,
  ): Promise<{ res?: Response; error?: CoderError }> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      "Coder-Session-Token": this.#token,
      "Accept": "application/json",
    };
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const res = await this.#fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal,
      });
      return { res };
    } catch (_err) {
      const kind = opts.signal?.aborted ? "aborted" : timeout.aborted ? "timeout" : "network";
      return { error: new CoderError({ status: 0, route, kind }) };
    }
  }

  async #parse<T>(res: Response, route: string, schema?: z.ZodType<T>): Promise<T> {
    const text = await res.text();
    if (!schema) return undefined as T;
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new CoderError({
        status: res.status,
        route,
        kind: "parse",
        detail: "the body is not JSON",
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CoderError({
        status: res.status,
        route,
        kind: "parse",
        detail: `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
      });
    }
    return parsed.data;
  }

  async #httpError(res: Response, route: string): Promise<CoderError> {
    const text = await res.text().catch(() => "");
    let body: z.infer<typeof ErrorBody> = {};
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) body = parsed.data;
    } catch {
      // Not JSON (a proxy's HTML page, say): keep only the status.
    }
    return new CoderError({
      status: res.status,
      route,
      kind: "http",
      coderMessage: body.message,
      detail: body.detail,
      validations: body.validations ?? [],
    });
  }
}

/** Parse a `Retry-After` header (seconds or an HTTP date) into milliseconds. */
export function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Sleep for `ms`, waking early (with a rejection) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
