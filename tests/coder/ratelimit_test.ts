/**
 * Rate discipline and call budgets (issue 6, findings 8 and 9), against real servers on
 * 127.0.0.1: a 429 is retried (writes too) only once Coder's Retry-After has passed, and no
 * request to that route goes out before; a Retry-After that does not fit fails fast with a time
 * to retry; a hung or stalled Coder fails within the call's budget as a timeout; the per-route
 * window and the in-flight bound hold; a 503 with Retry-After holds its route like a 429; a 429
 * without one backs off; holds only lengthen; route keys take every id and name out. Timing
 * assertions are lower bounds only; every wait has a deadline.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { callSends, remainingMs, withBudget } from "../../src/coder/budget.ts";
import { CoderClient, CoderError } from "../../src/coder/http.ts";
import { routeKey } from "../../src/coder/paths.ts";
import {
  CALL_FLOOR,
  MAX_HOLD_MS,
  RateLimiter,
  RateWaitTooLong,
  sleep,
} from "../../src/coder/ratelimit.ts";
import { getTask, sendTaskInput } from "../../src/backends/tasks/api.ts";
import { json, serve } from "./local_server.ts";
import { pause, until, within } from "../deadline.ts";
import { leftBehind } from "../leaks.ts";

const TOKEN = "tok-" + crypto.randomUUID();
const TASK = { id: "aaaaaaaa-0000-4000-8000-000000000001", name: "t", status: "active" };

async function failure(p: Promise<unknown>): Promise<CoderError> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof CoderError, `expected a CoderError, got ${e}`);
  return e;
}

Deno.test("routeKey: ids and names are taken out of the path", () => {
  assert.equal(routeKey("GET", "/api/v2/tasks/x/y"), routeKey("GET", "/api/v2/tasks/a/b"));
  assert.equal(routeKey("GET", "/api/v2/tasks/x/y"), "GET /api/v2/tasks/*/*");
  assert.equal(
    routeKey("POST", "/api/v2/tasks/alice/fix-login/send"),
    "POST /api/v2/tasks/*/*/send",
  );
  assert.equal(
    routeKey("GET", `/api/v2/chats/${TASK.id}/messages?limit=5`),
    "GET /api/v2/chats/*/messages",
  );
  assert.equal(routeKey("GET", "/api/v2/chats/models"), "GET /api/v2/chats/models");
  assert.notEqual(routeKey("GET", "/api/v2/tasks"), routeKey("GET", "/api/v2/tasks/a/b"));
  assert.notEqual(routeKey("GET", "/api/v2/tasks/a/b"), routeKey("POST", "/api/v2/tasks/a/b"));
});

Deno.test("routeKey: every route the client sends, ids and names out; any UUID anywhere is out", () => {
  // Coder limits per user and route pattern: one key per pattern, whatever the ids, or a fleet
  // of 1000 agents would get 1000 windows. The id is a UUID in some routes, a name in others.
  const U = TASK.id;
  const V = "bbbbbbbb-0000-4000-8000-00000000000b";
  const cases: [string, string, string][] = [
    ["GET", `/api/v2/tasks/${U}/${V}`, "GET /api/v2/tasks/*/*"],
    ["GET", `/api/v2/tasks/alice/${U}/logs`, "GET /api/v2/tasks/*/*/logs"],
    ["POST", `/api/v2/tasks/${U}`, "POST /api/v2/tasks/*"],
    ["POST", `/api/experimental/tasks/me/fix/send`, "POST /api/experimental/tasks/*/*/send"],
    ["GET", `/api/v2/chats/${U}`, "GET /api/v2/chats/*"],
    ["PATCH", `/api/v2/chats/${U}`, "PATCH /api/v2/chats/*"],
    ["POST", `/api/v2/chats/${U}/interrupt`, "POST /api/v2/chats/*/interrupt"],
    ["GET", `/api/v2/chats/${U}/cost`, "GET /api/v2/chats/*/cost"],
    ["GET", `/api/v2/organizations/${U}/chats/models`, "GET /api/v2/organizations/*/chats/models"],
    ["GET", `/api/v2/templates/${U}`, "GET /api/v2/templates/*"],
    ["GET", `/api/v2/organizations/${U}/templates/web`, "GET /api/v2/organizations/*/templates/*"],
    ["GET", `/api/v2/templateversions/${U}/presets`, "GET /api/v2/templateversions/*/presets"],
    ["GET", `/api/v2/users/${U}/organizations`, "GET /api/v2/users/*/organizations"],
    ["GET", "/api/v2/users/me", "GET /api/v2/users/*"],
    ["POST", `/api/v2/tasks/alice/${U}/input`, "POST /api/v2/tasks/*/*/input"],
    ["POST", `/api/v2/tasks/alice/${U}/pause`, "POST /api/v2/tasks/*/*/pause"],
    ["POST", `/api/v2/tasks/alice/${U}/resume`, "POST /api/v2/tasks/*/*/resume"],
    ["GET", "/api/v2/buildinfo", "GET /api/v2/buildinfo"],
    ["GET", "/api/v2/templates?q=has-ai-task:true", "GET /api/v2/templates"],
    // Names that happen to be words of Coder's routes are names where a name goes.
    ["POST", "/api/v2/tasks/send/logs/send", "POST /api/v2/tasks/*/*/send"],
    ["GET", "/api/v2/chats/watch", "GET /api/v2/chats/watch"],
    // A route shape the rules do not list: a UUID (like any word Coder's agent routes do not
    // use) is still taken out.
    ["GET", `/api/v2/chats/${U}/messages/${V}`, "GET /api/v2/chats/*/messages/*"],
  ];
  for (const [method, path, key] of cases) assert.equal(routeKey(method, path), key, path);
});

