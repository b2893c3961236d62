/**
 * The HTTP/1.1 wire for `http1.ts`: a request head parsed (strictly: what cannot be read for
 * sure is refused, so that no two readers can disagree on where a request ends), request bodies
 * framed by `Content-Length` or chunked, and response heads written. Pure functions, no I/O.
 */

/** A parsed request head. */
export interface RequestHead {
  method: string;
  /** The request target, origin-form (`/path?query`). */
  target: string;
  /** `1.0` or `1.1`. */
  version: "1.0" | "1.1";
  headers: Headers;
  /** How the body is framed. */
  body: { kind: "none" } | { kind: "length"; length: number } | { kind: "chunked" };
  /** The client wants the connection kept open after the answer. */
  keepAlive: boolean;
  /** `Expect: 100-continue`. */
  expectContinue: boolean;
}

/** A request that cannot be served: the status to answer with (the connection then closes). */
export class BadRequest extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "BadRequest";
  }
}

/** Most header lines in one head. */
export const MAX_HEADER_LINES = 100;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Fetch's forbidden methods: a `Request` cannot carry them, so they are answered here. */
const FORBIDDEN_METHOD = /^(CONNECT|TRACE|TRACK)$/i;
/**
 * Methods a `Request` upper-cases whatever their case: named so here too, so that a `get` is
 * read as the GET it becomes (no body) and a `head` answered as a HEAD (no body either).
 */
const NORMALISED_METHOD = /^(DELETE|GET|HEAD|OPTIONS|POST|PUT)$/i;
const latin1 = new TextDecoder("latin1");

/**
 * Where the head that starts at `from` ends (the index after its blank line), or -1 when it has
 * not all arrived. Lines may end in CRLF or LF alone.
 */
export function headEnd(buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (buf[i] !== 10) continue;
    if (i + 1 < to && buf[i + 1] === 10) return i + 2;
    if (i + 2 < to && buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
  }
  return -1;
}

/** Parse a complete head (request line, header lines, blank line). Throws BadRequest. */
export function parseHead(bytes: Uint8Array): RequestHead {
  const lines = latin1.decode(bytes).split(/\r?\n/);
  // A server should skip empty lines before the request line (RFC 9112, 2.2).
  while (lines[0] === "") lines.shift();
  const requestLine = lines.shift() ?? "";
  const m = /^(\S+) (\S+) HTTP\/(\d)\.(\d)$/.exec(requestLine);
  if (!m || !TOKEN.test(m[1])) throw new BadRequest(400, "malformed request line");
  const [, token, target, major, minor] = m;
  const method = NORMALISED_METHOD.test(token) ? token.toUpperCase() : token;
  if (major !== "1" || (minor !== "0" && minor !== "1")) {
    throw new BadRequest(505, "only HTTP/1.0 and HTTP/1.1 are served");
  }
  if (FORBIDDEN_METHOD.test(method)) throw new BadRequest(501, "the method is not served");
  if (!target.startsWith("/")) throw new BadRequest(400, "the request target must be a path");
  const headers = new Headers();
  let count = 0;
  for (const line of lines) {
    if (line === "") continue;
    if (++count > MAX_HEADER_LINES) throw new BadRequest(431, "too many header lines");
    if (line.startsWith(" ") || line.startsWith("\t")) {
      throw new BadRequest(400, "folded header lines are not accepted");
    }
    const colon = line.indexOf(":");
    const name = line.slice(0, Math.max(0, colon)); // "" without a colon
    if (!TOKEN.test(name)) throw new BadRequest(400, "malformed header line");
    const value = line.slice(colon + 1).trim();
    try {
      // Refuses NUL, CR and LF, and a character past U+00FF (latin1 reads 0x80-0x9F so).
      headers.append(name, value);
    } catch {
      throw new BadRequest(400, "malformed header value");
    }
  }
  const version = minor === "1" ? "1.1" : "1.0";
  const connection = (headers.get("connection") ?? "").toLowerCase().split(/\s*,\s*/);
  const keepAlive = version === "1.1"
    ? !connection.includes("close")
    : connection.includes("keep-alive");
  return {
    method,
    target,
    version,
    headers,
    body: framing(headers),
    keepAlive,
    expectContinue: version === "1.1" &&
      (headers.get("expect") ?? "").toLowerCase() === "100-continue",
  };
}

/** How a request's body is framed (RFC 9112, 6.3); an ambiguous framing is refused. */
function framing(headers: Headers): RequestHead["body"] {
  const te = headers.get("transfer-encoding");
  const cl = headers.get("content-length");
  if (te !== null) {
    // Both, or a coding other than chunked alone: a classic request-smuggling shape.
    if (cl !== null) throw new BadRequest(400, "both Transfer-Encoding and Content-Length");
    if (te.toLowerCase() !== "chunked") {
      throw new BadRequest(501, "only the chunked transfer coding is accepted");
    }
    return { kind: "chunked" };
  }
  if (cl === null) return { kind: "none" };
  // `Headers` joins repeated fields with ", ": every copy must say the same length.
  const values = new Set(cl.split(/\s*,\s*/));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only)) {
    throw new BadRequest(400, "malformed Content-Length");
  }
  const length = Number(only);
  return length === 0 ? { kind: "none" } : { kind: "length", length };
}

/** Reason phrases of the statuses this server writes itself or the MCP handler answers. */
const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/** Framing headers this server sets itself: a handler's own are dropped. */
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/** A status with no body by definition. */
export function bodiless(status: number, method: string): boolean {
  return method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * The head of a response: status line, the handler's headers (framing headers replaced), and
 * the framing: chunked when a body follows, else a zero length.
 */
export function responseHead(
  res: { status: number; statusText: string; headers: Headers },
  opts: { chunked: boolean; close: boolean; bodiless: boolean },
): string {
  const reason = clean(res.statusText) || REASONS[res.status] || "Status";
  const lines = [`HTTP/1.1 ${res.status} ${reason}`];
  for (const [name, value] of res.headers) {
    if (HOP.has(name) || name === "set-cookie") continue;
    lines.push(`${name}: ${clean(value)}`);
  }
  for (const cookie of res.headers.getSetCookie()) lines.push(`set-cookie: ${clean(cookie)}`);
  if (opts.chunked) lines.push("transfer-encoding: chunked");
  else if (!opts.bodiless) lines.push("content-length: 0");
  if (opts.close) lines.push("connection: close");
  return lines.join("\r\n") + "\r\n\r\n";
}

/** A short answer the server writes itself (timeouts, refusals), closing the connection. */
export function plainAnswer(status: number, text: string, extra: Record<string, string> = {}) {
  const body = text + "\n";
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}`,
    "content-type: text/plain; charset=utf-8",
    `content-length: ${new TextEncoder().encode(body).length}`,
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
    "connection: close",
  ];
  return head.join("\r\n") + "\r\n\r\n" + body;
}

/** No CR or LF may reach a header line. */
function clean(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}
