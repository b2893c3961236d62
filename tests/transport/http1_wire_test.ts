/**
 * The HTTP/1.1 wire (src/transport/http1_wire.ts) as pure functions: a request head is read
 * strictly (what two readers could read differently is refused, with the status the connection
 * answers before it closes), bodies are framed by one unambiguous rule, and response heads carry
 * no CR or LF of a handler's and no framing header but the server's own.
 */
import assert from "node:assert/strict";
import {
  BadRequest,
  bodiless,
  headEnd,
  MAX_HEADER_LINES,
  parseHead,
  plainAnswer,
  responseHead,
} from "../../src/transport/http1_wire.ts";
import { inWorker } from "../deadline.ts";

const enc = new TextEncoder();
const head = (s: string) => parseHead(enc.encode(s));
const get = (headers: string[], line = "GET / HTTP/1.1") =>
  head([line, ...headers, "", ""].join("\r\n"));

/** The head is refused with `status` and a message matching `words`. */
function refused(bytes: string | Uint8Array, status: number, words: RegExp) {
  assert.throws(
    () => parseHead(typeof bytes === "string" ? enc.encode(bytes) : bytes),
    (e) => {
      assert.ok(e instanceof BadRequest, String(e));
      assert.equal(e.status, status, `${e.status} ${e.message}`);
      assert.match(e.message, words);
      return true;
    },
    JSON.stringify(typeof bytes === "string" ? bytes.slice(0, 80) : "bytes"),
  );
}

// First in this file (and in its lane): the tests below parse heads in this thread, where a
// loop that never ends would block every timer and hang the run.
Deno.test("http1 wire: empty lines before the request line are skipped, within a deadline (in a worker)", async () => {
  const probes = new URL("./probes.ts", import.meta.url);
  for (const lead of ["", "\r\n", "\n\r\n\n"]) {
    assert.deepEqual(
      await inWorker(
        probes,
        "requestOf",
        [`${lead}GET /x HTTP/1.1\r\nHost: x\r\n\r\n`],
        "a parse",
        10_000,
      ),
      { method: "GET", target: "/x" },
    );
  }
  // Nothing but empty lines: no request line.
  await assert.rejects(
    inWorker(probes, "requestOf", ["\r\n\r\n\r\n"], "a parse", 10_000),
    /malformed request line/,
  );
});

Deno.test("http1 wire: the end of a head within the bounds given, never past them", () => {
  const b = enc.encode("GET / HTTP/1.1\r\nA: b\r\n\r\nrest");
  assert.equal(headEnd(b, 0, b.length), 24);
  // Not yet all arrived: the last LF is outside `to`.
  assert.equal(headEnd(b, 0, 23), -1);
  // From a later start (the next pipelined head): found after it.
  const two = enc.encode("GET /a HTTP/1.1\n\nGET /b HTTP/1.1\n\n");
  assert.equal(headEnd(two, 0, two.length), 17);
  assert.equal(headEnd(two, 17, two.length), 34);
  assert.equal(headEnd(two, 17, 33), -1);
  // A bare LF, then CRLF: still the end of a head.
  assert.equal(headEnd(enc.encode("GET / HTTP/1.1\n\r\n"), 0, 17), 17);
  // A one-byte line, or a line that starts with a CR, is not a blank line.
  const short = enc.encode("GET / HTTP/1.1\nA\nB: c\n\n");
  assert.equal(headEnd(short, 0, short.length), short.length);
  const cr = enc.encode("GET / HTTP/1.1\n\rX\nB: c\n\n");
  assert.equal(headEnd(cr, 0, cr.length), cr.length);
});