Deno.test("429 with Retry-After: 1 holds the route; the retry (of a write too) comes >= ~1 s later", async () => {
  const s = serve((req, n) => {
    if (n === 0) return json(429, { message: "rate limited" }, { "retry-after": "1" });
    return req.method === "POST" ? new Response(null, { status: 204 }) : json(200, TASK);
  });
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const send = sendTaskInput(c, "/api/v2", "me", "x", "hello");
    let settled = false;
    send.catch(() => {}).finally(() => settled = true); // awaited below; no unhandled rejection
    // Another request on the same route, other names, sent while the first waits: once the 429
    // came back and the route is held (an event, not a fixed sleep that a loaded machine outruns).
    const key = routeKey("POST", "/api/v2/tasks/me/x/send");
    await until(
      () => c.limiter.heldFor(key) > 0 || settled,
      "the 429 to hold its route",
      20_000,
      5,
    );
    assert.ok(c.limiter.heldFor(key) > 0, "a 429 with Retry-After holds its route");
    const other = c.request("POST", "/api/v2/tasks/bob/other/send", {
      body: { input: "b" },
      expect: [204],
    });
    await Promise.all([send, other]);
    assert.equal(s.seen.length, 3);
    const first = s.seen[0].at;
    for (const later of s.seen.slice(1)) {
      assert.ok(later.at - first >= 900, `a request came ${later.at - first} ms after the 429`);
    }
    assert.ok(
      s.seen.slice(1).some((r) => r.body === JSON.stringify({ input: "hello" })),
      "the write was retried",
    );
  } finally {
    await s.close();
  }
});

/**
 * A read whose first answer is `first`, then the task: how long the route was held once the first
 * answer came back, and the gap between the two requests' arrivals (the retry's wait).
 */
async function retriedAfter(first: Response, backoffMs: number) {
  const s = serve((_req, n) => n === 0 ? first : json(200, TASK));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN, backoffMs });
    const key = routeKey("GET", "/api/v2/tasks/me/x");
    const read = getTask(c, "/api/v2", "me", "x");
    let settled = false;
    read.catch(() => {}).finally(() => settled = true);
    await until(
      () => c.limiter.heldFor(key) > 0 || s.seen.length > 1 || settled,
      "the first answer to come back",
      20_000,
      5,
    );
    const held = c.limiter.heldFor(key);
    assert.equal((await within(read, "the retried read")).id, TASK.id);
    assert.equal(s.seen.length, 2);
    return { held, gap: s.seen[1].at - s.seen[0].at };
  } finally {
    await s.close();
  }
}

Deno.test("503 with Retry-After: 2 holds the route as a 429 does; the retry comes >= ~2 s later", async () => {
  // A 1 ms backoff: without the hold, the retry would go out at once.
  const { held, gap } = await retriedAfter(
    json(503, { message: "Service unavailable." }, { "retry-after": "2" }),
    1,
  );
  assert.ok(held > 1000, `the route is held for Coder's 2 s (${held} ms)`);
  assert.ok(gap >= 1900, `the retry came ${gap} ms after the 503`);
});

