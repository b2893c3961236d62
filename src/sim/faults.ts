/**
 * Injectable faults of the simulated Coder: what a misbehaving Coder, or a proxy in front of it,
 * can do to a request. A fault is scoped to a route (exact path or regex) and optionally a
 * method, skips its first `after` matches, then hits the next `times` (default: until cleared).
 *
 * Connection-level faults (`reset`) are carried out by the TCP front (front.ts); connection
 * refusal is not per route (it happens before a path is known): see `Sim.refuse()`.
 */
import { json } from "./http.ts";
import { released } from "./util.ts";

/** What a fault does. */
export type FaultKind =
  /** Answer `status` with a Coder error body (and `Retry-After` when given). */
  | "status"
  /** Hold the request before any header until the fault is cleared or the sim closes. */
  | "hang"
  /** Send the real answer's headers and half its body, then nothing until cleared or closed. */
  | "stall"
  /**
   * Kill the TCP connection before any byte of the answer (after acting, unless `act: false`).
   * Needs the sim's `tcpFaults`.
   */
  | "reset"
  /** 200 with a JSON content type and a truncated JSON body. */
  | "malformed"
  /** 200 with valid JSON of the wrong shape (`body`, default `{"unexpected": true}`). */
  | "wrong_shape"
  /** 200 with a huge JSON answer (`bytes`, default 70 MiB), streamed, never held in memory. */
  | "oversized"
  /** 200 with an HTML login page, as a proxy or an SSO front end answers. */
  | "html"
  /** `status` (default 307) with `Location` on another origin (default: the decoy). */
  | "redirect"
  /** 401 whose body echoes the `Coder-Session-Token` it received, like a proxy echoing headers. */
  | "revoke";

/** A fault to inject. */
export interface SimFault {
  /** What to do (default `status` when `status` is given, else a plain `delayMs` delay). */
  kind?: FaultKind;
  /** Status to answer (`status`: required; `redirect`: 301/302/303/307/308, default 307). */
  status?: number;
  /** How many matching requests to affect (default Infinity: until cleared). */
  times?: number;
  /** Let this many matching requests through untouched first (default 0). */
  after?: number;
  /** Error body of `status` (default `{message:"Internal error."}`); the JSON of `wrong_shape`. */
  body?: unknown;
  /** Hang this long first (any kind). */
  delayMs?: number;
  /** `Retry-After` header value: seconds, or an HTTP date string. */
  retryAfter?: number | string;
  /** Only requests with this method. */
  method?: string;
  /** `redirect`: the `Location` (default: the decoy origin, same path and query). */
  location?: string;
  /** `oversized`: body size in bytes (default 70 MiB). */
  bytes?: number;
  /**
   * Whether the request is carried out before the fault strikes. Default true for `stall`,
   * `reset` and `hang` (the write happens, only its answer is lost or late), false otherwise.
   */
  act?: boolean;
}

/** A registered fault with its counters. */
export interface ActiveFault extends SimFault {
  route: RegExp | string;
  /** Matches still to let through. */
  skip: number;
  /** Matches still to affect. */
  left: number;
  /** Aborted when the fault is cleared (releases hangs and stalls). */
  release: AbortController;
}

/** The kind a fault acts as. */
export function kindOf(f: SimFault): FaultKind | "delay" {
  return f.kind ?? (f.status !== undefined ? "status" : "delay");
}

/** Whether the request runs before the fault's answer. */
export function actsFirst(f: SimFault): boolean {
  if (f.act !== undefined) return f.act;
  const k = kindOf(f);
  return k === "stall" || k === "reset" || k === "hang" || k === "delay";
}

/** The fault list of one sim. */
export class FaultTable {
  #faults: ActiveFault[] = [];

  /** Add a fault; returns the function that removes it alone (releasing what it holds). */
  add(route: RegExp | string, f: SimFault): () => void {
    const fault: ActiveFault = {
      ...f,
      route,
      skip: f.after ?? 0,
      left: f.times ?? Infinity,
      release: new AbortController(),
    };
    this.#faults.push(fault);
    return () => {
      fault.release.abort();
      this.#faults = this.#faults.filter((x) => x !== fault);
    };
  }

