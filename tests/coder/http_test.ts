/**
 * The Coder HTTP client against a real local HTTP server: auth header, retries with Retry-After
 * on idempotent requests only, typed errors, schema failures, timeouts, and no token in errors.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { CoderClient, CoderError, retryAfter } from "../../src/coder/http.ts";
import { parseAnswer } from "../../src/coder/answer.ts";
import { routeKey } from "../../src/coder/paths.ts";
import { pause, until, within } from "../deadline.ts";

const TOKEN = "secret-token-" + crypto.randomUUID();

function serve(handler: (req: Request, n: number) => Response | Promise<Response>) {
  let n = 0;
  const seen: { url: string; token: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push({ url: req.url, token: req.headers.get("coder-session-token") });
    return handler(req, n++);
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  return { url, seen, close: () => server.shutdown() };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });

Deno.test("http: sends the session token and parses with the schema", async () => {
  const s = serve(() => json(200, { version: "v2.34.1", extra: true }));
  try {
    const c = new CoderClient({ url: s.url + "/", token: TOKEN });
    const r = await c.get("/api/v2/buildinfo", z.looseObject({ version: z.string() }));
    assert.equal(r.version, "v2.34.1");
    assert.equal(s.seen[0].token, TOKEN);
  } finally {
    await s.close();
  }
});

Deno.test("http: GET retries 5xx and 429 (honouring Retry-After), then succeeds", async () => {
  const s = serve((_req, n) =>
    n === 0
      ? json(503, { message: "down" })
      : n === 1
      ? json(429, { message: "rate limited" }, { "retry-after": "0" })
      : json(200, { ok: true })
  );
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN, backoffMs: 1 });
    const r = await c.get("/x", z.object({ ok: z.boolean() }));
    assert.equal(r.ok, true);
    assert.equal(s.seen.length, 3);
  } finally {
    await s.close();
  }
});

Deno.test("http: a write is never retried", async () => {
  const s = serve(() => json(503, { message: "down" }));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN, backoffMs: 1 });
    await assert.rejects(c.request("POST", "/w", { body: { a: 1 } }), (e: CoderError) => {
      assert.equal(e.status, 503);
      return true;
    });
    assert.equal(s.seen.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("http: Coder's error body becomes a typed, summarised error without the token", async () => {
  const s = serve(() =>
    json(400, {
      message: "Validation failed.",
      detail: "x".repeat(1000),
      validations: [{ field: "name", detail: "bad name" }],
    })
  );
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const err = await c.request("POST", "/api/v2/tasks/me", { body: {} }).catch((e) => e);
    assert.ok(err instanceof CoderError);
    assert.equal(err.status, 400);
    assert.equal(err.coderMessage, "Validation failed.");
    assert.deepEqual(err.validations, [{ field: "name", detail: "bad name" }]);
    assert.match(
      err.summary,
      /^Coder answered 400 to POST \/api\/v2\/tasks\/me: Validation failed\./,
    );
    assert.match(err.summary, /name: bad name/);
    assert.ok(err.summary.length < 700, "the detail is summarised, not dumped");
    assert.ok(!err.summary.includes(TOKEN) && !String(err.stack).includes(TOKEN));
  } finally {
    await s.close();
  }
});

Deno.test("http: 'Route not found.' is recognised; HTML errors still give a status", async () => {
  const s = serve((req) =>
    req.url.endsWith("/html")
      ? new Response("<html>502</html>", { status: 502, headers: { "content-type": "text/html" } })
      : json(404, { message: "Route not found." })
  );
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN, retries: 0 });
    const e1 = await c.request("GET", "/api/v2/tasks").catch((e) => e);
    assert.equal(e1.routeNotFound, true);
    const e2 = await c.request("GET", "/html").catch((e) => e);
    assert.equal(e2.status, 502);
    assert.equal(e2.routeNotFound, false);
  } finally {
    await s.close();
  }
});

Deno.test("http: a malformed body is a parse error naming the field", async () => {
  const s = serve(() => json(200, { version: 42 }));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const e = await c.get("/b", z.object({ version: z.string() })).catch((e) => e);
    assert.equal(e.kind, "parse");
    assert.match(e.summary, /version/);
  } finally {
    await s.close();
  }
});

Deno.test("http: a request that hangs times out; network errors are typed", async () => {
  const s = serve(() => new Promise((r) => setTimeout(() => r(json(200, {})), 400)));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN, timeoutMs: 50, retries: 0 });
    const e = await c.get("/slow", z.object({})).catch((e) => e);
    assert.equal(e.kind, "timeout");
    // No call budget: the client's own timeout, not "the time left in this call".
    assert.equal(e.summary, "Coder did not answer GET /slow in time: no answer within 50 ms");
  } finally {
    await s.close();
  }
  const dead = new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN, retries: 0 });
  const e = await dead.get("/x", z.object({})).catch((e) => e);
  assert.equal(e.kind, "network");
  assert.equal(e.status, 0);
});

Deno.test("http: a Coder URL with credentials, a query or a fragment is refused", () => {
  for (
    const url of [
      "https://user@coder.example",
      "https://:pass@coder.example",
      "https://user:pass@coder.example",
      "https://coder.example/?org=x",
      "https://coder.example/#top",
    ]
  ) {
    assert.throws(
      () => new CoderClient({ url, token: TOKEN }),
      /^Error: The Coder URL must have no credentials, query or fragment\.$/,
      url,
    );
  }
  // A path prefix and trailing slashes are fine.
  assert.equal(
    new CoderClient({ url: "https://x.example/coder//", token: TOKEN }).url,
    "https://x.example/coder",
  );
});

Deno.test("http: Retry-After parses seconds and dates", () => {
  assert.equal(retryAfter("3"), 3000);
  assert.equal(retryAfter(null), undefined);
  assert.equal(retryAfter("nonsense"), undefined);
  const d = retryAfter(new Date(Date.now() + 5000).toUTCString())!;
  assert.ok(d > 3000 && d <= 5000);
  // Never negative: a value in the past, or below zero, means "now".
  assert.equal(retryAfter("-5"), 0);
  assert.equal(retryAfter(new Date(Date.now() - 60_000).toUTCString()), 0);
});

/** A fetch that answers every request with `res()`, counting them. */
function fakeFetch(res: () => Response) {
  const calls: string[] = [];
  const f = (input: string | URL | Request) => {
    calls.push(String(input));
    return Promise.resolve(res());
  };
  return { calls, fetch: f as typeof fetch };
}