Deno.test("429 without Retry-After: the route is held for a backoff; not retried at once", async () => {
  // A 1 s base backoff: the first retry waits 0.5 to 1 s.
  const { held, gap } = await retriedAfter(json(429, { message: "Rate limit exceeded." }), 1000);
  assert.ok(held > 0, "the backoff holds the route (other calls wait too)");
  assert.ok(gap >= 450, `the retry came ${gap} ms after the 429`);
});

Deno.test("limiter: holds only ever lengthen: a shorter hold never shortens a longer one", async () => {
  const l = new RateLimiter();
  l.hold("GET /a", 20_000);
  l.hold("GET /a", 1_000);
  l.hold("GET /a", 0);
  assert.ok(l.heldFor("GET /a") > 15_000, `held for ${l.heldFor("GET /a")} ms`);
  await assert.rejects(
    l.acquire("GET /a", Date.now() + 5_000),
    (e) => e instanceof RateWaitTooLong && e.reason === "hold" && e.waitMs > 15_000,
  );
  // A longer hold does lengthen it.
  l.hold("GET /a", 40_000);
  assert.ok(l.heldFor("GET /a") > 35_000);
  assert.equal(l.heldFor("GET /b"), 0, "other routes are not held");
});

Deno.test("a Retry-After longer than the budget fails fast with kind budget and when to retry", async () => {
  const s = serve(() => json(429, { message: "slow down" }, { "retry-after": "3600" }));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const e = await withBudget(50_000, () => failure(getTask(c, "/api/v2", "me", "x")));
    assert.equal(e.kind, "budget");
    assert.equal(e.status, 429);
    assert.match(e.summary, /Coder is rate-limiting .* it asked to wait 60 min/);
    assert.match(e.summary, /retry in 2 min/, "a hold is capped (issue 17, finding 4)");
    assert.equal(s.seen.length, 1, "not retried");
    // The route stays held: the next request on it is not sent at all.
    const again = await withBudget(50_000, () => failure(getTask(c, "/api/v2", "bob", "y")));
    assert.equal(again.kind, "budget");
    assert.equal(s.seen.length, 1);
    // Outside any budget, an hour's wait does not fit either.
    const bare = await failure(getTask(c, "/api/v2", "me", "z"));
    assert.equal(bare.kind, "budget");
    assert.equal(s.seen.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("holds are capped: a day's or 1e308 s's Retry-After holds a route minutes at most", () => {
  const l = new RateLimiter();
  const near = (key: string, ms: number) => {
    const held = l.heldFor(key);
    assert.ok(held <= ms && held > ms - 1000, `${key} held ${held} ms, expected ~${ms}`);
  };
  assert.equal(MAX_HOLD_MS, 120_000);
  assert.equal(l.hold("day", 86_400_000), MAX_HOLD_MS, "the hold it set");
  near("day", MAX_HOLD_MS);
  l.hold("inf", Infinity);
  near("inf", MAX_HOLD_MS);
  l.hold("nan", NaN);
  assert.equal(l.heldFor("nan"), 0);
  // Below the cap, holds only ever lengthen.
  l.hold("up", 5000);
  l.hold("up", 1000);
  near("up", 5000);
  l.hold("up", 20_000);
  near("up", 20_000);
  l.hold("up", 86_400_000);
  near("up", MAX_HOLD_MS);
  // What caused the hold is kept, for the error of a request it stops.
  l.hold("why", 3_600_000, 503);
  const why = l.holdOf("why");
  assert.equal(why.status, 503);
  assert.equal(why.askedMs, 3_600_000);
});

Deno.test("a long Retry-After: 503 is unavailable, 429 rate-limiting, both held minutes at most", async (t) => {
  const cases = [
    { status: 503, header: "86400", words: /Coder is unavailable \(503\)/, asked: /24 h/ },
    { status: 429, header: "1e308", words: /Coder is rate-limiting/, asked: /more than a year/ },
  ];
  for (const c of cases) {
    await t.step(`${c.status} with Retry-After: ${c.header}`, async () => {
      const s = serve(() => json(c.status, { message: "later" }, { "retry-after": c.header }));
      try {
        const client = new CoderClient({ url: s.url, token: TOKEN });
        const e = await withBudget(5_000, () => failure(client.get("/api/v2/tasks", z.unknown())));
        assert.equal(e.kind, "budget", e.summary);
        assert.match(e.summary, c.words);
        assert.match(e.summary, c.asked, "what Coder asked for");
        assert.match(e.summary, /retry in 2 min/);
        assert.doesNotMatch(e.summary, /Infinity|NaN/);
        if (c.status === 503) assert.doesNotMatch(e.summary, /rate-limit/);
        assert.ok(e.retryAfterMs! <= MAX_HOLD_MS);
        // A later call is stopped by the hold, with the same words, and nothing sent.
        const again = await withBudget(
          5_000,
          () => failure(client.get("/api/v2/tasks", z.unknown())),
        );
        assert.equal(again.kind, "budget");
        assert.match(again.summary, c.words);
        assert.match(again.summary, /retry in 2 min/);
        assert.equal(s.seen.length, 1);
      } finally {
        await s.close();
      }
    });
  }
  // A maintenance page for a day, then Coder is back: with the hold capped (short here).
  const maintenance = async (maxHoldMs: number, run: (c: CoderClient) => Promise<void>) => {
    const s = serve((_req, n) =>
      n === 0 ? json(503, { message: "maintenance" }, { "retry-after": "86400" }) : json(200, {})
    );
    try {
      await run(new CoderClient({ url: s.url, token: TOKEN, maxHoldMs }));
      assert.equal(s.seen.length, 2, "Coder was asked again once");
    } finally {
      await s.close();
    }
  };
  await t.step(
    "once the capped hold has passed, Coder is asked again and believed",
    () =>
      maintenance(300, async (c) => {
        const key = routeKey("GET", "/api/v2/tasks");
        const e = await withBudget(100, () => failure(c.get("/api/v2/tasks", z.unknown())));
        assert.equal(e.kind, "budget");
        assert.ok(c.limiter.heldFor(key) <= 300);
        const until = Date.now() + 5_000;
        while (c.limiter.heldFor(key) > 0 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.deepEqual(await c.get("/api/v2/tasks", z.unknown()), {});
      }),
  );
  await t.step(
    "a capped hold that fits the call: it waits, asks again, succeeds",
    () =>
      maintenance(200, async (c) => {
        const r = await withBudget(5_000, () => c.get("/api/v2/tasks", z.unknown()));
        assert.deepEqual(r, {});
      }),
  );
});

Deno.test("fair share: one call takes at most half of what is left of a route's minute", async (t) => {
  const key = "GET /api/v2/tasks/*/*";
  /** Take slots in the current call until the limiter says no; returns how many and why. */
  const greedy = async (l: RateLimiter, most = 1000) => {
    let n = 0;
    for (; n < most; n++) {
      try {
        (await l.acquire(key, Date.now() + 200))();
      } catch (e) {
        assert.ok(e instanceof RateWaitTooLong, String(e));
        return { n, why: e.reason };
      }
    }
    return { n, why: undefined };
  };
  await t.step(
    "a greedy call leaves half; the next one half of that; a small one still fits",
    async () => {
      const l = new RateLimiter({ ratePerMinute: 40 });
      assert.deepEqual(await withBudget(10_000, () => greedy(l)), { n: 20, why: "share" });
      assert.deepEqual(await withBudget(10_000, () => greedy(l)), { n: 10, why: "share" });
      assert.deepEqual(await withBudget(10_000, () => greedy(l, 3)), { n: 3, why: undefined });
      // Another route is not touched by any of it.
      const other = await withBudget(10_000, async () => {
        (await l.acquire("GET /api/v2/chats", Date.now() + 200))();
        return "sent";
      });
      assert.equal(other, "sent");
    },
  );
  await t.step(
    `a small route: every call may send ${CALL_FLOOR} while the route has room`,
    async () => {
      const l = new RateLimiter({ ratePerMinute: 10 });
      assert.deepEqual(await withBudget(10_000, () => greedy(l)), { n: CALL_FLOOR, why: "share" });
      assert.deepEqual(await withBudget(10_000, () => greedy(l)), { n: 2, why: "rate" });
    },
  );
  await t.step(
    "outside any call (the server's own work), only the route's rate applies",
    async () => {
      const l = new RateLimiter({ ratePerMinute: 30 });
      assert.deepEqual(await greedy(l), { n: 30, why: "rate" });
    },
  );
  await t.step("through the client: the refusal names the call's share", async () => {
    const s = serve(() => json(200, TASK));
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN, ratePerMinute: 24 });
      const e = await withBudget(5_000, async () => {
        for (let i = 0;; i++) {
          const r = await getTask(c, "/api/v2", "me", `t${i}`).then(() => undefined, (e) => e);
          if (r) return r as CoderError;
        }
      });
      assert.equal(e.kind, "budget");
      assert.match(
        e.summary,
        /nothing was sent: this call used its share of this route .* retry in \d+ s/,
      );
      assert.equal(s.seen.length, 12);
      await withBudget(5_000, () => getTask(c, "/api/v2", "bob", "other-call"));
      assert.equal(s.seen.length, 13);
    } finally {
      await s.close();
    }
  });
});

Deno.test("budget: a hung Coder and a stalled body fail within the budget, as timeouts", async (t) => {
  const gate = Promise.withResolvers<void>();
  const s = serve(async (req) => {
    if (new URL(req.url).pathname.endsWith("/stall")) {
      const enc = new TextEncoder();
      return new Response(
        new ReadableStream({
          async start(ctl) {
            ctl.enqueue(enc.encode('{"id":'));
            await gate.promise;
            ctl.close();
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    }
    await gate.promise;
    return json(200, {});
  });
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN }); // 15 s timeout by default
    // Both at once, each with half a second of budget.
    const hung = withBudget(500, () => failure(c.get("/api/v2/hang", z.unknown())));
    const stalled = withBudget(500, () => failure(c.get("/api/v2/stall", z.unknown())));
    await t.step("no headers", async () => {
      const e = await hung;
      assert.equal(e.kind, "timeout");
      assert.match(e.summary, /no answer within .*the time left in this call/);
      assert.doesNotMatch(e.summary, /cancel/);
    });
    await t.step("headers, then the body stalls", async () => {
      const e = await stalled;
      assert.equal(e.kind, "timeout");
      assert.match(e.summary, /stalled/);
    });
    assert.equal(s.seen.length, 2, "no retry started without budget left for it");
  } finally {
    gate.resolve();
    await s.close();
  }
});

Deno.test("budget: a call with no time left sends nothing", async () => {
  const s = serve(() => json(200, {}));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    const e = await withBudget(0, () => failure(c.get("/api/v2/x", z.unknown())));
    assert.equal(e.kind, "budget");
    assert.equal(s.seen.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("limiter: the per-route window and the in-flight bound", async (t) => {
  await t.step("a full window is not waited out past the deadline", async () => {
    const l = new RateLimiter({ ratePerMinute: 3 });
    for (let i = 0; i < 3; i++) (await l.acquire("GET /a", Date.now() + 1000))();
    await assert.rejects(
      l.acquire("GET /a", Date.now() + 1000),
      (e) => e instanceof RateWaitTooLong && e.reason === "rate" && e.waitMs > 50_000,
    );
    (await l.acquire("GET /b", Date.now() + 1000))(); // another route has its own window
  });
  await t.step("at most maxInFlight requests are in flight", async () => {
    let now = 0;
    let peak = 0;
    const s = serve(async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 20));
      now--;
      return json(200, {});
    });
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN, maxInFlight: 3 });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => c.get(`/api/v2/tasks/u/t${i}`, z.unknown())),
      );
      assert.equal(s.seen.length, 20);
      assert.ok(peak <= 3, `peak ${peak}`);
      assert.ok(peak >= 2, "requests did run concurrently");
    } finally {
      await s.close();
    }
  });
  await t.step("a client over its per-route rate fails fast, nothing sent", async () => {
    const s = serve(() => json(200, TASK));
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN, ratePerMinute: 2 });
      await withBudget(5000, async () => {
        await getTask(c, "/api/v2", "me", "a");
        await getTask(c, "/api/v2", "bob", "b");
        const e = await failure(getTask(c, "/api/v2", "carol", "c"));
        assert.equal(e.kind, "budget");
        assert.match(e.summary, /nothing was sent: .* under 2 requests a minute .* retry in/);
        // Another route is not held back.
        await c.get("/api/v2/tasks", z.unknown());
      });
      assert.equal(s.seen.length, 3);
    } finally {
      await s.close();
    }
  });
  await t.step("clients of one Coder share one limiter", () => {
    const a = new CoderClient({ url: "http://127.0.0.1:1", token: "a" });
    const b = new CoderClient({ url: "http://127.0.0.1:1/", token: "b" });
    assert.equal(a.limiter, b.limiter);
  });
});

