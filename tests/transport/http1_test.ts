/**
 * The HTTP/1.1 server of `--http` (src/transport/http1.ts) in process, over real sockets, with
 * short limits: idle and half-open connections are closed (issue 17, finding 3: they were held
 * for ever), the connection cap closes the longest-idle connection first and refuses only when
 * every one is busy, and the wire is what MCP clients need (keep-alive, chunked bodies in and
 * out, 100-continue, pipelining, a client that goes away aborts its request).
 */
import assert from "node:assert/strict";
import { HTTP_LIMITS, type HttpLimits, serveHttp1 } from "../../src/transport/http1.ts";
import { Connection } from "../../src/transport/http1_conn.ts";
import { headEnd, parseHead } from "../../src/transport/http1_wire.ts";
import { inWorker } from "../deadline.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Every wait below ends by this deadline, whatever the server does. */
const DEADLINE_MS = 10_000;

function serve(
  limits: Partial<HttpLimits> = {},
  handler: (req: Request) => Promise<Response> = async (req) =>
    new Response(`${req.method} ${new URL(req.url).pathname} ${(await req.text()).length}`),
) {
  const errors: string[] = [];
  const server = serveHttp1({
    hostname: "127.0.0.1",
    port: 0,
    handler,
    limits: { headerTimeoutMs: 300, idleTimeoutMs: 300, bodyTimeoutMs: 300, ...limits },
    onerror: (e) => errors.push(e.message),
  });
  return { server, errors, port: server.addr.port };
}