Deno.test("http1 wire: the request line: a token method, a path, HTTP/1.0 or 1.1 only", () => {
  const h = head("POST /mcp?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.equal(h.method, "POST");
  assert.equal(h.target, "/mcp?x=1");
  assert.equal(h.version, "1.1");
  assert.equal(head("GET / HTTP/1.0\r\n\r\n").version, "1.0");
  refused("G@T / HTTP/1.1\r\n\r\n", 400, /^malformed request line$/);
  refused("GET  / HTTP/1.1\r\n\r\n", 400, /^malformed request line$/);
  refused("GET / HTTP/1.1 \r\n\r\n", 400, /^malformed request line$/);
  refused("\r\n\r\n", 400, /^malformed request line$/);
  for (const v of ["2.0", "2.1", "1.2", "0.9"]) {
    refused(`GET / HTTP/${v}\r\n\r\n`, 505, /^only HTTP\/1\.0 and HTTP\/1\.1 are served$/);
  }
  for (const m of ["CONNECT", "TRACE", "TRACK", "trace"]) {
    refused(`${m} / HTTP/1.1\r\n\r\n`, 501, /^the method is not served$/);
  }
  assert.equal(head("PROPFIND / HTTP/1.1\r\n\r\n").method, "PROPFIND");
  assert.equal(head("TRACES / HTTP/1.1\r\n\r\n").method, "TRACES");
  // As a fetch Request names them: the six it upper-cases, and no other.
  for (const m of ["get", "Head", "post", "put", "delete", "options"]) {
    assert.equal(head(`${m} / HTTP/1.1\r\n\r\n`).method, m.toUpperCase());
  }
  assert.equal(head("patch / HTTP/1.1\r\n\r\n").method, "patch");
  refused("GET * HTTP/1.1\r\n\r\n", 400, /^the request target must be a path$/);
  refused("GET http://x/ HTTP/1.1\r\n\r\n", 400, /^the request target must be a path$/);
});

Deno.test("http1 wire: at most MAX_HEADER_LINES header lines (431 past them)", () => {
  assert.equal(MAX_HEADER_LINES, 100);
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: ${i}`);
  const h = get(lines(MAX_HEADER_LINES));
  assert.equal(h.headers.get(`x-${MAX_HEADER_LINES - 1}`), String(MAX_HEADER_LINES - 1));
  refused(
    ["GET / HTTP/1.1", ...lines(MAX_HEADER_LINES + 1), "", ""].join("\r\n"),
    431,
    /^too many header lines$/,
  );
});

Deno.test("http1 wire: header lines that could be read two ways are refused", () => {
  const cases: [string, RegExp][] = [
    [" folded", /^folded header lines are not accepted$/],
    ["\tfolded", /^folded header lines are not accepted$/],
    ["no colon", /^malformed header line$/],
    ["NoColon", /^malformed header line$/],
    [": no name", /^malformed header line$/],
    ["Bad Name: x", /^malformed header line$/],
    ["Bad(name): x", /^malformed header line$/],
    ["A: nul\0inside", /^malformed header value$/],
    ["A: bare\rCR", /^malformed header value$/],
  ];
  for (const [line, words] of cases) {
    refused(`GET / HTTP/1.1\r\nHost: x\r\n${line}\r\n\r\n`, 400, words);
  }
  // A byte the latin1 (windows-1252) reading turns into a character past U+00FF (0x80 is the
  // euro sign): no header can hold it, and dropping the line would read another request.
  const bytes = new Uint8Array([
    ...enc.encode("GET / HTTP/1.1\r\nHost: x\r\nA: a"),
    0x80,
    ...enc.encode("b\r\n\r\n"),
  ]);
  refused(bytes, 400, /^malformed header value$/);
  // A Latin-1 byte is fine (0xE9 is é); the value is trimmed; names are any token.
  const h = parseHead(
    new Uint8Array([
      ...enc.encode("GET / HTTP/1.1\r\nA:   caf"),
      0xe9,
      ...enc.encode("  \r\nX-Odd_!#$%&'*+.^`|~: 1\r\n\r\n"),
    ]),
  );
  assert.equal(h.headers.get("a"), "caf\u00e9");
  assert.equal(h.headers.get("x-odd_!#$%&'*+.^`|~"), "1");
  // No space after the colon, and a colon in the value.
  const tight = get(["A:b", "Host:x:8080"]);
  assert.equal(tight.headers.get("a"), "b");
  assert.equal(tight.headers.get("host"), "x:8080");
});

Deno.test("http1 wire: keep-alive by version and Connection; 100-continue only on HTTP/1.1", () => {
  assert.equal(get([]).keepAlive, true);
  assert.equal(get(["Connection: close"]).keepAlive, false);
  assert.equal(get(["Connection: Keep-Alive, CLOSE"]).keepAlive, false);
  assert.equal(get(["Connection: closed"]).keepAlive, true);
  assert.equal(get([], "GET / HTTP/1.0").keepAlive, false);
  assert.equal(get(["Connection: upgrade, keep-alive"], "GET / HTTP/1.0").keepAlive, true);
  assert.equal(get([]).expectContinue, false);
  assert.equal(get(["Expect: 100-Continue"]).expectContinue, true);
  assert.equal(get(["Expect: 100-continue"], "GET / HTTP/1.0").expectContinue, false);
  assert.equal(get(["Expect: 100-continue-later"]).expectContinue, false);
});

