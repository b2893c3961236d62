/**
 * A small HTTP/1.1 server on `Deno.listen`, for the MCP endpoint (`--http`). `Deno.serve` (2.9)
 * has no header or idle timeout, no cap on connections and no hook on accept: a client that opens
 * connections and sends nothing held a file descriptor each for ever, and at the descriptor limit
 * an accept error escaped it and ended the process (issue 17). Here:
 *
 * - a request's head must arrive within {@link HttpLimits.headerTimeoutMs} of the connection
 *   opening (or, on a kept-alive connection, of its first byte), a kept-alive connection idle for
 *   `idleTimeoutMs` is closed, and a body must arrive within `bodyTimeoutMs`;
 * - at most `maxConnections` are open: one more closes the connection idle the longest (one with
 *   no request in progress), or, when every one is busy, is answered 503 and closed;
 * - an accept error (the descriptor limit, say) closes the connection idle the longest, waits a
 *   moment and accepts again: it refuses that connection, and the server goes on;
 * - heads are capped (431), bodies are capped (413), what cannot be read for sure is refused
 *   (400), a method a fetch `Request` cannot carry (CONNECT, TRACE) is refused (501), and each
 *   closes the connection.
 *
 * It speaks what MCP clients use: keep-alive, `Content-Length` and chunked bodies, `Expect:
 * 100-continue`, and responses streamed chunked (server-sent events). No upgrades, no HTTP/2.
 * A connection is `http1_conn.ts`; the wire is `http1_wire.ts`.
 */
import { plainAnswer } from "./http1_wire.ts";
import { asError, Connection, type HttpLimits } from "./http1_conn.ts";

export type { HttpLimits } from "./http1_conn.ts";

/** The defaults. */
export const HTTP_LIMITS: HttpLimits = {
  maxConnections: 512,
  headerTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  maxHeadBytes: 32 * 1024,
  maxBodyBytes: 8 * 1024 * 1024,
};

/** Options of {@link serveHttp1}. */
export interface Http1Options {
  hostname: string;
  port: number;
  handler: (req: Request) => Promise<Response>;
  limits?: Partial<HttpLimits>;
  /** Out-of-band errors (a failed accept, a handler that threw); at most one a second each. */
  onerror?: (e: Error) => void;
}

/** A running server. */
export interface Http1Server {
  addr: Deno.NetAddr;
  /** Connections open now. */
  readonly connections: number;
  /** Resolves once the server has stopped and every connection is closed. */
  finished: Promise<void>;
  /** Stop accepting, close idle connections, let requests in progress finish for `graceMs`. */
  shutdown(graceMs: number): Promise<void>;
}

const encoder = new TextEncoder();
/** Longest pause after a failed accept (ms). */
const ACCEPT_BACKOFF_MAX_MS = 1_000;

/** Serve `handler` over HTTP/1.1 on `hostname:port` (see the module's notes). */
export function serveHttp1(opts: Http1Options): Http1Server {
  const limits = { ...HTTP_LIMITS, ...opts.limits };
  const listener = Deno.listen({ hostname: opts.hostname, port: opts.port, transport: "tcp" });
  const addr = listener.addr as Deno.NetAddr;
  const open = new Set<Connection>();
  const report = rateLimited(opts.onerror);
  let stopping = false;
  // The URL base of requests: the bound address (a Host header is the guard's to check, not
  // something to build a URL from).
  const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
    ? `127.0.0.1:${addr.port}`
    : `${addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname}:${addr.port}`;

  /** Close the connection idle the longest; false when every one is busy. */
  const evictIdle = (): boolean => {
    let oldest: Connection | undefined;
    for (const c of open) {
      if (!c.busy && (!oldest || c.idleSince < oldest.idleSince)) oldest = c;
    }
    oldest?.close();
    return oldest !== undefined;
  };

  const accepting = (async () => {
    let backoff = 10;
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
        backoff = 10;
      } catch (err) {
        if (stopping || err instanceof Deno.errors.BadResource) break;
        // Out of descriptors, say: free one, wait a moment, and go on accepting.
        report("accept", new Error(`HTTP accept failed: ${errorText(err)}; going on`));
        evictIdle();
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, ACCEPT_BACKOFF_MAX_MS);
        continue;
      }
      if (open.size >= limits.maxConnections && !evictIdle()) {
        refuse(conn);
        continue;
      }
      try {
        conn.setNoDelay(true); // answers go out in pieces (head, chunks): no Nagle delay
      } catch { /* closed already */ }
      const c = new Connection(conn, limits, host, opts.handler, report);
      open.add(c);
      c.serve().finally(() => open.delete(c));
    }
  })();

  const finished = (async () => {
    await accepting;
    while (open.size > 0) await Promise.allSettled([...open].map((c) => c.done));
  })();

  return {
    addr,
    get connections() {
      return open.size;
    },
    finished,
    async shutdown(graceMs) {
      stopping = true;
      try {
        listener.close();
      } catch { /* closed already */ }
      for (const c of open) c.stopping();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      for (const c of open) c.close();
      await finished;
    },
  };
}

/** Answer a connection beyond the cap with 503, and close it. */
function refuse(conn: Deno.TcpConn): void {
  const text = plainAnswer(503, "Too many connections: retry shortly.", { "retry-after": "1" });
  conn.write(encoder.encode(text)).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch { /* closed already */ }
  });
}

function errorText(err: unknown): string {
  return asError(err).message.slice(0, 200);
}

/** Report each kind of error at most once a second, with how many were left out. */
function rateLimited(onerror?: (e: Error) => void) {
  const last = new Map<string, { at: number; dropped: number }>();
  return (kind: string, e: Error) => {
    if (!onerror) return;
    const now = performance.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < 1_000) {
      seen.dropped++;
      return;
    }
    const dropped = seen?.dropped ?? 0;
    last.set(kind, { at: now, dropped: 0 });
    onerror(dropped > 0 ? new Error(`${e.message} (and ${dropped} more like it)`) : e);
  };
}
