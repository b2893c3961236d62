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
 * - heads are capped (431), bodies are capped (413), and what cannot be read for sure is refused
 *   (400) and closes the connection.
 *
 * It speaks what MCP clients use: keep-alive, `Content-Length` and chunked bodies, `Expect:
 * 100-continue`, and responses streamed chunked (server-sent events). No upgrades, no HTTP/2.
 * The wire is in `http1_wire.ts`.
 */
import {
  BadRequest,
  bodiless,
  headEnd,
  parseHead,
  plainAnswer,
  type RequestHead,
  responseHead,
} from "./http1_wire.ts";

/** The limits of the HTTP server. */
export interface HttpLimits {
  /** Connections open at once. */
  maxConnections: number;
  /** From a connection's opening (or a kept-alive one's first byte) to its request head (ms). */
  headerTimeoutMs: number;
  /** A kept-alive connection with no request in progress is closed after this (ms). */
  idleTimeoutMs: number;
  /** From a request's head to the end of its body (ms). */
  bodyTimeoutMs: number;
  /** Largest request head (request line and headers, bytes). */
  maxHeadBytes: number;
  /** Largest request body (bytes; the MCP handler refuses above 4 MiB itself, with a 413). */
  maxBodyBytes: number;
}

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

/** One connection: requests one after another, each answered before the next is read. */
class Connection {
  /** A request is in progress (from its head to the end of its answer). */
  busy = false;
  /** Since when it waits for a request (for eviction: the longest idle goes first). */
  idleSince = performance.now();
  readonly done: Promise<void>;
  #resolveDone!: () => void;
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #eof = false;
  #closed = false;
  #stopping = false;
  #reading?: Promise<boolean>;
  #timer?: ReturnType<typeof setTimeout>;
  /** Aborts the request in progress when the client goes away. */
  #request?: AbortController;

  constructor(
    readonly conn: Deno.TcpConn,
    readonly limits: HttpLimits,
    readonly host: string,
    readonly handler: (req: Request) => Promise<Response>,
    readonly report: (kind: string, e: Error) => void,
  ) {
    this.done = new Promise((r) => (this.#resolveDone = r));
  }

  /** Close it now (idempotent): reads end, the request in progress is aborted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#request?.abort(new Error("the connection closed"));
    try {
      this.conn.close();
    } catch { /* closed already */ }
  }

  /** The server is stopping: close it when idle, or after the answer in progress. */
  stopping(): void {
    this.#stopping = true;
    if (!this.busy) this.close();
  }