/** Run `fn` with `Date.now` frozen at a time the test moves by hand; restored after. */
async function withClock<T>(fn: (advance: (ms: number) => void) => T | Promise<T>): Promise<T> {
  const real = Date.now;
  let now = real();
  Date.now = () => now;
  try {
    return await fn((ms) => now += ms);
  } finally {
    Date.now = real;
  }
}

Deno.test("limiter: the window slides: a send counts for 60 s, and not a millisecond more", async () => {
  await withClock(async (advance) => {
    const l = new RateLimiter({ ratePerMinute: 3 });
    // No wait fits before a deadline of now: what is not refused is taken at once.
    const take = async () => (await within(l.acquire("GET /a", Date.now()), "a slot"))();
    const refused = (wait: number) =>
      assert.rejects(
        within(l.acquire("GET /a", Date.now()), "a refusal"),
        (e) => e instanceof RateWaitTooLong && e.reason === "rate" && e.waitMs === wait,
      );
    await take();
    advance(1000);
    await take();
    advance(1000);
    await take();
    await refused(58_000); // until the first send is a minute old
    advance(57_999);
    await refused(1);
    advance(1); // the first send is exactly 60 s old: out of the window
    await take();
    await refused(1000); // the second one is still in it
    advance(1000);
    await take();
  });
});

