/**
 * Fault injection, end to end: the server spawned as users run it, driven by the official MCP
 * client, against a simulated Coder that misbehaves (issue 6, DESIGN "Trust"). One step per
 * fault; every step asserts the tool's result, that the token never shows, and that the server
 * still answers a normal call afterwards. The faults that make the server wait (backoff,
 * `Retry-After`) run at once, one lane per Coder route; each is still judged in its own step.
 * Hangs and stalls, which take a call's whole budget, are in budget_e2e_test.ts (a server with
 * a short one).
 */
import assert from "node:assert/strict";
import type { Sim } from "../../src/sim/server.ts";
import { assertCleanError, type Harness, startHarness } from "./harness.ts";

const TOKEN = `SECRET-TOKEN-${crypto.randomUUID()}`;
// deno-lint-ignore no-explicit-any
type Row = any;

/** A normal call succeeds once the faults are gone; no output ever carried the token. */
async function stillAnswers(h: Harness): Promise<void> {
  h.sim.clearFaults();
  const r = await h.call("list_agents", { limit: 5 });
  assert.ok(!r.isError, `a normal call after the fault failed: ${r.text}`);
  assertNoToken(h);
}

function assertNoToken(h: Harness): void {
  for (const o of h.outputs) assert.ok(!o.includes(TOKEN), `token in a result: ${o}`);
  assert.ok(!h.stderr().includes(TOKEN), "token on stderr");
}

/** The decoy origin received nothing at all, so certainly not the token. */
function assertDecoyUntouched(sim: Sim): void {
  const leaked = sim.decoy.requests.filter((r) =>
    JSON.stringify(r).includes(TOKEN) || r.headers["coder-session-token"] !== undefined
  );
  assert.equal(leaked.length, 0, `the other origin saw the token ${leaked.length} time(s)`);
  assert.equal(
    sim.decoy.requests.length,
    0,
    `the redirect was followed: ${sim.decoy.requests.map((r) => r.method + " " + r.path)}`,
  );
}

/** One agent's row of a batch result. */
function only(r: { data: Row; text: string }): Row {
  assert.ok(r.data?.results?.length === 1, `one result expected: ${r.text}`);
  return r.data.results[0];
}

/** A write that did not (knowingly) happen must not be reported as done. */
function assertNotDone(row: Row, text: string): void {
  assert.ok(
    row.outcome === "failed" || row.outcome === "uncertain",
    `outcome ${row.outcome}, expected failed or uncertain: ${text}`,
  );
}

/** A proxy's page answering a write is not Coder's answer: `failed` (issue 17, finding 6). */
function assertFailedPage(row: Row, text: string): void {
  assert.equal(row.outcome, "failed", text);
  assert.match(row.detail, /HTML|text\/html/, text);
}

/** A write Coder took (2xx) without its documented answer: `uncertain`, check with get_agent. */
function assertTaken(row: Row, text: string): void {
  assert.equal(row.outcome, "uncertain", text);
  assert.match(row.detail, /Coder took the request/, text);
  assert.match(row.detail, /get_agent/, text);
}

function idleTask(sim: Sim, i: number): { id: string; owner: string } {
  const id = sim.taskIds()[i];
  sim.setTask(id, { status: "active", state: "idle" });
  return { id, owner: (sim.task(id) as { owner_name: string }).owner_name };
}

function waitingChat(sim: Sim, i: number): string {
  const id = sim.chatIds("own")[i]; // only the owner may write to a chat
  sim.setChat(id, { status: "waiting" });
  return id;
}

/**
 * One fault step: starts clean, always clears its faults (a failed step must not poison the
 * next), and ends by checking that the server still answers a normal call.
 */
function faultStep(t: Deno.TestContext, h: Harness, name: string, fn: () => Promise<void>) {
  return t.step(name, async () => {
    h.sim.clearFaults();
    h.sim.decoy.clear();
    try {
      await fn();
    } finally {
      h.sim.clearFaults();
    }
    await stillAnswers(h);
  });
}

/** Requests to `method path` logged since index `from` of the sim's request log. */
function requestsSince(sim: Sim, from: number, method: string, path: string) {
  return sim.requests.slice(from).filter((q) => q.method === method && q.path === path);
}