  async serve(): Promise<void> {
    try {
      let first = true;
      while (!this.#closed && !this.#stopping) {
        const head = await this.#readHead(first);
        first = false;
        if (!head) break;
        this.busy = true;
        const keep = await this.#exchange(head);
        this.busy = false;
        this.idleSince = performance.now();
        if (!keep) break;
      }
    } catch (err) {
      if (err instanceof BadRequest) {
        await this.#write(plainAnswer(err.status, err.message)).catch(() => {});
      } else if (!this.#closed) this.report("connection", asError(err));
    } finally {
      this.close();
      this.#resolveDone();
    }
  }

  /**
   * The next request head, or undefined when the connection ends first (closed, idle too long,
   * or too slow to send its head). A fresh connection has `headerTimeoutMs` for its head; a
   * kept-alive one waits `idleTimeoutMs` for a first byte, then has `headerTimeoutMs`.
   */
  async #readHead(fresh: boolean): Promise<RequestHead | undefined> {
    const { headerTimeoutMs, idleTimeoutMs, maxHeadBytes } = this.limits;
    let timedOut = false;
    const arm = (ms: number) => {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        timedOut = true;
        this.#slow();
      }, ms);
    };
    arm(fresh ? headerTimeoutMs : idleTimeoutMs);
    let started = fresh || this.#end > this.#start;
    if (started && !fresh) arm(headerTimeoutMs);
    // How far past #start the head has been searched (the buffer may move under a read).
    let scanned = 0;
    try {
      while (true) {
        const end = headEnd(this.#buf, this.#start + Math.max(0, scanned - 3), this.#end);
        if (end >= 0) {
          if (end - this.#start > maxHeadBytes) {
            throw new BadRequest(431, "request head too large");
          }
          const bytes = this.#buf.subarray(this.#start, end);
          this.#start = end;
          return parseHead(bytes);
        }
        scanned = this.#end - this.#start;
        if (scanned > maxHeadBytes) {
          throw new BadRequest(431, "request head too large");
        }
        if (!await this.#more()) {
          if (timedOut && this.#end > this.#start) {
            await this.#write(plainAnswer(408, "Request head too slow.")).catch(() => {});
          }
          return undefined;
        }
        if (!started) {
          started = true;
          arm(headerTimeoutMs);
        }
      }
    } finally {
      clearTimeout(this.#timer);
    }
  }

  /**
   * Too slow: stop reading. The pending read is left behind (a read cannot be cancelled alone);
   * the connection closes once the 408 is written, which ends it.
   */
  #slow(): void {
    this.#eof = true;
    this.#abortRead?.();
  }

  /** Ends the pending read of {@link more} at once (it then reports the end). */
  #abortRead?: () => void;

  /** Read more into the buffer; false at the end (client closed, error, or too slow). */
  #more(): Promise<boolean> {
    if (this.#eof || this.#closed) return Promise.resolve(false);
    if (this.#reading) return this.#reading;
    const stopped = new Promise<null>((r) => (this.#abortRead = () => r(null)));
    const reading = (async () => {
      const chunk = new Uint8Array(16 * 1024);
      const n = await Promise.race([this.conn.read(chunk).catch(() => null), stopped]);
      this.#reading = undefined;
      this.#abortRead = undefined;
      if (n === null || this.#eof) {
        this.#eof = true;
        return false;
      }
      this.#append(chunk.subarray(0, n));
      return true;
    })();
    this.#reading = reading;
    return reading;
  }

  #append(bytes: Uint8Array): void {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end + bytes.length > this.#buf.length) {
      const live = this.#end - this.#start;
      const next = new Uint8Array(Math.max(2 * (live + bytes.length), 16 * 1024));
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** Take `n` buffered bytes (a copy). */
  #take(n: number): Uint8Array<ArrayBuffer> {
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /** One request and its answer; whether the connection may carry another. */
  async #exchange(head: RequestHead): Promise<boolean> {
    if (head.body.kind === "length" && head.body.length > this.limits.maxBodyBytes) {
      throw new BadRequest(413, "request body too large");
    }
    if (head.expectContinue && head.body.kind !== "none" && this.#end === this.#start) {
      await this.#write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    const body = await this.#readBody(head);
    const request = new AbortController();
    this.#request = request;
    const hasBody = body.length > 0 && head.method !== "GET" && head.method !== "HEAD";
    const req = new Request(`http://${this.host}${head.target}`, {
      method: head.method,
      headers: head.headers,
      body: hasBody ? body : undefined,
      signal: request.signal,
    });
    // Watch the socket while the answer is made: a client that goes away aborts the request.
    const watching = this.#watchClose(request);
    let res: Response;
    try {
      res = await this.handler(req);
    } catch (err) {
      this.report("handler", asError(err));
      res = new Response("Internal server error\n", { status: 500 });
    }
    const close = !head.keepAlive || this.#stopping || this.#eof;
    const ok = await this.#respond(res, head.method, close, request.signal);
    this.#request = undefined;
    void watching;
    return ok && !close && !this.#closed;
  }

  /** Reads ahead while a request is answered: the end of the stream aborts it. */
  async #watchClose(request: AbortController): Promise<void> {
    while (!request.signal.aborted && this.#request === request && !this.#closed) {
      // Pipelined requests wait in the buffer; past a head's worth, stop reading ahead.
      if (this.#end - this.#start > this.limits.maxHeadBytes) return;
      if (!await this.#more()) {
        if (this.#request === request) request.abort(new Error("the client went away"));
        return;
      }
    }
  }

  async #readBody(head: RequestHead): Promise<Uint8Array<ArrayBuffer>> {
    if (head.body.kind === "none") return new Uint8Array(0);
    const { bodyTimeoutMs, maxBodyBytes } = this.limits;
    let timedOut = false;
    this.#timer = setTimeout(() => {
      timedOut = true;
      this.#slow();
    }, bodyTimeoutMs);
    try {
      if (head.body.kind === "length") {
        await this.#need(head.body.length, () => timedOut);
        return this.#take(head.body.length);
      }
      return await this.#chunked(maxBodyBytes, () => timedOut);
    } finally {
      clearTimeout(this.#timer);
    }
  }

  /** Wait until `n` bytes are buffered. */
  async #need(n: number, timedOut: () => boolean): Promise<void> {
    while (this.#end - this.#start < n) {
      if (!await this.#more()) {
        throw new BadRequest(timedOut() ? 408 : 400, "request body incomplete");
      }
    }
  }

  /** One CRLF-ended line (without it). */
  async #line(timedOut: () => boolean): Promise<string> {
    while (true) {
      const i = this.#buf.subarray(this.#start, this.#end).indexOf(10);
      if (i >= 0) {
        const line = new TextDecoder("latin1").decode(this.#take(i + 1));
        return line.replace(/\r?\n$/, "");
      }
      if (this.#end - this.#start > 4096) throw new BadRequest(400, "malformed chunk");
      await this.#need(this.#end - this.#start + 1, timedOut);
    }
  }

  /** A chunked body, decoded (trailers are read and dropped). */
  async #chunked(max: number, timedOut: () => boolean): Promise<Uint8Array<ArrayBuffer>> {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (true) {
      const m = /^([0-9A-Fa-f]{1,8})(;.*)?$/.exec(await this.#line(timedOut));
      if (!m) throw new BadRequest(400, "malformed chunk size");
      const size = parseInt(m[1], 16);
      if (size === 0) break;
      total += size;
      if (total > max) throw new BadRequest(413, "request body too large");
      await this.#need(size + 2, timedOut);
      parts.push(this.#take(size));
      if ((await this.#line(timedOut)) !== "") throw new BadRequest(400, "malformed chunk");
    }
    while ((await this.#line(timedOut)) !== "") { /* trailer fields: dropped */ }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Write the answer; false when the client went away during it. */
  async #respond(
    res: Response,
    method: string,
    close: boolean,
    aborted: AbortSignal,
  ): Promise<boolean> {
    const none = bodiless(res.status, method) || res.body === null;
    const head = responseHead(res, {
      chunked: !none,
      close,
      bodiless: bodiless(res.status, method),
    });
    if (none) {
      await res.body?.cancel().catch(() => {});
      return await this.#write(head).then(() => true, () => false);
    }
    const reader = res.body!.getReader();
    const stop = () => reader.cancel().catch(() => {});
    aborted.addEventListener("abort", stop, { once: true });
    try {
      await this.#write(head);
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.length === 0) continue;
        await this.#write(chunkOf(value));
      }
      await this.#write("0\r\n\r\n");
      return !aborted.aborted;
    } catch {
      stop();
      return false;
    } finally {
      aborted.removeEventListener("abort", stop);
    }
  }

  /** Write it all (a write may take part of it). */
  async #write(data: string | Uint8Array): Promise<void> {
    let bytes = typeof data === "string" ? encoder.encode(data) : data;
    while (bytes.length > 0) {
      const n = await this.conn.write(bytes);
      bytes = bytes.subarray(n);
    }
  }
}

/** One chunk of a chunked body. */
function chunkOf(value: Uint8Array): Uint8Array {
  const head = encoder.encode(`${value.length.toString(16)}\r\n`);
  const out = new Uint8Array(head.length + value.length + 2);
  out.set(head);
  out.set(value, head.length);
  out.set([13, 10], head.length + value.length);
  return out;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
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