Deno.test("limiter: a call's share comes back as its own sends slide out of the window", async () => {
  await withClock(async (advance) => {
    const l = new RateLimiter({ ratePerMinute: 40 });
    const greedy = async () => {
      let n = 0;
      for (; n < 100; n++) {
        try {
          (await within(l.acquire("GET /a", Date.now()), "a slot"))();
        } catch (e) {
          assert.ok(e instanceof RateWaitTooLong && e.reason === "share", String(e));
          return n;
        }
      }
      return n;
    };
    // One long call: half the minute, then, a minute later, half of it again (its first sends
    // no longer count against it), not a quarter.
    await withBudget(600_000, async () => {
      assert.equal(await greedy(), 20);
      advance(60_000);
      assert.equal(await greedy(), 20);
    });
  });
});

Deno.test("sleep: an aborted signal wakes it at once, with the signal's reason", async () => {
  const reason = new Error("stop");
  await assert.rejects(
    within(sleep(60_000, AbortSignal.abort(reason)), "an already aborted sleep", 5_000),
    (e) => e === reason,
  );
  const ctl = new AbortController();
  const slept = within(sleep(60_000, ctl.signal), "an aborted sleep", 5_000);
  ctl.abort(reason);
  await assert.rejects(slept, (e) => e === reason);
  // Not aborted: it sleeps, then resolves (and leaves no timer behind, or the test would leak).
  await within(sleep(1, new AbortController().signal), "a short sleep");
});