const cancelled = (e: unknown) => {
  assert.ok(e instanceof CoderError, `expected a CoderError, got ${e}`);
  assert.equal(e.kind, "aborted");
  assert.equal(e.status, 0);
  assert.equal(e.summary, "Request GET /api/v2/x was cancelled");
  return true;
};

Deno.test("http: a request cancelled while it backs off before a retry is cancelled, not retried", async () => {
  const f = fakeFetch(() => json(503, { message: "down" }));
  const c = new CoderClient({
    url: "http://backoff-cancel.test",
    token: TOKEN,
    backoffMs: 30_000,
    maxBackoffMs: 30_000,
    fetch: f.fetch,
  });
  const ctl = new AbortController();
  const p = c.get("/api/v2/x", z.unknown(), { signal: ctl.signal });
  await until(() => f.calls.length === 1, "the first request");
  await pause(20);
  assert.equal(f.calls.length, 1, "the first answer came back; the retry waits");
  ctl.abort();
  await assert.rejects(within(p, "the cancelled request"), cancelled);
  assert.equal(f.calls.length, 1, "no retry after the cancel");
});

Deno.test("http: a request cancelled while its route is held (Retry-After) is cancelled, not sent", async () => {
  const f = fakeFetch(() => json(429, { message: "slow down" }, { "retry-after": "30" }));
  const c = new CoderClient({ url: "http://hold-cancel.test", token: TOKEN, fetch: f.fetch });
  const ctl = new AbortController();
  const p = c.get("/api/v2/x", z.unknown(), { signal: ctl.signal });
  await until(() => f.calls.length === 1, "the first request");
  await pause(20);
  assert.equal(f.calls.length, 1, "the 429 came back; the retry waits for the hold");
  assert.ok(c.limiter.heldFor(routeKey("GET", "/api/v2/x")) > 20_000, "the route is held");
  ctl.abort();
  await assert.rejects(within(p, "the cancelled request"), cancelled);
  assert.equal(f.calls.length, 1, "nothing more was sent");
});