  /** Remove every fault, releasing hung and stalled requests. */
  clear(): void {
    for (const f of this.#faults) f.release.abort();
    this.#faults = [];
  }

  /** The fault that takes this request, counting it; undefined when none does. */
  take(method: string, path: string): ActiveFault | undefined {
    for (const f of this.#faults) {
      if (f.left <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (typeof f.route === "string" ? f.route !== path : !f.route.test(path)) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      f.left--;
      return f;
    }
    return undefined;
  }
}

const enc = new TextEncoder();

/** The login page a proxy or SSO front end answers with. */
export const LOGIN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Coder</title></head>
<body><form method="post" action="/login"><h1>Sign in to continue</h1>
<input name="email" type="email"><input name="password" type="password">
<button type="submit">Sign in</button></form></body></html>
`;

/** Coder's status text for a redirect, as Go's `http.Redirect` writes it. */
const REDIRECT_TEXT: Record<number, string> = {
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
};

/** Context a fault answer may need. */
export interface FaultContext {
  /** The request path and query (`/api/v2/tasks?q=...`). */
  pathAndQuery: string;
  /** The decoy origin, for default redirect targets. */
  decoyUrl: string;
  /** The token the request carried (for `revoke`). */
  givenToken: string;
}

/** The answer of a fault that replaces the real one (not for stall, reset, hang, delay). */
export function faultAnswer(f: ActiveFault, ctx: FaultContext): Response {
  const kind = kindOf(f);
  switch (kind) {
    case "status": {
      const headers: Record<string, string> = {};
      if (f.retryAfter !== undefined) headers["Retry-After"] = String(f.retryAfter);
      const status = f.status ?? 500;
      // A status that carries no body (204 to a delete, say) goes out empty.
      if (status === 204 || status === 205 || status === 304) {
        return new Response(null, { status, headers });
      }
      return json(status, f.body ?? { message: "Internal error." }, headers);
    }
    case "malformed":
      return new Response('{"message": "ok", "tasks": [{"id": "0b1e', {
        status: 200,
        headers: { "Content-Type": "application/json; charset=utf-8" },
      });
    case "wrong_shape":
      return json(200, f.body ?? { unexpected: true });
    case "html":
      return new Response(LOGIN_PAGE, {
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8" },
      });
    case "redirect": {
      const status = f.status ?? 307;
      const location = f.location ?? ctx.decoyUrl + ctx.pathAndQuery;
      return new Response(
        `<a href="${location}">${REDIRECT_TEXT[status] ?? "Redirect"}</a>.\n\n`,
        {
          status,
          headers: { "Location": location, "Content-Type": "text/html; charset=utf-8" },
        },
      );
    }
    case "revoke":
      return json(401, {
        message: "You must be logged in to use this endpoint.",
        detail: `The session token is invalid or has expired. ` +
          `Request headers: Coder-Session-Token: ${ctx.givenToken}`,
      });
    case "oversized":
      return oversized(f.bytes ?? 70 * 1024 * 1024, f.body);
    default:
      return json(500, { message: "Internal error." });
  }
}

/**
 * A huge JSON answer, generated chunk by chunk as the client reads: `{"tasks":[item,item,...],
 * "count":n}` where each item is `body` (a real wire object, say), so that without a size cap the
 * answer would parse. Only one 64 KiB chunk exists at a time.
 */
function oversized(bytes: number, item: unknown): Response {
  const one = JSON.stringify(item ?? { id: "00000000-0000-4000-8000-000000000000" });
  const head = enc.encode('{"tasks":[');
  const chunkItems = Math.max(1, Math.floor(65536 / (one.length + 1)));
  const chunkText = Array.from({ length: chunkItems }, () => one).join(",");
  const chunk = enc.encode(chunkText);
  const comma = enc.encode(",");
  let sent = 0;
  let count = 0;
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (first) {
        first = false;
        c.enqueue(head);
        sent += head.length;
        return;
      }
      if (sent < bytes) {
        if (count > 0) c.enqueue(comma);
        c.enqueue(chunk);
        sent += chunk.length + 1;
        count += chunkItems;
        return;
      }
      c.enqueue(enc.encode(`],"count":${count}}`));
      c.close();
    },
  });
  return new Response(stream, {
    status: 200,
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
}

/**
 * Send `res`'s status, headers and the first half of its body, then nothing until `release`
 * (fault cleared), the sim closing, or the client leaving; then the connection breaks.
 */
export async function stalled(res: Response, ...stop: AbortSignal[]): Promise<Response> {
  const body = new Uint8Array(await res.arrayBuffer());
  const half = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(half);
        return;
      }
      await released(...stop);
      c.close(); // the answer ends truncated; by then the client has long given up
    },
    cancel() {
      // The client went away.
    },
  });
  const headers = new Headers(res.headers);
  headers.delete("Content-Length");
  return new Response(stream, { status: res.status === 204 ? 200 : res.status, headers });
}