Deno.test("limiter: in-flight slots: a waiter that gives up leaves the queue; a release counts once", async () => {
  const l = new RateLimiter({ maxInFlight: 1 });
  const far = () => Date.now() + 10_000;
  const first = await l.acquire("GET /a", far());
  assert.equal(l.inFlight, 1);
  // A second request waits for the slot, then its caller cancels.
  const ctl = new AbortController();
  const reason = new Error("cancelled by the client");
  const waiting = l.acquire("GET /a", far(), ctl.signal);
  ctl.abort(reason);
  await assert.rejects(within(waiting, "the cancelled waiter"), (e) => e === reason);
  assert.equal(l.inFlight, 1, "the cancelled waiter took no slot");
  // Released twice by mistake: still one slot given back, not two.
  first();
  first();
  assert.equal(l.inFlight, 0);
  // The slot goes to the next request, not to the waiter that left.
  const next = await within(l.acquire("GET /b", far()), "the next request's slot");
  assert.equal(l.inFlight, 1);
  const third = l.acquire("GET /c", far());
  next();
  (await within(third, "the queued request's slot"))();
  assert.equal(l.inFlight, 0);
});

Deno.test("a request that finds every in-flight slot taken past its budget is refused, nothing sent", async () => {
  const gate = Promise.withResolvers<void>();
  const sent: string[] = [];
  const hanging = ((input: string | URL | Request) => {
    sent.push(String(input));
    return gate.promise.then(() => json(200, TASK));
  }) as typeof fetch;
  const c = new CoderClient({
    url: "http://slots-refusal.test",
    token: TOKEN,
    maxInFlight: 1,
    fetch: hanging,
  });
  const first = c.get("/api/v2/tasks/me/a", z.unknown());
  try {
    await until(() => sent.length === 1, "the first request");
    const e = await withBudget(1_000, () => failure(c.get("/api/v2/users/me", z.unknown())));
    assert.equal(e.kind, "budget");
    assert.equal(e.status, 0);
    assert.match(
      e.summary,
      /nothing was sent: too many requests to Coder in flight; retry shortly/,
    );
    assert.equal(sent.length, 1, "the refused request was not sent");
  } finally {
    gate.resolve();
    await within(first, "the first request's answer");
  }
});