/** A raw connection: write bytes, read until the server closes it (or the deadline). */
async function connect(port: number) {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let got = "";
  let closed = false;
  const reading = (async () => {
    const buf = new Uint8Array(64 * 1024);
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      got += dec.decode(buf.subarray(0, n));
    }
    closed = true;
  })();
  return {
    write: (s: string) => conn.write(enc.encode(s)),
    /** Close the sending side only: the server reads the end, the client can still read. */
    end: () => conn.closeWrite(),
    text: () => got,
    get closed() {
      return closed;
    },
    /** Resolves once the server closed the connection; rejects at the deadline. */
    async untilClosed(ms = DEADLINE_MS) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        reading,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`still open after ${ms} ms: ${got}`)), ms);
        }),
      ]);
      clearTimeout(timer);
      return got;
    },
    /** Resolves once `re` matches what was read; rejects at the deadline or when closed. */
    async until(re: RegExp, ms = DEADLINE_MS) {
      const end = Date.now() + ms;
      while (!re.test(got)) {
        if (closed) throw new Error(`closed before ${re}: ${got}`);
        if (Date.now() > end) throw new Error(`no ${re} within ${ms} ms: ${got}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return got;
    },
    close() {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}

/**
 * A server (serve's limits and handler) for `fn`; after it, every connection `fn` opened is
 * closed and the server shut down, and the server must have reported nothing.
 */
async function onServer(
  opts: { limits?: Partial<HttpLimits>; handler?: (req: Request) => Promise<Response> },
  fn: (s: {
    connect: () => ReturnType<typeof connect>;
    server: ReturnType<typeof serve>["server"];
    port: number;
  }) => Promise<void>,
): Promise<void> {
  const { server, port, errors } = serve(opts.limits, opts.handler);
  const opened: Awaited<ReturnType<typeof connect>>[] = [];
  try {
    await fn({
      connect: async () => {
        const c = await connect(port);
        opened.push(c);
        return c;
      },
      server,
      port,
    });
  } finally {
    for (const c of opened) c.close();
    await server.shutdown(100);
  }
  assert.deepEqual(errors, [], "nothing went wrong on the server's side");
}

// First in this file (and in its lane): the tests below run the server in this thread, where a
// read loop that never ends would block every timer and hang the run.
Deno.test("http1: pipelined requests, one with a chunked body, answered in order (in a worker, within a deadline)", async () => {
  const got = await inWorker<string>(
    new URL("./probes.ts", import.meta.url),
    "http1Exchange",
    // In pieces: lines and a head that arrive in parts.
    [[
      "\r\nPOST /one HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3",
      "\r\nab",
      "c\r\n0\r\n\r\nGET /two HTTP/1.1\r\nHo",
      "st: x\r\nConnection: close\r\n\r\n",
    ]],
    "two answers, then the close",
    DEADLINE_MS,
  );
  assert.match(
    got,
    /^HTTP\/1\.1 200 OK\r\n[^]*POST \/one 3[^]*HTTP\/1\.1 200 OK\r\n[^]*GET \/two 0/,
  );
});

Deno.test("http1: the defaults hold idle and half-open connections seconds, not for ever", () => {
  assert.ok(HTTP_LIMITS.headerTimeoutMs > 0 && HTTP_LIMITS.headerTimeoutMs <= 15_000);
  assert.ok(HTTP_LIMITS.idleTimeoutMs > 0 && HTTP_LIMITS.idleTimeoutMs <= 60_000);
  assert.ok(HTTP_LIMITS.bodyTimeoutMs > 0 && HTTP_LIMITS.bodyTimeoutMs <= 60_000);
  assert.ok(HTTP_LIMITS.maxConnections >= 64 && HTTP_LIMITS.maxConnections <= 1024);
});

Deno.test("http1: a connection that sends nothing, or half a head, is closed", async () => {
  await onServer({}, async ({ connect, server }) => {
    const silent = await connect();
    const half = await connect();
    await half.write("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    assert.equal(await silent.untilClosed(), "");
    assert.match(await half.untilClosed(), /^HTTP\/1\.1 408 /);
    assert.equal(server.connections, 0);
  });
});

Deno.test("http1: a kept-alive connection is closed once idle; a slow body gets 408", async () => {
  await onServer({}, async ({ connect }) => {
    const c = await connect();
    await c.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(await c.untilClosed(), /^HTTP\/1\.1 200 OK\r\n[^]*GET \/a 0/);
    const slow = await connect();
    await slow.write("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
    assert.match(await slow.untilClosed(), /^HTTP\/1\.1 408 /);
  });
});

Deno.test("http1: a kept-alive connection waits idleTimeoutMs for its next request, then headerTimeoutMs for its head", async () => {
  await onServer(
    { limits: { headerTimeoutMs: 200, idleTimeoutMs: 60_000 } },
    async ({ connect }) => {
      const c = await connect();
      await c.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
      await c.until(/GET \/a 0/);
      // Three header timeouts of silence: an idle kept-alive connection is not closed for it.
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(c.closed, false, "closed while idle, before idleTimeoutMs");
      await c.write("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
      await c.until(/GET \/b 0/);
      // Its next head started but never ends: the header timeout applies (408), not the idle one.
      await c.write("GET /c HTTP/1.1\r\n");
      assert.match(
        await c.untilClosed(),
        /GET \/b 0[^]*HTTP\/1\.1 408 [^]*Request head too slow\./,
      );
      // The next head already begun in the same packet as the request before it: the header
      // timeout runs from the answer, not the idle one.
      const piped = await connect();
      await piped.write("GET /d HTTP/1.1\r\nHost: x\r\n\r\nGET /e HTTP/1.1\r\n");
      assert.match(await piped.untilClosed(), /GET \/d 0[^]*HTTP\/1\.1 408 /);
    },
  );
});

Deno.test("http1: once a kept-alive connection's next head begins, the idle timeout no longer runs", async () => {
  await onServer(
    { limits: { headerTimeoutMs: 5_000, idleTimeoutMs: 1_000 } },
    async ({ connect }) => {
      const c = await connect();
      await c.write("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
      await c.until(/GET \/a 0/);
      await c.write("GET /b HTTP/1.1\r\n");
      // Past the idle timeout counted from the answer, well inside the head's own time.
      await new Promise((r) => setTimeout(r, 1_300));
      await c.write("Host: x\r\n\r\n");
      await c.until(/GET \/b 0/);
      assert.doesNotMatch(c.text(), / 408 /);
    },
  );
});

Deno.test("http1: at the cap the longest-idle connection is closed; when all are busy, 503", async () => {
  const release = Promise.withResolvers<void>();
  await onServer({
    limits: { maxConnections: 2, headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    handler: async (req) => {
      if (new URL(req.url).pathname === "/hold") await release.promise;
      return new Response("done");
    },
  }, async ({ connect }) => {
    const first = await connect();
    await first.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await first.until(/done/);
    const second = await connect();
    // Two open (the first, kept alive; the second, silent): the third closes the first.
    const third = await connect();
    await third.write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.match(await first.untilClosed(), /done/);
    const fourth = await connect();
    await fourth.write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal(await second.untilClosed(), "", "the silent one went next");
    // Both busy: the fifth is refused.
    const fifth = await connect();
    assert.match(await fifth.untilClosed(), /^HTTP\/1\.1 503 [^]*retry-after: 1/);
    release.resolve();
    await third.until(/done/);
    await fourth.until(/done/);
  });
});

Deno.test("http1: shutdown closes idle connections at once and lets the request in progress answer", async () => {
  const release = Promise.withResolvers<void>();
  const started = Promise.withResolvers<void>();
  const { server, port, errors } = serve(
    { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    async (req) => {
      if (new URL(req.url).pathname === "/hold") {
        started.resolve();
        await release.promise;
      }
      return new Response("done");
    },
  );
  const idle = await connect(port);
  const silent = await connect(port);
  const busy = await connect(port);
  let stopped: Promise<void> | undefined;
  try {
    await idle.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await idle.until(/done/);
    await busy.write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    await within(started.promise, "the held request to start", DEADLINE_MS);
    // A grace far longer than the deadlines below: what closes now is closed by shutdown itself.
    stopped = server.shutdown(60_000);
    assert.match(await idle.untilClosed(), /done\r\n0\r\n\r\n$/);
    assert.equal(await silent.untilClosed(), "");
    assert.equal(busy.closed, false, "the request in progress is not cut");
    release.resolve();
    // Its answer comes whole, saying the connection closes, and then it closes.
    assert.match(
      await busy.untilClosed(),
      /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n[^]*done/,
    );
    await within(stopped, "shutdown to end once the last answer is out", DEADLINE_MS);
    await within(server.finished, "finished", DEADLINE_MS);
    assert.equal(server.connections, 0);
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }), "no longer listening");
  } finally {
    release.resolve();
    for (const c of [idle, silent, busy]) c.close();
    await (stopped ?? server.shutdown(100));
  }
  assert.deepEqual(errors, [], "nothing went wrong on the server's side");
});

Deno.test("http1: keep-alive, pipelining, chunked bodies in and out, 100-continue, HEAD", async () => {
  // Timeouts past the deadlines: a connection that closes here closes because it was asked to.
  await onServer(
    { limits: { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 } },
    async ({ connect }) => {
      const c = await connect();
      // Two requests in one write: answered in order on one connection (the second after an
      // empty line, which a server skips).
      await c.write(
        "POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
          "\r\nPOST /two HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
          "4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n",
      );
      const both = await c.until(/POST \/two 9/);
      assert.match(both, /transfer-encoding: chunked\r\n\r\nb\r\nPOST \/one 3\r\n0\r\n\r\n/);
      await c.write(
        "POST /three HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
      );
      await c.until(/HTTP\/1\.1 100 Continue\r\n\r\n$/);
      await c.write("hi");
      await c.until(/POST \/three 2/);
      await c.write(
        "GET /four HTTP/1.1\r\nHost: x\r\n\r\n\r\nGET /five HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      await c.until(/GET \/four 0[^]*GET \/five 0/);
      await c.write("HEAD /six HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      const all = await c.untilClosed();
      assert.match(all, /HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n\r\n$/);
    },
  );
});

Deno.test("http1: bodies: larger than a read, at the cap, a GET's, and 100 Continue only when awaited", async () => {
  // The handler says each body's length and how many bytes of it are "b" (all of them).
  await onServer({
    limits: {
      maxBodyBytes: 200_000,
      headerTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      bodyTimeoutMs: 5_000,
    },
    handler: async (req) => {
      const body = new Uint8Array(await req.arrayBuffer());
      return new Response(`${req.method} ${body.length} ${body.filter((b) => b === 98).length};`);
    },
  }, async ({ connect }) => {
    // 150 kB in three writes, behind a pipelined request: nothing lost as the buffer grows.
    const big = await connect();
    const body = "b".repeat(150_000);
    await big.write(
      `GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 20_000)}`,
    );
    await big.write(body.slice(20_000, 90_000));
    await big.write(body.slice(90_000));
    await big.until(/POST 150000 150000;/);
    // Chunked, 150 kB in two chunks.
    await big.write(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
        `11170\r\n${body.slice(0, 70_000)}\r\n13880\r\n${body.slice(70_000)}\r\n0\r\n\r\n`,
    );
    await big.until(/POST 150000 150000;[^]*POST 150000 150000;/);
    // Exactly the cap is read; a GET's body is read past and not handed on.
    await big.write(
      `POST /d HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n` +
        "b".repeat(200_000) + "GET /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbbb" +
        "HEAD /e2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbbb" +
        "GET /f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    const got = await big.untilClosed();
    assert.match(got, /POST 200000 200000;[^]*GET 0 0;[^]*HTTP\/1\.1 200 OK[^]*GET 0 0;/);
    assert.doesNotMatch(got, /100 Continue/, "nobody asked for 100 Continue");
    // No body at all: an empty one.
    const none = await connect();
    await none.write("POST /z HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(await none.untilClosed(), /POST 0 0;/);
    // One byte over the cap: 413, before any of the body is read.
    const over = await connect();
    await over.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 200001\r\n\r\n");
    assert.match(await over.untilClosed(), /^HTTP\/1\.1 413 [^]*request body too large/);
    // Asked for, with the body still to come: 100 Continue, then the answer. Not asked for
    // (a body sent late), asked for without a body, or with the body already there: none.
    const late = await connect();
    await late.write("POST /g HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n");
    await new Promise((r) => setTimeout(r, 100));
    await late.write("bb");
    await late.until(/POST 2 2;/);
    await late.write(
      "GET /h HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n" +
        "POST /i HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nbb",
    );
    await late.until(/POST 2 2;[^]*GET 0 0;[^]*POST 2 2;/);
    await late.write("GET /j HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n");
    await late.until(/POST 2 2;[^]*GET 0 0;[^]*POST 2 2;[^]*GET 0 0;/);
    assert.doesNotMatch(late.text(), /100 Continue/);
  });
});

Deno.test("http1: a body that cannot be read for sure is refused: cut short, bad chunks, too large", async () => {
  await onServer({
    limits: {
      maxBodyBytes: 100,
      headerTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      bodyTimeoutMs: 60_000,
    },
  }, async ({ connect }) => {
    const post = "POST / HTTP/1.1\r\nHost: x\r\n";
    const chunked = `${post}Transfer-Encoding: chunked\r\n\r\n`;
    const cases: [string, RegExp][] = [
      [
        `${post}Content-Length: 10\r\n\r\nabc`,
        /^HTTP\/1\.1 400 [^]*\r\n\r\nrequest body incomplete\n$/,
      ],
      [`${chunked}zz\r\nab\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 [^]*\r\n\r\nmalformed chunk size\n$/],
      [`${chunked}123456789\r\n`, /^HTTP\/1\.1 400 [^]*\r\n\r\nmalformed chunk size\n$/],
      [`${chunked}3\r\nabcX\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 [^]*\r\n\r\nmalformed chunk\n$/],
      [`${chunked}3;${"x".repeat(5000)}`, /^HTTP\/1\.1 400 [^]*\r\n\r\nmalformed chunk\n$/],
      [`${chunked}3\r\nabc\r\n`, /^HTTP\/1\.1 400 [^]*\r\n\r\nrequest body incomplete\n$/],
      [
        `${chunked}40\r\n${"a".repeat(64)}\r\n40\r\n`,
        /^HTTP\/1\.1 413 [^]*request body too large\n$/,
      ],
    ];
    for (const [request, want] of cases) {
      const c = await connect();
      await c.write(request);
      await c.end(); // nothing more comes: what is there must be read as it is
      assert.match(await c.untilClosed(), want, JSON.stringify(request.slice(0, 80)));
      c.close();
    }
    // 4096 bytes of a chunk-size line without its end yet: still a line; 4097: refused.
    const pause = () => new Promise((r) => setTimeout(r, 100));
    const c = await connect();
    await c.write(`${chunked}3;${"x".repeat(4094)}`);
    await pause();
    await c.write(`\r\nabc\r\n0\r\n\r\n`);
    await c.until(/POST \/ 3/);
    await c.write(`${chunked}3;${"x".repeat(4095)}`);
    await c.end();
    assert.match(await c.untilClosed(), /POST \/ 3[^]*HTTP\/1\.1 400 [^]*malformed chunk\n$/);
    c.close();
    // Bare LFs end lines too; a body of exactly the cap in chunks is read; the last byte of a
    // request alone in its packet ends it.
    const d = await connect();
    await d.write(
      "POST /lf HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n3\nabc\n2\nde\n0\n\n" +
        `${chunked}40\r\n${"a".repeat(64)}\r\n24\r\n${"a".repeat(36)}\r\n0\r\n\r`,
    );
    await pause();
    await d.write("\n");
    await d.until(/POST \/lf 5[^]*POST \/ 100/);
    d.close();
  });
});

Deno.test("http1: a handler that throws: 500, reported, and the connection goes on", async () => {
  const { server, port, errors } = serve(
    { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    (req) => {
      if (new URL(req.url).pathname === "/boom") throw new Error("boom");
      return Promise.resolve(new Response("fine"));
    },
  );
  const c = await connect(port);
  try {
    await c.write("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.until(/Internal server error\n/);
    assert.match(c.text(), /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    await c.write("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.until(/fine/);
  } finally {
    c.close();
    await server.shutdown(100);
  }
  assert.deepEqual(errors, ["boom"]);
});

Deno.test("http1: what cannot be read for sure is refused, and closes the connection", async () => {
  await onServer({ limits: { maxHeadBytes: 1024, maxBodyBytes: 100 } }, async ({ connect }) => {
    const cases: [string, RegExp][] = [
      ["GARBAGE\r\n\r\n", /^HTTP\/1\.1 400 /],
      ["GET / HTTP/2.0\r\nHost: x\r\n\r\n", /^HTTP\/1\.1 505 /],
      ["GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n", /^HTTP\/1\.1 400 /],
      [
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
        /^HTTP\/1\.1 400 /,
      ],
      ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabc", /^HTTP\/1\.1 400 /],
      ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", /^HTTP\/1\.1 413 /],
      [`GET / HTTP/1.1\r\nHost: x\r\nX: ${"a".repeat(2000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
      ["GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", /^HTTP\/1\.1 400 /],
      // Methods a fetch Request cannot carry: answered, not dropped with an error on our side.
      ["TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", /^HTTP\/1\.1 501 [^]*method is not served/],
      ["CONNECT / HTTP/1.1\r\nHost: x\r\n\r\n", /^HTTP\/1\.1 501 [^]*method is not served/],
    ];
    for (const [request, want] of cases) {
      const c = await connect();
      await c.write(request);
      assert.match(await c.untilClosed(), want, JSON.stringify(request.slice(0, 60)));
      c.close();
    }
  });
});

