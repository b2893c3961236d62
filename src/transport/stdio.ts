/**
 * A line-framed stdio transport for the MCP SDK that survives bad input.
 *
 * The SDK's own `StdioServerTransport` (server@2.4.0) closes the connection for good when one
 * message exceeds its 10 MB buffer, silently drops a line that is not JSON, and stops reading
 * stdin after closing, so the process no longer notices the client going away. This transport
 * is handed to the SDK's `serveStdio` (which still decides the protocol era), and:
 * - answers a line over {@link MAX_LINE_BYTES} with a JSON-RPC `-32600` error and discards it
 *   without buffering it; the error carries the request's id, read from the line's first bytes
 *   or its last (the official client writes `id` after `params`), so that the client is not left
 *   waiting for its own timeout;
 * - answers a line that is not UTF-8 JSON with `-32700`, and JSON that is not a JSON-RPC message
 *   with `-32600`; then keeps serving. Bad lines are reported to `onerror` at most once a second,
 *   with a count of the others (a client sending thousands must not flood the log);
 * - closes (and resolves {@link LineStdioTransport.closed}) when stdin reaches end-of-file.
 */
import {
  type JSONRPCMessage,
  parseJSONRPCMessage,
  serializeMessage,
  type Transport,
} from "@modelcontextprotocol/server";

/** The largest single message accepted on stdin, in bytes (newline excluded). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** JSON-RPC: the line is not JSON. */
export const PARSE_ERROR = -32700;
/** JSON-RPC: the JSON is not a valid request, or the message is too large. */
export const INVALID_REQUEST = -32600;

/** Bytes of an oversized line kept, at each end, to look for its request id. */
const ID_PREFIX_BYTES = 1024;

/** Bad input lines are reported at most this often (ms); the others are counted. */
export const BAD_LINE_REPORT_MS = 1_000;

/** Where the transport writes: `Deno.stdout` or any writer. */
export interface ByteWriter {
  write(p: Uint8Array): Promise<number>;
}

/** Options for {@link LineStdioTransport}. */
export interface LineStdioOptions {
  /** Input bytes (default: `Deno.stdin.readable`). */
  input?: ReadableStream<Uint8Array>;
  /** Output (default: `Deno.stdout`). */
  output?: ByteWriter;
  /** Size cap of one line (default {@link MAX_LINE_BYTES}). */
  maxLineBytes?: number;
}

