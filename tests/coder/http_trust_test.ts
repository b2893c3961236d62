/**
 * The client keeps the token at home and judges writes strictly (issue 6, findings 1, 2, 9, 13):
 * redirects are never followed, the token and a write's body never reach another origin, a 2xx
 * that is not Coder's documented answer is an error, a write whose fate is unknown is
 * `uncertain`, a connection refused before sending is `network`, an answer over the cap is
 * `too_large`, and a token Coder echoes is scrubbed. All against real servers on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { CoderClient, CoderError } from "../../src/coder/http.ts";
import { judgeSuccess } from "../../src/coder/success.ts";
import { onceBody } from "../../src/coder/once.ts";
import { deleteTask, pauseTask, resumeTask, sendTaskInput } from "../../src/backends/tasks/api.ts";
import {
  createChat,
  interruptChat,
  sendChatMessage,
  textContent,
  updateChat,
} from "../../src/backends/chats/api.ts";
import { closedPort, html, json, rawServer, resetAfterActing, serve } from "./local_server.ts";

const TOKEN = "tok-" + crypto.randomUUID();
const ID = "aaaaaaaa-0000-4000-8000-000000000001";

async function failure(p: Promise<unknown>): Promise<CoderError> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof CoderError, `expected a CoderError, got ${e}`);
  return e;
}

Deno.test("redirects: never followed; the other origin never sees the token or the body", async (t) => {
  const other = serve(() => json(200, { version: "stolen", ok: true }));
  for (const status of [301, 302, 307, 308]) {
    for (const method of ["GET", "POST"]) {
      await t.step(`${status} on ${method}`, async () => {
        const home = serve(() =>
          new Response(null, {
            status,
            headers: { location: `${other.url}/login?next=%2Fsecret&token=x` },
          })
        );
        try {
          const c = new CoderClient({ url: home.url, token: TOKEN, retries: 3, backoffMs: 1 });
          const e = await failure(
            c.request(method, "/api/v2/tasks/me/x/send", {
              body: method === "POST" ? { input: "do it" } : undefined,
              schema: z.unknown(),
              expect: [204],
            }),
          );
          assert.equal(e.kind, "redirect");
          assert.equal(e.status, status);
          assert.equal(e.location, other.origin);
          assert.ok(e.summary.includes(other.origin), e.summary);
          assert.match(e.summary, /CODER_URL/);
          assert.ok(!e.summary.includes("login") && !e.summary.includes("next="), e.summary);
          assert.ok(!e.summary.includes(TOKEN));
          assert.equal(home.seen.length, 1, "a redirect is not retried");
        } finally {
          await home.close();
        }
      });
    }
  }
  await other.close();
  assert.equal(other.seen.length, 0, "the other origin was never contacted");
});

Deno.test("redirects: one to another path on the same host says so", async () => {
  const s = serve(() => new Response(null, { status: 302, headers: { location: "/login?r=1" } }));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const e = await failure(c.get("/api/v2/tasks", z.unknown()));
    assert.equal(e.kind, "redirect");
    assert.match(e.summary, /another path on the same host/);
    assert.ok(!e.summary.includes("login?r=1"));
    assert.equal(s.seen.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("origin: a path that would leave the Coder URL is refused before sending", async () => {
  const s = serve(() => json(200, {}));
  try {
    const c = new CoderClient({ url: `${s.url}/coder`, token: TOKEN });
    for (const path of ["/../api/v2/users/me", "/api/v2/tasks/../../users/me", "@evil.example/x"]) {
      const e = await failure(c.get(path, z.unknown()));
      assert.equal(e.kind, "network");
      assert.match(e.summary, /no request was sent/);
    }
    assert.equal(s.seen.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("NotCapable: Deno's permissions refusing the host is explained", async (t) => {
  await t.step("as fetch throws it", async () => {
    const c = new CoderClient({
      url: "https://coder.example.com",
      token: TOKEN,
      fetch: () => Promise.reject(new Deno.errors.NotCapable("Requires net access")),
    });
    const e = await failure(c.get("/api/v2/buildinfo", z.unknown()));
    assert.equal(e.kind, "network");
    assert.match(
      e.summary,
      /Deno's permissions refused the connection to coder\.example\.com:443; this build may reach only the Coder host/,
    );
  });
  const granted = await Deno.permissions.query({ name: "net", host: "127.0.0.2:8080" });
  await t.step({
    name: "for real, when this test may not reach 127.0.0.2",
    ignore: granted.state === "granted",
    fn: async () => {
      const c = new CoderClient({ url: "http://127.0.0.2:8080", token: TOKEN, retries: 0 });
      const e = await failure(c.get("/api/v2/buildinfo", z.unknown()));
      assert.equal(e.kind, "network");
      assert.match(e.summary, /permissions refused the connection to 127\.0\.0\.2:8080/);
    },
  });
});

Deno.test("strict writes: a 2xx that is not Coder's documented answer is never success", async (t) => {
  const s = serve((req) => {
    if (req.method === "PATCH") return json(200, { ok: true }); // PATCH documents 204
    return html(200);
  });
  const c = new CoderClient({ url: s.url, token: TOKEN });
  try {
    await t.step("task send answered 200 HTML", async () => {
      const e = await failure(sendTaskInput(c, "/api/v2", "me", ID, "hi"));
      assert.equal(e.kind, "parse");
      assert.match(e.summary, /expected status 204, got 200 \(text\/html\)/);
    });
    await t.step("task delete answered 200 HTML", async () => {
      const e = await failure(deleteTask(c, "/api/v2", "me", ID));
      assert.equal(e.kind, "parse");
    });
    await t.step(
      "chat archive answered 200 JSON instead of 204: Coder took it, uncertain",
      async () => {
        const e = await failure(updateChat(c, "/api/v2", ID, { archived: true }));
        assert.equal(e.kind, "uncertain");
        assert.match(e.summary, /answered 200 where 204 is documented/);
      },
    );
    await t.step("chat message answered 200 HTML (JSON documented)", async () => {
      const e = await failure(
        sendChatMessage(c, "/api/v2", "x", { content: textContent("hi") }),
      );
      assert.equal(e.kind, "parse");
      assert.match(e.summary, /HTML/);
    });
    await t.step("chat create answered 200 HTML (201 documented)", async () => {
      const e = await failure(createChat(c, "/api/v2", { content: textContent("hi") }));
      assert.equal(e.kind, "parse");
    });
    assert.ok(s.seen.every((r) => r.token === TOKEN));
  } finally {
    await s.close();
  }
});

Deno.test("uncertain: a write Coder took (2xx) but answered off the record is never failed", async (t) => {
  const enc = new TextEncoder();
  const s = serve((req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "DELETE") return new Response(null, { status: 204 }); // 202 documented
    if (path.endsWith("/pause")) return json(200, {}); // 202 with a build documented
    if (path.endsWith("/resume")) return json(202, [1, 2]); // the wrong shape
    if (path.endsWith("/messages")) {
      return new Response('{"id": 1, "message": {"chat_id": "x', { // cut in half
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    if (path.endsWith("/interrupt")) { // over the cap, with no Content-Length
      const chunk = enc.encode(" ".repeat(4096));
      let n = 0;
      return new Response(
        new ReadableStream({
          pull(c) {
            if (n++ < 4) c.enqueue(chunk);
            else c.close();
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    }
    if (path === "/api/v2/chats") return json(201, { id: ID, title: "x".repeat(8000) }); // over the cap
    return html(200);
  });
  const c = new CoderClient({ url: s.url, token: TOKEN, maxBytes: 4096 });
  const uncertain = async (p: Promise<unknown>, words: RegExp) => {
    const e = await failure(p);
    assert.equal(e.kind, "uncertain", e.summary);
    assert.match(e.summary, words);
  };
  try {
    await t.step(
      "204 to a task delete documented as 202",
      () => uncertain(deleteTask(c, "/api/v2", "me", ID), /answered 204 where 202 is documented/),
    );
    await t.step(
      "200 {} to a pause documented as 202",
      () => uncertain(pauseTask(c, "/api/v2", "me", ID), /answered 200 where 202 is documented/),
    );
    await t.step(
      "202 of the wrong shape to a resume",
      () =>
        uncertain(
          resumeTask(c, "/api/v2", "me", ID),
          /answered 202, but its answer was not understood/,
        ),
    );
    await t.step("a JSON body cut in half answering a chat message", () =>
      uncertain(
        sendChatMessage(c, "/api/v2", ID, { content: textContent("x") }),
        /answered 200, .* not JSON/,
      ));
    await t.step(
      "an answer over the size cap (streamed) to an interrupt",
      () =>
        uncertain(
          interruptChat(c, "/api/v2", ID),
          /answered 200, but its answer is larger than the 4096-byte cap/,
        ),
    );
    await t.step("an answer over the size cap (Content-Length) to a chat create", () =>
      uncertain(
        createChat(c, "/api/v2", { content: textContent("x") }),
        /answered 201, .* larger than/,
      ));
    await t.step("a proxy's 200 HTML page is not Coder's answer: failed, as before", async () => {
      const e = await failure(sendTaskInput(c, "/api/v2", "me", ID, "hi"));
      assert.equal(e.kind, "parse");
    });
  } finally {
    await s.close();
  }
});

Deno.test("uncertain: a write whose answer was lost is never done, nor failed", async (t) => {
  await t.step("timeout after sending", async () => {
    const gate = Promise.withResolvers<void>();
    const s = serve(async () => {
      await gate.promise;
      return new Response(null, { status: 204 });
    });
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN, timeoutMs: 200 });
      const e = await failure(sendTaskInput(c, "/api/v2", "me", ID, "hi"));
      assert.equal(e.kind, "uncertain");
      assert.equal(e.uncertain, true);
      assert.match(e.summary, /outcome of POST .* is unknown/);
      assert.equal(s.seen.length, 1, "an uncertain write is not retried");
    } finally {
      gate.resolve();
      await s.close();
    }
  });
  await t.step("connection reset after sending", async () => {
    const raw = rawServer((conn) => Promise.resolve(conn.close()));
    try {
      const c = new CoderClient({ url: raw.url, token: TOKEN, backoffMs: 1 });
      const e = await failure(sendTaskInput(c, "/api/v2", "me", ID, "hi"));
      assert.equal(e.kind, "uncertain");
      assert.equal(raw.requests, 1);
      // A read may be repeated: it is retried, and ends as a network error.
      const r = await failure(c.get("/api/v2/tasks", z.unknown()));
      assert.equal(r.kind, "network");
      assert.match(r.summary, /connection was lost; 4 attempts/);
      assert.equal(raw.requests, 5);
    } finally {
      raw.close();
    }
  });
  await t.step("body lost after a 2xx", async () => {
    const raw = rawServer(async (conn) => {
      await conn.write(
        new TextEncoder().encode(
          "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{",
        ),
      );
      conn.close();
    });
    try {
      const c = new CoderClient({ url: raw.url, token: TOKEN });
      const e = await failure(sendChatMessage(c, "/api/v2", ID, { content: textContent("x") }));
      assert.equal(e.kind, "uncertain");
    } finally {
      raw.close();
    }
  });
  await t.step("a gateway's 502/504 page on a write; Coder's own 502 stays http", async () => {
    const s = serve((req) =>
      req.url.endsWith("/send") ? html(504) : json(502, { message: "Task app is not ready." })
    );
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN });
      const e = await failure(sendTaskInput(c, "/api/v2", "me", ID, "hi"));
      assert.equal(e.kind, "uncertain");
      assert.match(e.summary, /gateway answered 504/);
      const coder = await failure(c.request("POST", "/api/v2/chats", { body: {}, expect: [201] }));
      assert.equal(coder.kind, "http");
      assert.equal(s.seen.length, 2);
    } finally {
      await s.close();
    }
  });
  await t.step("connection refused: nothing was sent, so network", async () => {
    const c = new CoderClient({ url: `http://127.0.0.1:${closedPort()}`, token: TOKEN });
    const e = await failure(sendTaskInput(c, "/api/v2", "me", ID, "hi"));
    assert.equal(e.kind, "network");
    assert.match(e.summary, /refused/);
  });
});

Deno.test("size cap: an answer over maxBytes is too_large (a write's: uncertain), with or without Content-Length", async () => {
  const big = JSON.stringify({ tasks: [], pad: "x".repeat(4096) });
  const s = serve((req) => {
    if (new URL(req.url).pathname === "/len") return json(200, JSON.parse(big));
    const chunks = [big.slice(0, 2000), big.slice(2000)];
    return new Response(
      new ReadableStream({
        pull(ctl) {
          const c = chunks.shift();
          if (c === undefined) ctl.close();
          else ctl.enqueue(new TextEncoder().encode(c));
        },
      }),
      { status: 200, headers: { "content-type": "application/json" } },
    );
  });
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN, maxBytes: 3000 });
    for (const path of ["/len", "/stream"]) {
      const e = await failure(c.get(path, z.unknown()));
      assert.equal(e.kind, "too_large");
      assert.match(e.summary, /CODER_FLEET_MAX_RESPONSE_MB/);
    }
    const ok = new CoderClient({ url: s.url, token: TOKEN, maxBytes: 10_000 });
    assert.ok(await ok.get("/stream", z.unknown()));
    // A write Coder answered 2xx acted, whatever the size of the answer: not failed, uncertain
    // (the caller checks before retrying; a retry could act twice). And it is not retried.
    const before = s.seen.length;
    for (const path of ["/len", "/stream"]) {
      const w = await failure(
        c.request("POST", path, { body: { input: "x" }, schema: z.unknown(), expect: [200] }),
      );
      assert.equal(w.kind, "uncertain", `${path}: ${w.summary}`);
      assert.equal(w.uncertain, true);
    }
    assert.equal(s.seen.length, before + 2, "each write sent once");
  } finally {
    await s.close();
  }
});

Deno.test("errors: a token echoed case-folded or cut short is scrubbed too", async () => {
  const s = serve(() =>
    json(400, {
      message: `Invalid token ${TOKEN.toUpperCase()}`,
      detail: `it began ${TOKEN.slice(0, 20)}…`,
    })
  );
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const e = await failure(c.request("POST", "/api/v2/chats", { body: {}, expect: [201] }));
    assert.equal(e.kind, "http");
    assert.equal(e.coderMessage, "Invalid token [redacted]");
    assert.equal(e.detail, "it began [redacted]…");
  } finally {
    await s.close();
  }
});

Deno.test("errors: a token echoed in Coder's error body is scrubbed", async () => {
  const s = serve((req) =>
    json(400, {
      message: `Invalid token ${req.headers.get("coder-session-token")}`,
      detail: `header was Coder-Session-Token: ${encodeURIComponent(TOKEN)}`,
      validations: [{ field: "token", detail: `bad ${TOKEN}` }],
    })
  );
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const e = await failure(c.request("POST", "/api/v2/chats", { body: {}, expect: [201] }));
    assert.equal(s.seen[0].token, TOKEN, "the server did see (and echo) the token");
    assert.equal(e.kind, "http");
    assert.ok(!e.summary.includes(TOKEN) && !JSON.stringify(e).includes(TOKEN), e.summary);
    assert.ok(!String(e.coderMessage).includes(TOKEN) && !String(e.detail).includes(TOKEN));
    assert.match(e.summary, /Invalid token \[redacted\]/);
  } finally {
    await s.close();
  }
});

Deno.test("once: a write whose reused connection resets after sending is sent once, uncertain", async (t) => {
  const writes: [string, (c: CoderClient) => Promise<unknown>][] = [
    ["POST with a body (task send)", (c) => sendTaskInput(c, "/api/v2", "me", ID, "hi")],
    ["bodiless POST (task pause)", (c) => pauseTask(c, "/api/v2", "me", ID)],
    ["bodiless DELETE (task delete)", (c) => deleteTask(c, "/api/v2", "me", ID)],
    ["PATCH (chat archive)", (c) => updateChat(c, "/api/v2", ID, { archived: true })],
    [
      "chat send without receipts",
      (c) => sendChatMessage(c, "/api/v2", ID, { content: textContent("x"), request_id: "r-1" }),
    ],
  ];
  for (const [name, write] of writes) {
    await t.step(name, async () => {
      const s = resetAfterActing();
      try {
        const c = new CoderClient({ url: s.url, token: TOKEN, backoffMs: 1 });
        await c.get("/api/v2/buildinfo", z.unknown()); // the connection is now pooled
        const e = await failure(write(c));
        assert.equal(e.kind, "uncertain", e.summary);
        assert.deepEqual(s.seen.slice(1).length, 1, `sent once: ${s.seen.join(", ")}`);
      } finally {
        s.close();
      }
    });
  }
});

Deno.test("once: a streamed write body arrives whole, as JSON", async () => {
  const got: { type: string | null; length: string | null }[] = [];
  const s = serve((req) => {
    got.push({ type: req.headers.get("content-type"), length: req.headers.get("content-length") });
    return new Response(null, { status: 204 });
  });
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const input = "héllo ".repeat(20_000); // 140 KB: more than one chunk on the wire
    await sendTaskInput(c, "/api/v2", "me", ID, input);
    assert.equal(got[0].type, "application/json");
    assert.equal(got[0].length, null, "streamed: chunked, no Content-Length");
    assert.deepEqual(JSON.parse(s.seen[0].body), { input });
  } finally {
    await s.close();
  }
});

Deno.test("redirects: one without a Location, or with one that is no URL, names no address", async () => {
  for (const headers of [{}, { location: "http://[bad" }] as Record<string, string>[]) {
    const fetch = (() =>
      Promise.resolve(new Response(null, { status: 302, headers }))) as typeof globalThis.fetch;
    const c = new CoderClient({ url: "http://no-location.test", token: TOKEN, fetch });
    const e = await failure(c.get("/api/v2/tasks", z.unknown()));
    assert.equal(e.kind, "redirect");
    assert.equal(e.location, undefined);
    assert.equal(
      e.summary,
      "Coder answered GET /api/v2/tasks with a redirect (302) to another address, which was not " +
        "followed (the session token is sent only to CODER_URL). Set CODER_URL to the final address",
    );
  }
});

Deno.test("judgeSuccess: the words of an answer that is not the documented one", async () => {
  const how = { write: false, allowEmpty: false, maxBytes: 1000, scrub: (s: string) => s };
  // Bytes, so that no content type is set unless one is given.
  const res = (body: string | null, status = 200, type?: string) =>
    new Response(body === null ? null : new TextEncoder().encode(body), {
      status,
      headers: type ? { "content-type": type } : {},
    });
  const error = async (r: Response, h: Parameters<typeof judgeSuccess>[1]) => {
    const j = await judgeSuccess(r, h);
    assert.ok(!j.ok && "error" in j, JSON.stringify(j));
    return j.error;
  };
  // A read with another status, whatever its type, is not Coder's answer.
  assert.deepEqual(await error(res("{}", 201), how), {
    status: 201,
    kind: "parse",
    detail: "expected status 200, got 201 (no content type): not Coder's answer",
  });
  assert.deepEqual(
    await error(res("{}", 200, "application/json; charset=utf-8"), { ...how, expect: [204] }),
    {
      status: 200,
      kind: "parse",
      detail: "expected status 204, got 200 (application/json): not Coder's answer",
    },
  );
  // A write whose body turns out to be a page (its type said JSON): failed, and why.
  const write = { ...how, write: true, schema: z.unknown() };
  assert.deepEqual(await error(res("<html>", 200, "application/json"), write), {
    status: 200,
    kind: "parse",
    detail: "the body is HTML, not JSON (a proxy's page?): not Coder's answer",
  });
  assert.deepEqual(
    await error(res(" <html>", 202, "application/json"), { ...write, expect: [200, 201] }),
    {
      status: 202,
      kind: "parse",
      detail:
        "expected status 200 or 201, got 202: the body is HTML, not JSON (a proxy's page?): " +
        "not Coder's answer",
    },
  );
  // A write Coder took with another 2xx: uncertain, with every documented status named.
  assert.deepEqual(
    await error(res("{}", 202, "application/json"), { ...write, expect: [200, 201] }),
    {
      status: 202,
      kind: "uncertain",
      detail: "Coder answered 202 where 200 or 201 is documented",
    },
  );
  // A write's answer over a cap of whole MiB says it in MiB.
  const big = "x".repeat(1048577);
  assert.deepEqual(await error(res(big, 200), { ...write, maxBytes: 1048576 }), {
    status: 200,
    kind: "uncertain",
    detail: "Coder answered 200, but its answer is larger than the 1 MiB cap",
  });
  assert.deepEqual(await error(res(big, 200), { ...how, maxBytes: 1048576 }), {
    status: 200,
    kind: "too_large",
    capBytes: 1048576,
  });
  // A read that does not parse: the field, with the token scrubbed from the words.
  assert.deepEqual(
    await error(res('{"id":1}', 200, "application/json"), {
      ...how,
      schema: z.object({ id: z.string() }),
      scrub: (s) => s.replace("id", "[x]"),
    }),
    { status: 200, kind: "parse", detail: "[x]: Invalid input: expected string, received number" },
  );
  // An empty body where one is allowed; a body ignored without a schema.
  assert.deepEqual(
    await judgeSuccess(res(null, 200), { ...how, schema: z.unknown(), allowEmpty: true }),
    {
      ok: true,
      value: undefined,
    },
  );
  assert.deepEqual(await judgeSuccess(res("not json", 200), how), { ok: true, value: undefined });
});

Deno.test("once: a write body is one chunk of its text; no text is no chunk at all", async () => {
  const chunks = async (s: ReadableStream<Uint8Array>) => {
    const out: string[] = [];
    for await (const c of s) out.push(new TextDecoder().decode(c));
    return out;
  };
  assert.deepEqual(await chunks(onceBody('{"input":"hé"}')), ['{"input":"hé"}']);
  assert.deepEqual(await chunks(onceBody()), []);
  assert.deepEqual(await chunks(onceBody("")), []);
});