Deno.test("http1: the head cap at its edge: exactly maxHeadBytes is served, one byte more is 431", async () => {
  await onServer({ limits: { maxHeadBytes: 256 } }, async ({ connect }) => {
    /** A head of exactly `n` bytes, blank line included (`complete`), or its first `n` bytes. */
    const headOf = (n: number, complete = true) => {
      const start = "GET /edge HTTP/1.1\r\nConnection: close\r\nX: ";
      const end = complete ? "\r\n\r\n" : "";
      return start + "a".repeat(n - start.length - end.length) + end;
    };
    const all: Awaited<ReturnType<typeof connect>>[] = [];
    const send = async (bytes: string) => {
      const c = await connect();
      all.push(c);
      assert.equal(enc.encode(bytes).length, bytes.length);
      await c.write(bytes);
      return await c.untilClosed();
    };
    assert.match(await send(headOf(256)), /^HTTP\/1\.1 200 OK\r\n[^]*GET \/edge 0/);
    assert.match(await send(headOf(257)), /^HTTP\/1\.1 431 [^]*request head too large/);
    // Past the cap with the head not ended yet: 431 at once, not a wait for the rest (a 408).
    assert.match(await send(headOf(257, false)), /^HTTP\/1\.1 431 [^]*request head too large/);
  });
});