/** The MCP SDK `Transport` over newline-delimited JSON on stdin/stdout. */
export class LineStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Resolves once the transport has closed (stdin ended, a write failed, or `close()`). */
  readonly closed: Promise<void>;

  #input: ReadableStream<Uint8Array>;
  #output: ByteWriter;
  #max: number;
  #reader?: ReadableStreamDefaultReader<Uint8Array>;
  #writing: Promise<void> = Promise.resolve();
  /** Messages waiting for the write in flight to end; written together, as one write. */
  #pending: Uint8Array[] = [];
  /** The write that will carry {@link LineStdioTransport.#pending}, once scheduled. */
  #batch?: Promise<void>;
  #isClosed = false;
  #resolveClosed!: () => void;
  #parts: Uint8Array[] = [];
  #size = 0;
  /** While discarding an oversized line: its first bytes, for the id. */
  #oversized?: Uint8Array;
  /** ... and its last bytes so far (the id may come last). */
  #tail: Uint8Array = new Uint8Array(0);
  /** When a bad line was last reported, and how many were not since. */
  #reportedAt = -Infinity;
  #unreported = 0;

  constructor(opts: LineStdioOptions = {}) {
    this.#input = opts.input ?? Deno.stdin.readable;
    this.#output = opts.output ?? Deno.stdout;
    this.#max = opts.maxLineBytes ?? MAX_LINE_BYTES;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /** Start reading stdin in the background. */
  start(): Promise<void> {
    if (this.#reader) throw new Error("LineStdioTransport already started");
    this.#reader = this.#input.getReader();
    this.#pump().catch((err) => this.onerror?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => this.close());
    return Promise.resolve();
  }

  async #pump(): Promise<void> {
    const reader = this.#reader!;
    while (!this.#isClosed) {
      const { value, done } = await reader.read();
      if (done) break;
      this.#take(value);
    }
    // A last line without its newline still counts (an empty one is skipped like any other).
    if (!this.#isClosed) this.#endLine();
  }

  #take(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const nl = chunk.indexOf(0x0a, off);
      const end = nl < 0 ? chunk.length : nl;
      this.#append(chunk.subarray(off, end));
      if (nl < 0) return;
      this.#endLine();
      off = nl + 1;
    }
  }

  #append(bytes: Uint8Array): void {
    if (this.#oversized) {
      // Discarding until the newline, keeping only the last bytes.
      this.#tail = lastBytes([this.#tail, bytes], ID_PREFIX_BYTES);
      return;
    }
    if (this.#size + bytes.length > this.#max) {
      const all = concat([...this.#parts, bytes.subarray(0, ID_PREFIX_BYTES)]);
      this.#oversized = all.subarray(0, ID_PREFIX_BYTES);
      this.#tail = lastBytes([...this.#parts, bytes], ID_PREFIX_BYTES);
      this.#parts = [];
      this.#size = 0;
      return;
    }
    this.#parts.push(bytes.slice());
    this.#size += bytes.length;
  }

  #endLine(): void {
    if (this.#oversized) {
      const id = idFromPrefix(this.#oversized) ?? idFromTail(this.#tail);
      this.#oversized = undefined;
      this.#reply(
        id,
        INVALID_REQUEST,
        `Message too large: one message may be at most ${this.#max} bytes`,
      );
      return;
    }
    const bytes = concat(this.#parts);
    this.#parts = [];
    this.#size = 0;
    this.#handleLine(bytes);
  }

  #handleLine(bytes: Uint8Array): void {
    let text: string;
    let value: unknown;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/\r$/, "");
      if (text.trim() === "") return;
      value = JSON.parse(text);
    } catch {
      this.#reply(null, PARSE_ERROR, "Parse error: a message must be one line of UTF-8 JSON");
      return;
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      // Only an object has an id (JSON's other values, arrays included, have none).
      const id = (value as { id?: unknown } | null)?.id;
      this.#reply(
        typeof id === "string" || typeof id === "number" ? id : null,
        INVALID_REQUEST,
        "Invalid Request: not a JSON-RPC 2.0 request, notification or response",
      );
      return;
    }
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #reply(id: string | number | null, code: number, message: string): void {
    this.#report(message);
    // The SDK types ids as string | number; JSON-RPC answers an unknown id with null.
    const error = { jsonrpc: "2.0", id, error: { code, message } } as unknown as JSONRPCMessage;
    this.send(error).catch(() => {});
  }

  /** Report a bad line: at once, unless one was reported within the last second (counted). */
  #report(message: string): void {
    const now = performance.now();
    if (now - this.#reportedAt < BAD_LINE_REPORT_MS) {
      this.#unreported++;
      return;
    }
    const others = this.#unreported;
    this.#reportedAt = now;
    this.#unreported = 0;
    this.onerror?.(
      new Error(`stdin: ${message}${others > 0 ? ` (and ${others} other bad lines before)` : ""}`),
    );
  }

  /**
   * Write one message as a line on stdout. Writes are serialized; the messages sent while one
   * is in flight go out together in the next (one syscall, one wake-up of the reader, instead of
   * one per message: under load, most of what a pipe write costs).
   */
  send(message: JSONRPCMessage): Promise<void> {
    if (this.#isClosed) return Promise.reject(new Error("stdio transport is closed"));
    this.#pending.push(new TextEncoder().encode(serializeMessage(message)));
    this.#batch ??= this.#writing.then(() => {
      const lines = this.#pending;
      this.#pending = [];
      this.#batch = undefined;
      return writeAll(this.#output, concat(lines));
    });
    const next = this.#batch;
    this.#writing = next.catch(() => {});
    return next.catch((err) => {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      this.close();
      throw err;
    });
  }

  /** Resolves when every message sent so far has been written (or failed to be). */
  flushed(): Promise<void> {
    return this.#writing;
  }

  /** Stop reading and report the close once. */
  close(): Promise<void> {
    if (this.#isClosed) return Promise.resolve();
    this.#isClosed = true;
    this.#reader?.cancel().catch(() => {});
    this.#resolveClosed();
    this.onclose?.();
    return Promise.resolve();
  }
}

async function writeAll(w: ByteWriter, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await w.write(bytes.subarray(off));
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The last `n` bytes of `parts` joined. */
function lastBytes(parts: Uint8Array[], n: number): Uint8Array {
  const all = concat(parts);
  return all.length > n ? all.slice(all.length - n) : all.slice();
}

/**
 * The request id of an oversized message, if it ends the message: the top-level object's last
 * member (the official client writes `{"method","params","jsonrpc","id"}`). A nested object's
 * `id` is followed by two closing braces, not one, and is not taken.
 */
export function idFromTail(tail: Uint8Array): string | number | null {
  const text = new TextDecoder().decode(tail);
  const m = /[,{]\s*"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")\s*\}\s*\r?$/.exec(text);
  if (!m) return null;
  try {
    return JSON.parse(m[1]);
  } catch {
    return null;
  }
}

/**
 * The request id of an oversized message, if it shows in the message's first bytes before any
 * nested object or array, so before an object or array `params` (some clients write
 * `{"jsonrpc","id","method","params"}` in that order); else null.
 */
export function idFromPrefix(prefix: Uint8Array): string | number | null {
  const head = new TextDecoder().decode(prefix);
  // A number must be seen to end: one cut by the end of the prefix would be another id.
  const m = /^\s*\{[^{[]*?"id"\s*:\s*(-?\d{1,15}(?=\s*[,}])|"(?:[^"\\]|\\.){0,200}")/.exec(head);
  if (!m) return null;
  try {
    return JSON.parse(m[1]);
  } catch {
    return null;
  }
}