Deno.test("http1 wire: body framing: one length, or chunked alone; anything else refused", () => {
  assert.deepEqual(get([]).body, { kind: "none" });
  assert.deepEqual(get(["Content-Length: 0"]).body, { kind: "none" });
  assert.deepEqual(get(["Content-Length: 12"]).body, { kind: "length", length: 12 });
  // The same length twice (as one field or two) is one length.
  assert.deepEqual(get(["Content-Length: 7, 7"]).body, { kind: "length", length: 7 });
  assert.deepEqual(get(["Content-Length: 7", "Content-Length: 7"]).body, {
    kind: "length",
    length: 7,
  });
  assert.deepEqual(get(["Content-Length: 999999999999999"]).body, {
    kind: "length",
    length: 999_999_999_999_999,
  });
  assert.deepEqual(get(["Transfer-Encoding: Chunked"]).body, { kind: "chunked" });
  for (const cl of ["7, 8", "-1", "1e3", "0x10", "", "1000000000000000", "+5"]) {
    assert.throws(
      () => get([`Content-Length: ${cl}`]),
      (e) =>
        e instanceof BadRequest && e.status === 400 && e.message === "malformed Content-Length",
      cl,
    );
  }
  assert.throws(
    () => get(["Content-Length: 3", "Transfer-Encoding: chunked"]),
    (e) =>
      e instanceof BadRequest && e.status === 400 &&
      e.message === "both Transfer-Encoding and Content-Length",
  );
  for (const te of ["gzip", "gzip, chunked", "chunked, chunked"]) {
    assert.throws(
      () => get([`Transfer-Encoding: ${te}`]),
      (e) =>
        e instanceof BadRequest && e.status === 501 &&
        e.message === "only the chunked transfer coding is accepted",
      te,
    );
  }
});

Deno.test("http1 wire: a response head: the server's framing, the handler's headers cleaned", () => {
  const headers = new Headers({
    "content-type": "text/plain",
    "content-length": "99",
    "transfer-encoding": "gzip",
    "connection": "upgrade",
    "keep-alive": "timeout=5",
    "x-note": "one",
  });
  headers.append("set-cookie", "a=1");
  headers.append("set-cookie", "b=2");
  const res = { status: 200, statusText: "", headers };
  const chunked = responseHead(res, { chunked: true, close: false, bodiless: false });
  assert.equal(
    chunked,
    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-note: one\r\nset-cookie: a=1\r\n" +
      "set-cookie: b=2\r\ntransfer-encoding: chunked\r\n\r\n",
  );
  // No body to follow: a zero length, unless the status has no body at all.
  assert.equal(
    responseHead({ status: 202, statusText: "", headers: new Headers() }, {
      chunked: false,
      close: true,
      bodiless: false,
    }),
    "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
  );
  assert.equal(
    responseHead({ status: 204, statusText: "", headers: new Headers() }, {
      chunked: false,
      close: false,
      bodiless: true,
    }),
    "HTTP/1.1 204 No Content\r\n\r\n",
  );
  // The handler's reason phrase wins; an unknown status without one says "Status".
  const own = responseHead({ status: 418, statusText: "Teapot\r\nX: y", headers: new Headers() }, {
    chunked: false,
    close: false,
    bodiless: true,
  });
  assert.equal(own, "HTTP/1.1 418 Teapot  X: y\r\n\r\n");
  const line = (status: number) =>
    responseHead({ status, statusText: "", headers: new Headers() }, {
      chunked: false,
      close: false,
      bodiless: true,
    }).split("\r\n")[0];
  assert.equal(line(299), "HTTP/1.1 299 Status");
  // The statuses the MCP handler answers with, each with its reason phrase.
  const reasons: [number, string][] = [
    [200, "OK"],
    [202, "Accepted"],
    [400, "Bad Request"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [404, "Not Found"],
    [405, "Method Not Allowed"],
    [406, "Not Acceptable"],
    [409, "Conflict"],
    [413, "Content Too Large"],
    [415, "Unsupported Media Type"],
    [500, "Internal Server Error"],
    [503, "Service Unavailable"],
  ];
  for (const [status, reason] of reasons) {
    assert.equal(line(status), `HTTP/1.1 ${status} ${reason}`);
  }
});

Deno.test("http1 wire: bodiless statuses and methods", () => {
  assert.equal(bodiless(200, "HEAD"), true);
  assert.equal(bodiless(204, "GET"), true);
  assert.equal(bodiless(304, "GET"), true);
  // 1xx: informational, never a body (the pure rule; a Response can only be 101 of them).
  assert.equal(bodiless(100, "GET"), true);
  assert.equal(bodiless(101, "GET"), true);
  assert.equal(bodiless(199, "GET"), true);
  assert.equal(bodiless(200, "GET"), false);
  assert.equal(bodiless(205, "POST"), false);
  assert.equal(bodiless(404, "GET"), false);
});

Deno.test("http1 wire: the server's own short answers: text, byte length, extra headers, close", () => {
  assert.equal(
    plainAnswer(503, "Server busy: caf\u00e9.", { "retry-after": "1" }),
    "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n" +
      "content-length: 20\r\nretry-after: 1\r\nconnection: close\r\n\r\nServer busy: caf\u00e9.\n",
  );
  for (
    const [status, reason] of [
      [400, "Bad Request"],
      [408, "Request Timeout"],
      [413, "Content Too Large"],
      [431, "Request Header Fields Too Large"],
      [501, "Not Implemented"],
      [505, "HTTP Version Not Supported"],
      [599, "Error"],
    ] as const
  ) {
    assert.match(plainAnswer(status, "x"), new RegExp(`^HTTP/1\\.1 ${status} ${reason}\\r\\n`));
  }
});