Deno.test("limiter: its settings: the defaults, whole numbers, at least one request and one slot", () => {
  const d = new RateLimiter();
  assert.deepEqual([d.ratePerMinute, d.maxInFlight, d.maxHoldMs], [450, 16, MAX_HOLD_MS]);
  const given = new RateLimiter({ ratePerMinute: 5.9, maxInFlight: 2.5, maxHoldMs: 1500 });
  assert.deepEqual([given.ratePerMinute, given.maxInFlight, given.maxHoldMs], [5, 2, 1500]);
  // A rate or a bound of 0 would never send anything: at least one of each.
  const least = new RateLimiter({ ratePerMinute: 0, maxInFlight: 0, maxHoldMs: -1 });
  assert.deepEqual([least.ratePerMinute, least.maxInFlight, least.maxHoldMs], [1, 1, 0]);
  const one = new RateLimiter({ ratePerMinute: 1, maxInFlight: 1 });
  assert.deepEqual([one.ratePerMinute, one.maxInFlight], [1, 1]);
  // A hold of 0 ms, or a negative one, holds nothing; a cap of 0 holds nothing either.
  assert.equal(d.hold("k", 0), 0);
  assert.equal(d.hold("k", -5000), 0);
  assert.equal(d.heldFor("k"), 0);
  assert.equal(least.hold("k", 60_000), 0);
  assert.equal(least.heldFor("k"), 0);
});

Deno.test("limiter: one per Coder origin and settings: other settings or another origin, another limiter", () => {
  const url = "http://127.0.0.1:2";
  const of = (o: Partial<ConstructorParameters<typeof CoderClient>[0]>) =>
    new CoderClient({ url, token: "t", ...o }).limiter;
  const base = of({});
  assert.equal(of({ ratePerMinute: 450, maxInFlight: 16, maxHoldMs: MAX_HOLD_MS }), base);
  for (const other of [{ ratePerMinute: 449 }, { maxInFlight: 15 }, { maxHoldMs: 1000 }]) {
    const l = of(other);
    assert.notEqual(l, base, JSON.stringify(other));
    assert.equal(of(other), l, "and shared by every client with those settings");
  }
  assert.notEqual(of({ url: "http://127.0.0.1:3" }), base);
});

Deno.test("limiter: with no deadline, a request waits for its in-flight slot as long as it takes", async () => {
  const l = new RateLimiter({ maxInFlight: 1 });
  const first = await l.acquire("GET /a", Infinity);
  let second: (() => void) | undefined;
  const waiting = l.acquire("GET /a", Infinity).then((r) => second = r);
  await pause(50);
  assert.equal(second, undefined, "still waiting: no deadline to refuse it at");
  first();
  await within(waiting, "the slot, once given back");
  assert.equal(l.inFlight, 1);
  second!();
});

Deno.test("budget: the time left in a call; a nested budget only shortens it, and shares its sends", async () => {
  assert.equal(remainingMs(), Infinity, "outside any call");
  assert.equal(callSends(), undefined);
  await withClock((advance) => {
    withBudget(1_000, () => {
      assert.equal(remainingMs(), 1_000);
      const sends = callSends();
      assert.ok(sends);
      advance(400);
      assert.equal(remainingMs(), 600);
      withBudget(5_000, () => {
        assert.equal(remainingMs(), 600, "a longer inner budget does not lengthen the call's");
        assert.equal(callSends(), sends, "one call, one record of sends");
      });
      withBudget(100, () => assert.equal(remainingMs(), 100));
      advance(1_000);
      assert.equal(remainingMs(), 0, "past the deadline: none left, never less");
    });
  });
  assert.notEqual(withBudget(10, callSends), withBudget(10, callSends), "two calls, two records");
});

