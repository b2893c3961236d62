/**
 * One connection of the HTTP/1.1 server (`http1.ts`): requests read one after another within
 * their time limits, each answered (streamed, chunked) before the next is read, and the request
 * in progress aborted when the client goes away. The wire is in `http1_wire.ts`.
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

const encoder = new TextEncoder();

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

/** One connection: requests one after another, each answered before the next is read. */
export class Connection {
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
    if (this.#start === this.#end) this.#start = this.#end = 0; // all taken: start over
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

/** An error, whatever was thrown. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