/**
 * Fault cases that wait (backoff, `Retry-After`) and run at the same time against one server: one
 * lane per Coder route, the cases of a lane one after another, so that a case sees only its own
 * route's requests. Each case removes its own fault; its failure is kept for its step to report.
 */
async function runLanes(
  lanes: { name: string; run: () => Promise<void> }[][],
): Promise<Map<string, Error | undefined>> {
  const outcome = new Map<string, Error | undefined>();
  await Promise.all(lanes.map(async (lane) => {
    for (const c of lane) {
      try {
        await c.run();
        outcome.set(c.name, undefined);
      } catch (e) {
        outcome.set(c.name, e instanceof Error ? e : new Error(String(e)));
      }
    }
  }));
  return outcome;
}

Deno.test("e2e faults: a misbehaving Coder, one fault per step", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 30, chats: 40, token: TOKEN, pace: 1, tcpFaults: true },
    // A 1 MiB cap (the lists here are a few KiB), so that an oversized answer is 2 MiB, not 70.
    env: { CODER_FLEET_MAX_RESPONSE_MB: "1" },
  });
  const sim = h.sim;
  const step = (name: string, fn: () => Promise<void>) => faultStep(t, h, name, fn);
  const TASKS = "/api/v2/tasks";
  const CHATS = "/api/v2/chats";
  try {
    // Until a detection succeeds, every call detects the deployment again: one route per call,
    // and no call in between that would succeed.
    for (const route of ["/api/v2/buildinfo", "/api/v2/users/me"]) {
      await t.step(`a redirect during detection (${route}) is not followed`, async () => {
        sim.clearFaults();
        sim.decoy.clear();
        sim.fault(route, { kind: "redirect", status: 302 });
        try {
          const text = assertCleanError(await h.call("fleet_overview"));
          assert.ok(
            sim.requests.some((q) => q.path === route && q.status === 302),
            `${route} was asked`,
          );
          assert.match(text, /CODER_URL/);
          assertDecoyUntouched(sim);
          assertNoToken(h);
        } finally {
          sim.clearFaults();
        }
      });
    }
    const warm = await h.call("fleet_overview");
    assert.ok(!warm.isError, warm.text);

    // The waiting cases at once, one lane per route: the template, task and chat lists.
    const TEMPLATES = "/api/v2/templates";
    const readOf = (path: string) =>
      path === TEMPLATES
        ? h.call("list_templates")
        : h.call("list_agents", { kind: path === TASKS ? "task" : "chat" });
    const burst = (path: string, status: number) => ({
      name: `${status} burst on a read is retried through`,
      run: async () => {
        const drop = sim.fault(path, { status, times: 2, method: "GET" });
        const from = sim.requests.length;
        try {
          const r = await readOf(path);
          assert.ok(!r.isError, r.text);
          const seen = requestsSince(sim, from, "GET", path).map((q) => q.status);
          assert.deepEqual(seen.slice(0, 3), [status, status, 200]);
        } finally {
          drop();
        }
      },
    });
    const idForWrite = idleTask(sim, 1).id;
    // send_input reads the task list too: the task send waits behind the task list's case.
    const waited = await runLanes([
      [burst(TEMPLATES, 500), burst(TEMPLATES, 502), burst(TEMPLATES, 503)],
      [{
        name: "429 with a short Retry-After: the retry comes after it passed",
        run: async () => {
          const drop = sim.fault(TASKS, { status: 429, retryAfter: 1, times: 1, method: "GET" });
          const from = sim.requests.length;
          try {
            const r = await h.call("list_agents", { kind: "task" });
            assert.ok(!r.isError, r.text);
            const seen = requestsSince(sim, from, "GET", TASKS);
            assert.equal(seen[0].status, 429);
            assert.ok(seen.length >= 2, "retried");
            const gap = seen[1].at - seen[0].at;
            assert.ok(gap >= 1000, `retried ${gap} ms after a Retry-After of 1 s`);
          } finally {
            drop();
          }
        },
      }, {
        name: "429 on a write: waits and retries within the budget",
        run: async () => {
          const route = new RegExp(`/${idForWrite}/send$`);
          const drop = sim.fault(route, { status: 429, retryAfter: 1, times: 1, method: "POST" });
          const from = sim.requests.length;
          try {
            const r = await h.call("send_input", {
              agents: [idForWrite],
              input: "after 429",
              if_busy: "fail",
            });
            assert.equal(only(r).outcome, "sent", r.text);
            const sends = sim.requests.slice(from).filter((q) =>
              q.method === "POST" && route.test(q.path)
            );
            assert.equal(sends.length, 2);
            assert.ok(sends[1].at - sends[0].at >= 1000, "the retry waited for Retry-After");
          } finally {
            drop();
          }
        },
      }],
      [{
        name: "connection reset on a read, twice: retried through",
        run: async () => {
          const drop = sim.fault(CHATS, { kind: "reset", times: 2, method: "GET" });
          try {
            const r = await h.call("list_agents", { kind: "chat" });
            assert.ok(!r.isError, r.text);
          } finally {
            drop();
          }
        },
      }, {
        name: "a 503 that lasts: a clean error with a next step",
        run: async () => {
          const drop = sim.fault(CHATS, { status: 503, method: "GET" });
          try {
            const text = assertCleanError(await h.call("list_agents", { kind: "chat" }));
            assert.match(text, /503/);
          } finally {
            drop();
          }
        },
      }, {
        name: "connection reset on every read: a clean error",
        run: async () => {
          const drop = sim.fault(CHATS, { kind: "reset", method: "GET" });
          try {
            assertCleanError(await readOf(CHATS));
          } finally {
            drop();
          }
        },
      }],
    ]);
    for (const [name, err] of waited) {
      await t.step(name, () => {
        if (err) throw err;
      });
    }
    await t.step("the server still answers after the waiting faults", () => stillAnswers(h));

    await step("connection refused: a clean error naming the problem", async () => {
      await sim.refuse();
      try {
        const text = assertCleanError(await h.call("list_agents", { kind: "task" }));
        assert.match(text, /reach|connect|refused/i);
        assert.match(text, /CODER_URL/);
      } finally {
        sim.restore();
      }
    });

    await step("a 502 burst on a write: not reported sent, with a next step", async () => {
      const { id } = idleTask(sim, 0);
      sim.fault(new RegExp(`/${id}/send$`), { status: 502, method: "POST" });
      const r = await h.call("send_input", { agents: [id], input: "hello", if_busy: "fail" });
      const row = only(r);
      assertNotDone(row, r.text);
      assert.match(row.detail, /Next:/, `no next step: ${row.detail}`);
    });

    await step("connection reset after a write was sent: uncertain, check it", async () => {
      const { id } = idleTask(sim, 2);
      sim.fault(new RegExp(`/${id}/send$`), { kind: "reset", method: "POST" });
      const r = await h.call("send_input", { agents: [id], input: "lost answer", if_busy: "fail" });
      const row = only(r);
      assert.equal(row.outcome, "uncertain", r.text);
      assert.match(row.detail, /get_agent/);
      const task = sim.task(id) as { current_state: { state: string } };
      assert.equal(task.current_state.state, "working", "the sim did act on it");
    });

    await step("malformed JSON on a read: a clean error", async () => {
      sim.fault(TASKS, { kind: "malformed", method: "GET" });
      assertCleanError(await h.call("list_agents", { kind: "task" }));
    });

    await step("JSON of the wrong shape on a read: a clean error", async () => {
      sim.fault(CHATS, { kind: "wrong_shape", method: "GET" });
      assertCleanError(await h.call("list_agents", { kind: "chat" }));
    });

    await step("malformed JSON answering a chat message: not reported sent", async () => {
      const id = waitingChat(sim, 0);
      sim.fault(new RegExp(`/chats/${id}/messages$`), { kind: "malformed", method: "POST" });
      const r = await h.call("send_input", { agents: [id], input: "hi", if_busy: "queue" });
      assertNotDone(only(r), r.text);
    });

    // Writes Coder carried out, answered off the record: uncertain, never failed (finding 6).
    await step("204 to a task delete documented as 202: uncertain", async () => {
      const { id } = idleTask(sim, 14);
      sim.fault(new RegExp(`/tasks/[^/]+/${id}$`), {
        status: 204,
        act: true,
        method: "DELETE",
      });
      const r = await h.call("delete_agents", { agents: [id] });
      assertTaken(only(r), r.text);
      assert.ok(!sim.taskIds().includes(id), "Coder did delete it");
    });

    await step("200 {} to a task pause documented as 202: uncertain", async () => {
      const id = sim.taskIds()[15];
      sim.setTask(id, { status: "active", state: "working" });
      sim.fault(new RegExp(`/${id}/pause$`), { kind: "wrong_shape", body: {}, act: true });
      const r = await h.call("stop_agents", { agents: [id] });
      assertTaken(only(r), r.text);
    });

    await step("JSON cut in half answering a task send Coder took: uncertain", async () => {
      const { id } = idleTask(sim, 16);
      sim.fault(new RegExp(`/${id}/send$`), { kind: "malformed", act: true, method: "POST" });
      const r = await h.call("send_input", { agents: [id], input: "cut", if_busy: "fail" });
      assertTaken(only(r), r.text);
    });

    await step("an answer over the cap to a chat message Coder took: uncertain", async () => {
      const id = waitingChat(sim, 5);
      sim.fault(new RegExp(`/chats/${id}/messages$`), {
        kind: "oversized",
        bytes: 2 * 1024 * 1024,
        act: true,
        method: "POST",
      });
      const r = await h.call("send_input", { agents: [id], input: "big", if_busy: "queue" });
      assertTaken(only(r), r.text);
      assert.match(only(r).detail, /larger than the 1 MiB cap/);
    });

    await step(
      "an oversized answer (2 MiB over a 1 MiB cap): a clean error about its size",
      async () => {
        const item = sim.task(sim.taskIds()[3]);
        sim.fault(TASKS, { kind: "oversized", bytes: 2 * 1024 * 1024, body: item, method: "GET" });
        const text = assertCleanError(await h.call("list_agents", { kind: "task" }));
        assert.match(text, /too large|size|MiB|MB|bytes/i);
      },
    );

    await step("200 with an HTML login page on a read: a clean error", async () => {
      sim.fault(TASKS, { kind: "html", method: "GET" });
      assertCleanError(await h.call("list_agents", { kind: "task" }));
    });

    await step("200 HTML answering a task send: not reported sent", async () => {
      const { id } = idleTask(sim, 4);
      sim.fault(new RegExp(`/${id}/send$`), { kind: "html", method: "POST" });
      const r = await h.call("send_input", { agents: [id], input: "to a proxy", if_busy: "fail" });
      assertFailedPage(only(r), r.text);
    });

    await step("200 HTML answering a task delete: not reported deleted", async () => {
      const { id } = idleTask(sim, 5);
      sim.fault(new RegExp(`/tasks/[^/]+/${id}$`), { kind: "html", method: "DELETE" });
      const r = await h.call("delete_agents", { agents: [id] });
      assertFailedPage(only(r), r.text);
      assert.ok(sim.task(id), "the task still exists");
    });

    await step("200 HTML answering a chat message: not reported sent", async () => {
      const id = waitingChat(sim, 1);
      sim.fault(new RegExp(`/chats/${id}/messages$`), { kind: "html", method: "POST" });
      const r = await h.call("send_input", { agents: [id], input: "hi", if_busy: "queue" });
      assertFailedPage(only(r), r.text);
    });

    await step("200 HTML answering a chat archive: not reported archived", async () => {
      const id = waitingChat(sim, 2);
      sim.fault(new RegExp(`/chats/${id}$`), { kind: "html", method: "PATCH" });
      const r = await h.call("delete_agents", { agents: [id] });
      assertFailedPage(only(r), r.text);
    });

    for (const status of [301, 302, 307]) {
      await step(`${status} to another origin on a read: not followed, says why`, async () => {
        sim.decoy.clear();
        sim.fault(TASKS, { kind: "redirect", status, method: "GET" });
        const text = assertCleanError(await h.call("list_agents", { kind: "task" }));
        assertDecoyUntouched(sim);
        assert.ok(text.includes(new URL(sim.decoy.url).host), `names the origin: ${text}`);
        assert.match(text, /CODER_URL/);
      });
      await step(
        `${status} to another origin on a task send: not followed, not sent`,
        async () => {
          sim.decoy.clear();
          const { id } = idleTask(sim, 6);
          sim.fault(new RegExp(`/${id}/send$`), { kind: "redirect", status, method: "POST" });
          const r = await h.call("send_input", { agents: [id], input: "moved", if_busy: "fail" });
          assertNotDone(only(r), r.text);
          assertDecoyUntouched(sim);
        },
      );
      await step(
        `${status} to another origin on a chat send: not followed, not sent`,
        async () => {
          sim.decoy.clear();
          const id = waitingChat(sim, 3);
          sim.fault(new RegExp(`/chats/${id}/messages$`), { kind: "redirect", status });
          const r = await h.call("send_input", { agents: [id], input: "moved", if_busy: "queue" });
          assertNotDone(only(r), r.text);
          assertDecoyUntouched(sim);
        },
      );
    }

    await step("307 to another origin on a task delete: not followed", async () => {
      sim.decoy.clear();
      const { id } = idleTask(sim, 7);
      sim.fault(new RegExp(`/tasks/[^/]+/${id}$`), { kind: "redirect", method: "DELETE" });
      const r = await h.call("delete_agents", { agents: [id] });
      assertNotDone(only(r), r.text);
      assertDecoyUntouched(sim);
      assert.ok(sim.task(id), "the task still exists");
    });

    await step(
      "401 in the middle of a batch: the rest fail, the token stays hidden",
      async () => {
        const ids = [8, 9, 10, 11, 12, 13].map((i) => idleTask(sim, i).id);
        // Revoked after two sends; the error body echoes the token, as a proxy echoing headers.
        sim.fault(/\/send$/, { kind: "revoke", after: 2, method: "POST" });
        const r = await h.call("send_input", { agents: ids, input: "batch", if_busy: "fail" });
        const rows: Row[] = r.data.results;
        assert.equal(rows.length, 6, r.text);
        assert.equal(rows.filter((x) => x.outcome === "sent").length, 2, r.text);
        const failed = rows.filter((x) => x.outcome === "failed");
        assert.equal(failed.length, 4, r.text);
        for (const f of failed) assert.match(f.detail, /CODER_SESSION_TOKEN/);
        assertNoToken(h);
      },
    );

    // Last: honouring an hour's Retry-After holds the task list for the rest of the process.
    await t.step("429 with a long Retry-After fails fast and says when to retry", async () => {
      sim.clearFaults();
      sim.fault(TASKS, { status: 429, retryAfter: 3600, method: "GET" });
      const from = sim.requests.length;
      const text = assertCleanError(await h.call("list_agents", { kind: "task" }));
      assert.equal(
        requestsSince(sim, from, "GET", TASKS).length,
        1,
        "no retry while Coder asked to wait an hour",
      );
      assert.match(text, /retry/i);
      assert.match(text, /3600|60 ?min|1 ?h|hour|\d\d:\d\d/i, `says when: ${text}`);
      assertNoToken(h);
      sim.clearFaults();
      const r = await h.call("list_agents", { kind: "chat" });
      assert.ok(!r.isError, `the other routes still answer: ${r.text}`);
    });

    // Last too: a day's maintenance page holds the chat list, for 2 minutes, not a day.
    await t.step("503 with Retry-After: 86400 is unavailable, held 2 min, not a day", async () => {
      sim.clearFaults();
      sim.fault(CHATS, { status: 503, retryAfter: 86400, times: 1, method: "GET" });
      const from = sim.requests.length;
      const text = assertCleanError(await h.call("list_agents", { kind: "chat" }));
      assert.match(text, /unavailable \(503\)/);
      assert.doesNotMatch(text, /rate-limit/i);
      assert.match(text, /asked to wait 24 h/);
      assert.match(text, /retry in 2 min/);
      assert.match(text, /Next: Retry in 120 s/);
      // The next call is held too (nothing sent), with the same words.
      const again = assertCleanError(
        await h.call("list_agents", { kind: "chat", state: ["idle"] }),
      );
      assert.match(again, /unavailable \(503\).*retry in 2 min/);
      assert.equal(requestsSince(sim, from, "GET", CHATS).length, 1);
    });
  } finally {
    await h.close();
  }
});