Deno.test("http1: a streamed answer goes out as it comes; a client that leaves aborts it", async () => {
  const aborted = Promise.withResolvers<string>();
  const next = Promise.withResolvers<void>();
  const { server, port, errors } = serve({ headerTimeoutMs: 5_000 }, (req) => {
    req.signal.addEventListener("abort", () => aborted.resolve("aborted"), { once: true });
    const body = new ReadableStream<Uint8Array>({
      async start(ctrl) {
        ctrl.enqueue(enc.encode("event: one\n\n"));
        await next.promise;
      },
    });
    return Promise.resolve(
      new Response(body, { headers: { "content-type": "text/event-stream" } }),
    );
  });
  const c = await connect(port);
  try {
    await c.write("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
    await c.until(/event: one/);
    c.close();
    assert.equal(await deadline(aborted.promise, DEADLINE_MS), "aborted");
  } finally {
    next.resolve();
    await server.shutdown(100);
  }
  assert.deepEqual(errors, [], "nothing went wrong on the server's side");
});

Deno.test("http1: an empty piece of a streamed answer does not end it; a stream that fails cuts the connection", async () => {
  await onServer({
    limits: { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    handler: (req) => {
      const path = new URL(req.url).pathname;
      const pieces = ["first;", "", path === "/fails" ? undefined : "second"];
      const body = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (pieces.length === 0) return ctrl.close();
          const piece = pieces.shift();
          if (piece === undefined) ctrl.error(new Error("the stream broke"));
          else ctrl.enqueue(enc.encode(piece));
        },
      });
      return Promise.resolve(new Response(body));
    },
  }, async ({ connect }) => {
    const c = await connect();
    const d = await connect();
    // A zero-length chunk on the wire would be the end of the body: "second" would be lost.
    await c.write("GET /whole HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(
      await c.untilClosed(),
      /\r\n\r\n6\r\nfirst;\r\n6\r\nsecond\r\n0\r\n\r\n$/,
    );
    // An answer cut short has no end on the wire: the connection closes, so the client knows,
    // and the request behind it on the same connection is not answered as if all were well.
    await d.write(
      "GET /fails HTTP/1.1\r\nHost: x\r\n\r\nGET /whole HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const got = await d.untilClosed();
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n[^]*first;/);
    assert.doesNotMatch(got, /second|0\r\n\r\n$/);
  });
});