Deno.test("http: query parameters: undefined and empty values are left out, the rest as text", async () => {
  const f = fakeFetch(() => json(200, {}));
  const c = new CoderClient({ url: "http://query.test/base", token: TOKEN, fetch: f.fetch });
  await c.get("/api/v2/tasks", z.unknown(), {
    query: { q: "owner:me status:pending", gone: undefined, empty: "", limit: 3, archived: false },
  });
  const u = new URL(f.calls[0]);
  assert.equal(u.pathname, "/base/api/v2/tasks");
  assert.deepEqual([...u.searchParams], [
    ["q", "owner:me status:pending"],
    ["limit", "3"],
    ["archived", "false"],
  ]);
});

Deno.test("http: a write goes out as a stream, once; an idempotent one as text, retried on 5xx", async () => {
  const bodies: unknown[] = [];
  let n = 0;
  const fetch = ((_input: string | URL | Request, init?: RequestInit) => {
    bodies.push(init?.body);
    return Promise.resolve(n++ === 0 ? json(503, { message: "down" }) : json(200, { ok: true }));
  }) as typeof globalThis.fetch;
  const c = new CoderClient({ url: "http://writes.test", token: TOKEN, backoffMs: 1, fetch });
  await assert.rejects(c.request("POST", "/api/v2/chats", { body: { a: 1 } }), CoderError);
  assert.equal(bodies.length, 1, "a plain write is not retried");
  assert.ok(bodies[0] instanceof ReadableStream, "and its body is a stream Deno never replays");
  n = 0;
  bodies.length = 0;
  const r = await c.request("POST", "/api/v2/chats", {
    body: { a: 1 },
    idempotent: true,
    schema: z.object({ ok: z.boolean() }),
  });
  assert.deepEqual(r, { ok: true });
  assert.deepEqual(bodies, ['{"a":1}', '{"a":1}'], "retried, with the same text");
});

Deno.test("http: a read that failed on every attempt says how many; one attempt or a status, not", async () => {
  const lost = () => Promise.reject(new TypeError("error reading a body: connection reset"));
  const client = (host: string, retries: number, f: typeof fetch) =>
    new CoderClient({ url: `http://${host}.test`, token: TOKEN, retries, backoffMs: 1, fetch: f });
  const err = (p: Promise<unknown>) => p.then(() => assert.fail("no error"), (e) => e);
  let e = await err(client("lost2", 1, lost as typeof fetch).get("/api/v2/x", z.unknown()));
  assert.equal(
    e.summary,
    "Could not reach Coder for GET /api/v2/x: the connection was lost; 2 attempts",
  );
  e = await err(client("lost1", 0, lost as typeof fetch).get("/api/v2/x", z.unknown()));
  assert.equal(e.summary, "Could not reach Coder for GET /api/v2/x: the connection was lost");
  // A timeout counts its attempts too.
  const hang =
    ((_: unknown, init?: RequestInit) =>
      new Promise((_, reject) =>
        init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason))
      )) as typeof fetch;
  const slow = new CoderClient({
    url: "http://hang2.test",
    token: TOKEN,
    retries: 1,
    backoffMs: 1,
    timeoutMs: 20,
    fetch: hang,
  });
  e = await err(within(slow.get("/api/v2/x", z.unknown()), "two timeouts"));
  assert.equal(
    e.summary,
    "Coder did not answer GET /api/v2/x in time: no answer within 20 ms; 2 attempts",
  );
  // An error status is Coder's answer: no count.
  const down = fakeFetch(() => json(503, { message: "down" }));
  e = await err(client("down2", 1, down.fetch).get("/api/v2/x", z.unknown()));
  assert.equal(down.calls.length, 2);
  assert.equal(e.summary, "Coder answered 503 to GET /api/v2/x: down");
});