Deno.test("limiter: a hold no longer than the one in place keeps the answer that set it", async () => {
  await withClock((advance) => {
    const l = new RateLimiter();
    l.hold("k", 5_000, 429);
    l.hold("k", 5_000, 503); // the same end: not longer
    assert.deepEqual(l.holdOf("k"), { ms: 5_000, status: 429, askedMs: 5_000 });
    advance(1_000);
    l.hold("k", 4_001, 503); // one millisecond longer: it replaces it
    assert.deepEqual(l.holdOf("k"), { ms: 4_001, status: 503, askedMs: 4_001 });
  });
});

Deno.test("limiter: after waiting for its share, a request looks again (a hold set meanwhile stops it)", async () => {
  await withClock((advance) =>
    withBudget(600_000, async () => {
      const l = new RateLimiter({ ratePerMinute: 40 });
      for (let i = 0; i < 20; i++) (await l.acquire("GET /a", Date.now()))(); // the call's share
      advance(59_950); // its sends leave the window in 50 ms: a wait that fits
      const waiting = l.acquire("GET /a", Date.now() + 1_000);
      l.hold("GET /a", 10_000, 429); // meanwhile, Coder asks for a pause
      advance(50);
      await assert.rejects(
        within(waiting, "the request after its share wait"),
        (e) => e instanceof RateWaitTooLong && e.reason === "hold",
      );
    })
  );
});

Deno.test("a request stopped by a hold says what Coder asked only where the cap cut it", async () => {
  const f = ((input: string | URL | Request) =>
    Promise.resolve(
      String(input).endsWith("/chats")
        ? json(503, { message: "maintenance" }, { "retry-after": "86400" })
        : json(429, { message: "slow down" }, { "retry-after": "30" }),
    )) as typeof fetch;
  const c = new CoderClient({ url: "http://hold-words.test", token: TOKEN, retries: 0, fetch: f });
  await failure(c.get("/api/v2/tasks", z.unknown()));
  await failure(c.get("/api/v2/chats", z.unknown()));
  const short = await withBudget(5_000, () => failure(c.get("/api/v2/tasks", z.unknown())));
  assert.equal(short.kind, "budget");
  assert.equal(
    short.summary,
    "Coder is rate-limiting GET /api/v2/tasks: it asks to wait 30 s, longer than this call has " +
      "left: retry in 30 s",
  );
  const long = await withBudget(5_000, () => failure(c.get("/api/v2/chats", z.unknown())));
  assert.equal(
    long.summary,
    "Coder is unavailable (503) for GET /api/v2/chats: it asked to wait 24 h; this server asks " +
      "again in 2 min, longer than this call has left: retry in 2 min",
  );
});

Deno.test("limiter: a slot wait granted or timed out, and a sleep that ended or was cancelled, leave no timer or abort listener behind", async () => {
  const l = new RateLimiter({ maxInFlight: 1 });
  // Granted: the first request's release hands the slot to the waiter.
  const granted = new AbortController();
  assert.deepEqual(
    await leftBehind(granted.signal, async () => {
      const first = await l.acquire("GET /a", Date.now() + 60_000);
      const waiting = l.acquire("GET /a", Date.now() + 60_000, granted.signal);
      first();
      (await within(waiting, "the granted slot"))();
    }),
    { timers: 0, listeners: 0 },
    "a granted slot waiter clears its deadline timer and its abort listener",
  );
  // Timed out: its budget ends before any slot is free.
  const timedOut = new AbortController();
  assert.deepEqual(
    await leftBehind(timedOut.signal, async () => {
      const first = await l.acquire("GET /a", Date.now() + 60_000);
      await assert.rejects(
        within(l.acquire("GET /a", Date.now() + 30, timedOut.signal), "the refusal"),
        RateWaitTooLong,
      );
      first();
    }),
    { timers: 0, listeners: 0 },
    "a slot waiter out of time removes its abort listener",
  );
  // A sleep that ran to its end, and one cancelled (its timer cleared).
  const slept = new AbortController();
  assert.deepEqual(
    await leftBehind(slept.signal, () => within(sleep(5, slept.signal), "a short sleep")),
    { timers: 0, listeners: 0 },
    "a sleep that ended removes its abort listener",
  );
  const cancelled = new AbortController();
  const left = await leftBehind(cancelled.signal, async () => {
    const s = sleep(60_000, cancelled.signal);
    cancelled.abort(new Error("cancelled"));
    await assert.rejects(within(s, "the cancelled sleep"));
  });
  assert.equal(left.timers, 0, "a cancelled sleep clears its timer");
});
