/**
 * Errors of the Coder API layer: {@link CoderError} (a failed request, typed by what went wrong),
 * {@link AgentBusyError} and {@link InvalidSegmentError}. They live here, with the client, so that
 * `coder/` never imports from the layers above it. Summaries are one line, clipped, and never hold
 * the session token (the client scrubs Coder's words before they get here).
 */

/**
 * Thrown by a send when the agent cannot take input now (task busy, starting or paused: Coder's
 * 409, or the 502 "Task app is not ready to accept input." of older servers).
 */
export class AgentBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AgentBusyError";
  }
}

/**
 * Thrown before any request when a path segment (a handle, name, owner or id) could escape its
 * place in the URL: empty, `.`, `..`, or holding `/`, `\`, `?`, `#` or a control character.
 */
export class InvalidSegmentError extends Error {
  /** What the segment was meant to be, e.g. `task name`. */
  readonly what: string;
  constructor(what: string, why: string) {
    super(`Invalid ${what}: ${why}`);
    this.name = "InvalidSegmentError";
    this.what = what;
  }
}

/** One field-level validation failure reported by Coder. */
export interface CoderValidation {
  field: string;
  detail: string;
}

/** The kinds of {@link CoderError}. */
export type CoderErrorKind =
  | "http"
  | "network"
  | "timeout"
  | "aborted"
  | "parse"
  | "redirect"
  | "uncertain"
  | "too_large"
  | "budget";

/** What a {@link CoderError} is made of. */
export interface CoderErrorInit {
  status: number;
  route: string;
  /**
   * What went wrong:
   * - `http`: Coder answered with an error status;
   * - `network`: the request could not be sent (nothing reached Coder);
   * - `timeout`: a read got no (complete) answer in time;
   * - `aborted`: the caller cancelled;
   * - `parse`: the answer was not the documented status or shape (HTML, wrong JSON);
   * - `redirect`: Coder (or a proxy) answered 3xx; never followed, the token stays at home;
   * - `uncertain`: a write whose fate is unknown (sent, then the answer was lost);
   * - `too_large`: the answer exceeded the size cap;
   * - `budget`: the call's time budget ran out (or a `Retry-After` does not fit in it).
   */
  kind: CoderErrorKind;
  coderMessage?: string;
  detail?: string;
  validations?: CoderValidation[];
  /** `redirect`: the origin the redirect pointed to (never the full Location). */
  location?: string;
  /** `redirect`: it pointed to the request's own origin (another path). */
  sameOrigin?: boolean;
  /**
   * The wait before the route is asked again, in milliseconds: Coder's `Retry-After`, capped
   * (see `MAX_HOLD_MS` in ratelimit.ts).
   */
  retryAfterMs?: number;
  /** The wait Coder asked for, when the cap cut it (ms; may be `Infinity`). */
  askedMs?: number;
  /** `budget`: the status whose `Retry-After` holds the route (429, 503). */
  holdStatus?: number;
  /** `too_large`: the cap, in bytes. */
  capBytes?: number;
}

/** A failed Coder request: HTTP error, network failure, timeout, or a body that did not parse. */
export class CoderError extends Error {
  /** HTTP status, or 0 when no status was seen. */
  readonly status: number;
  /** `METHOD /path` of the request (no query string, no host, no token). */
  readonly route: string;
  /** Coder's `message`, when the body had one (token scrubbed). */
  readonly coderMessage?: string;
  /** Coder's `detail`, or the client's own words on what went wrong. */
  readonly detail?: string;
  /** Coder's `validations`. */
  readonly validations: CoderValidation[];
  /** What went wrong, for classification (see {@link CoderErrorInit.kind}). */
  readonly kind: CoderErrorKind;
  /** `redirect`: the origin it pointed to. */
  readonly location?: string;
  /** The wait before the route is asked again after a 429 or 503 (`Retry-After`, capped), ms. */
  retryAfterMs?: number;
  /** The wait Coder asked for, when longer than {@link retryAfterMs} (ms). */
  readonly askedMs?: number;

  constructor(init: CoderErrorInit) {
    super(summarize(init));
    this.name = "CoderError";
    this.status = init.status;
    this.route = init.route;
    this.kind = init.kind;
    this.coderMessage = init.coderMessage;
    this.detail = init.detail;
    this.validations = init.validations ?? [];
    this.location = init.location;
    this.retryAfterMs = init.retryAfterMs;
    this.askedMs = init.askedMs;
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

/** A duration for people: `45 s`, `3 min`, `2 h`, `3 days`, `more than a year`. */
export function humanDuration(ms: number): string {
  if (!(ms < 366 * 86_400_000)) return "more than a year"; // Infinity and NaN too
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.ceil(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.ceil(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.ceil(h / 24)} days`;
}

/** Who holds a route, in words: a 503 is Coder unavailable, a 429 Coder rate-limiting. */
function holder(status: number | undefined, route: string): string {
  if (status === 503) return `Coder is unavailable (503) for ${route}`;
  if (status === 429) return `Coder is rate-limiting ${route}`;
  return `Coder asked to pause ${route}`;
}

function head(e: CoderErrorInit): string {
  switch (e.kind) {
    case "http":
      return `Coder answered ${e.status} to ${e.route}`;
    case "timeout":
      return `Coder did not answer ${e.route} in time`;
    case "aborted":
      return `Request ${e.route} was cancelled`;
    case "parse":
      return `Coder's answer to ${e.route} was not understood`;
    case "redirect":
      if (e.sameOrigin) {
        return `Coder answered ${e.route} with a redirect (${e.status}) to another path on the same host (a login page or a proxy rule?), which was not followed. Set CODER_URL to the address Coder's API answers at`;
      }
      return `Coder answered ${e.route} with a redirect (${e.status}) to ${
        e.location ?? "another address"
      }, which was not followed (the session token is sent only to CODER_URL). Set CODER_URL to the final address${
        e.location ? ` (${e.location})` : ""
      }`;
    case "uncertain":
      return e.status >= 200 && e.status < 300
        ? `The outcome of ${e.route} is unknown: Coder took the request but did not give its documented answer`
        : `The outcome of ${e.route} is unknown: the request was sent, but its answer was lost`;
    case "too_large":
      return `Coder's answer to ${e.route} is larger than the ${
        e.capBytes ? `${Math.round(e.capBytes / 1048576)} MiB ` : ""
      }cap (setting CODER_FLEET_MAX_RESPONSE_MB)`;
    case "budget": {
      if (e.retryAfterMs === undefined) {
        return `${e.route} was not done within this call's time budget`;
      }
      const wait = humanDuration(e.retryAfterMs);
      const asked = e.askedMs !== undefined && e.askedMs > e.retryAfterMs
        ? `it asked to wait ${humanDuration(e.askedMs)}; this server asks again in ${wait}`
        : `it asks to wait ${wait}`;
      return `${
        holder(e.holdStatus ?? e.status, e.route)
      }: ${asked}, longer than this call has left: retry in ${wait}`;
    }
    case "network":
      return `Could not reach Coder for ${e.route}`;
  }
}

function summarize(e: CoderErrorInit): string {
  const parts = [head(e)];
  if (e.coderMessage) parts.push(clip(e.coderMessage, 200));
  if (e.detail && e.detail !== e.coderMessage) parts.push(clip(e.detail, 200));
  for (const v of (e.validations ?? []).slice(0, 3)) {
    parts.push(`${clip(v.field, 40)}: ${clip(v.detail, 120)}`);
  }
  return parts.join(": ");
}

/** One line, at most `n` characters. */
export function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? one.slice(0, n - 1) + "…" : one;
}