Deno.test("http: a WebSocket goes to the Coder URL, wss for https, with the token", () => {
  const urls: string[] = [];
  const open = (u: string, init: { headers: Record<string, string> }) => {
    urls.push(u);
    assert.deepEqual(init.headers, { "Coder-Session-Token": TOKEN });
    return {} as WebSocket;
  };
  new CoderClient({ url: "https://coder.example/base/", token: TOKEN })
    .openWebSocket("/api/v2/chats/watch?x=1", open);
  new CoderClient({ url: "http://coder.example:8080", token: TOKEN })
    .openWebSocket("/api/v2/chats/watch", open);
  assert.deepEqual(urls, [
    "wss://coder.example/base/api/v2/chats/watch?x=1",
    "ws://coder.example:8080/api/v2/chats/watch",
  ]);
});

Deno.test("parseAnswer: why a success body is not the documented answer", () => {
  const obj = z.object({ a: z.object({ b: z.string() }) });
  assert.deepEqual(parseAnswer("", obj, false), {
    ok: false,
    detail: "the body is empty, where JSON was expected",
  });
  assert.deepEqual(parseAnswer(" \n", z.unknown(), true), { ok: true, value: undefined });
  assert.deepEqual(parseAnswer("", obj, true), {
    ok: false,
    detail: "body: Invalid input: expected object, received undefined",
  });
  assert.deepEqual(parseAnswer("  <!doctype html><p>login", obj, false), {
    ok: false,
    detail: "the body is HTML, not JSON (a proxy's page?)",
  });
  assert.deepEqual(parseAnswer("nope <", obj, false), {
    ok: false,
    detail: "the body is not JSON",
  });
  assert.deepEqual(parseAnswer('{"a":{"b":1}}', obj, false), {
    ok: false,
    detail: "a.b: Invalid input: expected string, received number",
  });
  assert.deepEqual(parseAnswer('{"a":{"b":"x"},"c":1}', obj, false), {
    ok: true,
    value: { a: { b: "x" } },
  });
  assert.deepEqual(parseAnswer("not even looked at", undefined, false), {
    ok: true,
    value: undefined,
  });
});

Deno.test("http: an error body is read up to 64 KiB; past that, the status alone is said", async () => {
  const body = (size: number) => {
    const head = '{"message":"quota exceeded","pad":"';
    return head + "x".repeat(size - head.length - 2) + '"}';
  };
  for (
    const [size, summary] of [
      [64 * 1024, "Coder answered 500 to GET /api/v2/x: quota exceeded"],
      [64 * 1024 + 1, "Coder answered 500 to GET /api/v2/x"],
    ] as const
  ) {
    const text = body(size);
    assert.equal(text.length, size);
    const f = fakeFetch(() => new Response(text, { status: 500 }));
    const c = new CoderClient({
      url: `http://cap${size}.test`,
      token: TOKEN,
      retries: 0,
      fetch: f.fetch,
    });
    const e = await c.get("/api/v2/x", z.unknown()).then(() => assert.fail("no error"), (e) => e);
    assert.equal(e.summary, summary);
  }
});

Deno.test("http: which answers a read retries: 500 and up, and 429; not another 4xx", async () => {
  for (const [status, calls] of [[500, 2], [502, 2], [429, 2], [404, 1], [409, 1]] as const) {
    let n = 0;
    const f = fakeFetch(() => n++ === 0 ? json(status, { message: "first" }) : json(200, {}));
    const c = new CoderClient({
      url: `http://retry${status}.test`,
      token: TOKEN,
      backoffMs: 1,
      fetch: f.fetch,
    });
    await c.get("/api/v2/x", z.unknown()).catch(() => undefined);
    assert.equal(f.calls.length, calls, `${status}`);
  }
});

Deno.test("http: a 300 is a redirect too, never followed", async () => {
  const f = fakeFetch(() =>
    new Response(null, { status: 300, headers: { location: "http://elsewhere.test/x" } })
  );
  const c = new CoderClient({ url: "http://multiple.test", token: TOKEN, fetch: f.fetch });
  const e = await c.get("/api/v2/x", z.unknown()).then(() => assert.fail("no error"), (e) => e);
  assert.equal(e.kind, "redirect");
  assert.equal(e.location, "http://elsewhere.test");
  assert.equal(f.calls.length, 1);
});