Deno.test("http1: shutdown's grace is bounded: a request still running after it is cut", async () => {
  const started = Promise.withResolvers<void>();
  const aborted = Promise.withResolvers<void>();
  const { server, port } = serve({ headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 }, (req) => {
    started.resolve();
    // Never answers; gives up only when aborted (as the MCP handler does).
    return new Promise<Response>((_, reject) => {
      req.signal.addEventListener("abort", () => {
        aborted.resolve();
        reject(req.signal.reason);
      }, { once: true });
    });
  });
  const c = await connect(port);
  try {
    await c.write("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
    await within(started.promise, "the request to start", DEADLINE_MS);
    await within(server.shutdown(50), "shutdown past its grace", DEADLINE_MS);
    await within(aborted.promise, "the request to be aborted", DEADLINE_MS);
    assert.equal(await c.untilClosed(), "", "closed, with no answer");
    assert.equal(server.connections, 0);
  } finally {
    c.close();
  }
});

Deno.test("http1: handler errors are reported at most once a second, with how many were left out", async () => {
  const clock = { now: 0 };
  Object.defineProperty(performance, "now", { value: () => clock.now, configurable: true });
  const { server, port, errors } = serve(
    { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    (req) => Promise.reject(new Error(`boom ${new URL(req.url).pathname}`)),
  );
  const c = await connect(port);
  try {
    // [when, path]: a failing request at each moment, one after the other.
    const script: [number, string][] = [
      [0, "/a"],
      [999, "/b"],
      [1000, "/c"], // a second after the last report: reported, counting one
      [1500, "/d"],
      [1999, "/e"],
      [2000, "/f"], // counting two
      [3000, "/g"], // none left out since
    ];
    let answered = 0;
    for (const [at, path] of script) {
      clock.now = at;
      await c.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      answered++;
      await c.until(new RegExp(`(Internal server error\\n[^]*){${answered}}`));
    }
    assert.deepEqual(errors, [
      "boom /a",
      "boom /c (and 1 more like it)",
      "boom /f (and 2 more like it)",
      "boom /g",
    ]);
  } finally {
    delete (performance as { now?: unknown }).now;
    c.close();
    await server.shutdown(100);
  }
});

Deno.test("http1: without an error hook, a handler that throws still gets its 500", async () => {
  const server = serveHttp1({
    hostname: "127.0.0.1",
    port: 0,
    handler: () => Promise.reject(new Error("boom")),
    limits: { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
  });
  const c = await connect(server.addr.port);
  try {
    await c.write("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await c.until(/^HTTP\/1\.1 500 [^]*HTTP\/1\.1 500 [^]*Internal server error\n/);
  } finally {
    c.close();
    await server.shutdown(100);
  }
});

Deno.test("http1: methods in lower case are served as fetch names them: a get's body ignored, a head's answer bodiless", async () => {
  await onServer(
    { limits: { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 } },
    async ({ connect }) => {
      const c = await connect();
      await c.write("get /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
      await c.until(/GET \/a 0/);
      await c.write("head /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      const all = await c.untilClosed();
      assert.match(
        all,
        /GET \/a 0\r\n0\r\n\r\nHTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n\r\n$/,
      );
    },
  );
});

Deno.test("http1: a request's URL is built from the bound address, never from its Host header", async () => {
  // (The test run may listen on 127.0.0.1 only: a wildcard or IPv6 bind is not tried here.)
  const cases: [string, string, (port: number) => string][] = [
    ["127.0.0.1", "127.0.0.1", (port) => `http://127.0.0.1:${port}/p?q=1`],
  ];
  for (const [hostname, dial, want] of cases) {
    const server = serveHttp1({
      hostname,
      port: 0,
      handler: (req) => Promise.resolve(new Response(req.url)),
      limits: { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000 },
    });
    const conn = await Deno.connect({ hostname: dial, port: server.addr.port });
    try {
      await conn.write(
        enc.encode("GET /p?q=1 HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
      );
      let got = "";
      const buf = new Uint8Array(4096);
      const reading = (async () => {
        for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
          got += dec.decode(buf.subarray(0, n));
        }
      })();
      await within(reading, `the answer on ${hostname}`, DEADLINE_MS);
      assert.ok(got.includes(`\r\n${want(server.addr.port)}\r\n0\r\n\r\n`), `${hostname}: ${got}`);
    } finally {
      conn.close();
      await server.shutdown(100);
    }
  }
});

Deno.test("http1: a connection that fails on its own is reported; one closed on purpose is not", async () => {
  /** A socket that delivers one head awaiting 100 Continue, whose write fails (or hangs). */
  const socket = (failWrite: boolean) => {
    const wrote = Promise.withResolvers<void>();
    const closed = Promise.withResolvers<null>();
    let sent = false;
    const conn = {
      read(buf: Uint8Array) {
        if (sent) return closed.promise;
        sent = true;
        const head = enc.encode(
          "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
        );
        buf.set(head);
        return Promise.resolve(head.length);
      },
      write() {
        wrote.resolve();
        if (failWrite) return Promise.reject(new Error("broken pipe"));
        return closed.promise.then(() => Promise.reject(new Error("closed under the write")));
      },
      close() {
        closed.resolve(null);
      },
    };
    return { conn: conn as unknown as Deno.TcpConn, wrote: wrote.promise };
  };
  const limits = { ...HTTP_LIMITS, headerTimeoutMs: 60_000, bodyTimeoutMs: 60_000 };
  const never = () => Promise.reject(new Error("the handler is not reached"));

  const failing = socket(true);
  const reported: string[] = [];
  const a = new Connection(
    failing.conn,
    limits,
    "x",
    never,
    (k, e) => reported.push(`${k}: ${e.message}`),
  );
  await within(a.serve(), "the failing connection to end", DEADLINE_MS);
  assert.deepEqual(reported, ["connection: broken pipe"]);

  const closing = socket(false);
  const quiet: string[] = [];
  const b = new Connection(
    closing.conn,
    limits,
    "x",
    never,
    (k, e) => quiet.push(`${k}: ${e.message}`),
  );
  const serving = b.serve();
  await within(closing.wrote, "the 100 Continue to be written", DEADLINE_MS);
  b.close();
  await within(serving, "the closed connection to end", DEADLINE_MS);
  assert.deepEqual(quiet, [], "closed on purpose: nothing to report");
});

Deno.test("http1 wire: the end of a head, with CRLF or bare LF", () => {
  const b = (s: string) => enc.encode(s);
  assert.equal(headEnd(b("GET / HTTP/1.1\r\nA: b\r\n\r\nrest"), 0, 24), 24);
  assert.equal(headEnd(b("GET / HTTP/1.1\nA: b\n\nrest"), 0, 21), 21);
  assert.equal(headEnd(b("GET / HTTP/1.1\r\nA: b\r\n"), 0, 22), -1);
  const head = parseHead(
    b("\r\nGET /x?y=1 HTTP/1.0\r\nConnection: keep-alive\r\nA: 1\r\nA: 2\r\n\r\n"),
  );
  assert.equal(head.target, "/x?y=1");
  assert.equal(head.keepAlive, true);
  assert.equal(head.headers.get("a"), "1, 2");
  assert.deepEqual(head.body, { kind: "none" });
});

function within<T>(p: Promise<T>, what: string, ms: number): Promise<T> {
  return deadline(p, ms).catch((e) => {
    throw new Error(`${what}: ${e.message}`);
  });
}

function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not within ${ms} ms`)), ms);
    }),
  ]);
}

Deno.test("http1: the default body cap is the README's 8 MiB: exactly that is read, one byte more is 413", async () => {
  const cap = 8 * 1024 * 1024;
  assert.equal(HTTP_LIMITS.maxBodyBytes, cap);
  await onServer({
    limits: { maxBodyBytes: HTTP_LIMITS.maxBodyBytes, bodyTimeoutMs: 20_000 },
  }, async ({ connect, port }) => {
    // One byte more, declared: refused from the head alone.
    const over = await connect();
    await over.write(`POST /over HTTP/1.1\r\nHost: x\r\nContent-Length: ${cap + 1}\r\n\r\n`);
    assert.match(await over.untilClosed(), /^HTTP\/1\.1 413 /);
    // Exactly the cap: read whole (written in full: a socket write may take part of 8 MiB).
    const bytes = new TextEncoder().encode(
      `POST /at HTTP/1.1\r\nHost: x\r\nContent-Length: ${cap}\r\nConnection: close\r\n\r\n` +
        "b".repeat(cap),
    );
    const raw = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      let sent = 0;
      while (sent < bytes.length) sent += await raw.write(bytes.subarray(sent));
      const reply = new Uint8Array(4096);
      const n = await within(raw.read(reply), "the answer to a body at the cap", DEADLINE_MS);
      assert.match(
        dec.decode(reply.subarray(0, n ?? 0)),
        /^HTTP\/1\.1 200 OK\r\n[^]*POST \/at 8388608/,
      );
    } finally {
      raw.close();
    }
  });
});