Deno.test("http: a Retry-After within the cap is the wait; what Coder asked is kept only when cut", async () => {
  const f = fakeFetch(() => json(429, { message: "slow down" }, { "retry-after": "1" }));
  const c = new CoderClient({ url: "http://asked.test", token: TOKEN, retries: 0, fetch: f.fetch });
  const e = await c.get("/api/v2/x", z.unknown()).then(() => assert.fail("no error"), (e) => e);
  assert.equal(e.retryAfterMs, 1000);
  assert.equal(e.askedMs, undefined);
  const g = fakeFetch(() => json(503, { message: "maintenance" }, { "retry-after": "86400" }));
  const d = new CoderClient({
    url: "http://asked2.test",
    token: TOKEN,
    retries: 0,
    fetch: g.fetch,
  });
  const cut = await d.get("/api/v2/x", z.unknown()).then(() => assert.fail("no error"), (e) => e);
  assert.equal(cut.retryAfterMs, 120_000);
  assert.equal(cut.askedMs, 86_400_000);
});

Deno.test("http: a read or a write cancelled while it waits for the answer is cancelled, not retried", async () => {
  let calls = 0;
  const hang = ((_: unknown, init?: RequestInit) => {
    calls++;
    return new Promise((_, reject) =>
      init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason))
    );
  }) as typeof fetch;
  const c = new CoderClient({
    url: "http://hang-cancel.test",
    token: TOKEN,
    backoffMs: 1,
    fetch: hang,
  });
  const ctl = new AbortController();
  const p = c.get("/api/v2/x", z.unknown(), { signal: ctl.signal });
  await until(() => calls === 1, "the request");
  ctl.abort();
  await assert.rejects(within(p, "the cancelled request"), cancelled);
  assert.equal(calls, 1);
  // A write too: the caller's cancel is said as such.
  const w = new AbortController();
  const q = c.request("POST", "/api/v2/x", { body: { a: 1 }, signal: w.signal });
  await until(() => calls === 2, "the write");
  w.abort();
  await assert.rejects(within(q, "the cancelled write"), (e) => {
    assert.ok(e instanceof CoderError);
    assert.equal(e.summary, "Request POST /api/v2/x was cancelled");
    return true;
  });
});

Deno.test("http: a host Deno's permissions refuse is not asked again", async () => {
  let calls = 0;
  const denied = (() => {
    calls++;
    return Promise.reject(new Deno.errors.NotCapable('Requires net access to "x.test:80"'));
  }) as typeof fetch;
  const c = new CoderClient({ url: "http://x.test", token: TOKEN, backoffMs: 1, fetch: denied });
  const e = await c.get("/api/v2/x", z.unknown()).then(() => assert.fail("no error"), (e) => e);
  assert.equal(e.kind, "network");
  assert.match(e.summary, /Deno's permissions refused the connection to x\.test:80/);
  assert.equal(calls, 1, "a refusal is final: no retry");
});

Deno.test("http: a 429 without Retry-After holds its route for a backoff that doubles, with jitter", async () => {
  const random = Math.random;
  Math.random = () => 0.5; // the jitter: half of the upper half
  const f = fakeFetch(() => json(429, { message: "slow down" }));
  const c = new CoderClient({
    url: "http://backoff.test",
    token: TOKEN,
    backoffMs: 1000,
    fetch: f.fetch,
  });
  const key = routeKey("GET", "/api/v2/x");
  const ctl = new AbortController();
  const p = c.get("/api/v2/x", z.unknown(), { signal: ctl.signal });
  try {
    // Backoff 1000 ms * 2^(attempt - 1), of which the lower half always, the upper half by jitter.
    await until(() => c.limiter.heldFor(key) > 0, "the first hold");
    const first = c.limiter.heldFor(key);
    assert.ok(first > 500 && first <= 750, `held ${first} ms after the first 429`);
    await until(() => f.calls.length === 2 && c.limiter.heldFor(key) > 750, "the second hold");
    const second = c.limiter.heldFor(key);
    assert.ok(second > 1200 && second <= 1500, `held ${second} ms after the second 429`);
  } finally {
    Math.random = random;
    ctl.abort();
    await assert.rejects(within(p, "the cancelled request"), cancelled);
  }
});
