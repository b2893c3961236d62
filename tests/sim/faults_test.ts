/**
 * The sim's fault kinds over real HTTP: each one misbehaves the way its name says, stays scoped
 * to its route and method, counts `after` and `times`, and is logged.
 */
import assert from "node:assert/strict";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { until, within } from "../deadline.ts";

function get(sim: Sim, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(sim.url + path, {
    ...init,
    headers: { "Coder-Session-Token": sim.token, ...init.headers },
    redirect: "manual",
  });
}

Deno.test("sim faults: every kind, scoped and counted", async (t) => {
  const sim = await startSim({ profile: "tasks", tasks: 3, tcpFaults: true });
  const [id] = sim.taskIds();
  const owner = (sim.task(id) as { owner_name: string }).owner_name;
  const send = (input = "hello") =>
    get(sim, `/api/v2/tasks/${owner}/${id}/send`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ input }),
    });
  try {
    await t.step("status burst with after/times, scoped by method", async () => {
      sim.fault("/api/v2/tasks", { status: 502, after: 1, times: 2, method: "GET" });
      const codes = [];
      for (let i = 0; i < 4; i++) {
        const r = await get(sim, "/api/v2/tasks");
        await r.body?.cancel();
        codes.push(r.status);
      }
      assert.deepEqual(codes, [200, 502, 502, 200]);
      sim.clearFaults();
    });
    await t.step("a fault's remover takes that fault alone away, releasing its hang", async () => {
      const dropHang = sim.fault("/api/v2/chats", { kind: "hang", method: "GET" });
      const drop502 = sim.fault("/api/v2/tasks", { status: 502, method: "GET" });
      const hung = get(sim, "/api/v2/chats");
      await until(
        () => sim.requests.some((q) => q.path === "/api/v2/chats"),
        "the request to reach the sim",
      );
      dropHang();
      const released = await within(hung, "the hang to be released");
      await released.body?.cancel();
      const still = await get(sim, "/api/v2/tasks");
      await still.body?.cancel();
      assert.equal(still.status, 502, "the other fault stays");
      drop502();
      const gone = await get(sim, "/api/v2/tasks");
      await gone.body?.cancel();
      assert.equal(gone.status, 200);
      sim.clearFaults();
    });
    await t.step("429 with an HTTP-date Retry-After", async () => {
      const when = new Date(Date.now() + 3600_000).toUTCString();
      sim.fault("/api/v2/tasks", { status: 429, retryAfter: when, times: 1 });
      const r = await get(sim, "/api/v2/tasks");
      await r.body?.cancel();
      assert.equal(r.status, 429);
      assert.equal(r.headers.get("retry-after"), when);
    });
    await t.step("malformed, wrong shape, html", async () => {
      sim.fault("/api/v2/tasks", { kind: "malformed", times: 1 });
      let r = await get(sim, "/api/v2/tasks");
      assert.equal(r.status, 200);
      await assert.rejects(r.json());
      sim.fault("/api/v2/tasks", { kind: "wrong_shape", times: 1 });
      r = await get(sim, "/api/v2/tasks");
      assert.deepEqual(await r.json(), { unexpected: true });
      sim.fault(/\/send$/, { kind: "html", times: 1 });
      sim.clearRequests();
      r = await send();
      assert.equal(r.status, 200);
      assert.match(r.headers.get("content-type") ?? "", /text\/html/);
      assert.match(await r.text(), /Sign in/);
      assert.equal(sim.requests[0].fault, "html");
      // html does not act: the task did not get the input
      const logs = await (await get(sim, `/api/v2/tasks/${owner}/${id}/logs`)).json();
      assert.ok(!logs.logs?.some((l: { content: string }) => l.content === "hello"));
    });
    await t.step("redirect to the decoy, which logs headers and body", async () => {
      sim.fault(/\/send$/, { kind: "redirect", status: 307, times: 1 });
      sim.setTask(id, { status: "active", state: "idle" });
      const r = await send("via decoy");
      assert.equal(r.status, 307);
      const loc = r.headers.get("location")!;
      assert.ok(loc.startsWith(sim.decoy.url), loc);
      await r.body?.cancel();
      // follow it by hand, as a careless client would
      const f = await fetch(loc, {
        method: "POST",
        headers: { "Coder-Session-Token": sim.token, "Content-Type": "application/json" },
        body: JSON.stringify({ input: "via decoy" }),
      });
      await f.body?.cancel();
      assert.equal(f.status, 204, "the decoy forwards to the sim: the follower keeps working");
      const seen = sim.decoy.requests.at(-1)!;
      assert.equal(seen.headers["coder-session-token"], sim.token);
      assert.match(seen.body, /via decoy/);
      assert.ok(sim.requests.some((q) => q.forwarded));
      sim.decoy.clear();
      assert.equal(sim.decoy.requests.length, 0);
    });
    await t.step("revoke echoes the token it got, after N", async () => {
      sim.fault(/./, { kind: "revoke", after: 1 });
      const a = await get(sim, "/api/v2/users/me");
      await a.body?.cancel();
      assert.equal(a.status, 200);
      const b = await get(sim, "/api/v2/users/me");
      assert.equal(b.status, 401);
      assert.ok((await b.text()).includes(sim.token));
      sim.clearFaults();
    });
    await t.step("oversized: streamed, parses, bigger than asked", async () => {
      sim.fault("/api/v2/tasks", { kind: "oversized", bytes: 2_000_000, body: sim.task(id) });
      const r = await get(sim, "/api/v2/tasks");
      const body = await r.text();
      assert.ok(body.length >= 2_000_000);
      const parsed = JSON.parse(body);
      assert.equal(parsed.tasks.length, parsed.count);
      assert.equal(parsed.tasks[0].id, id);
      sim.clearFaults();
    });
    await t.step("reset: the connection dies before any answer; a write still acts", async () => {
      sim.setTask(id, { status: "active", state: "idle" });
      // Two: fetch may resend once by itself on a pooled connection that closed.
      sim.fault(/\/send$/, { kind: "reset", times: 2 });
      sim.clearRequests();
      await assert.rejects(send("reset but done"));
      assert.ok(sim.requests.length >= 1);
      for (const q of sim.requests) {
        assert.equal(q.status, 0);
        assert.equal(q.fault, "reset");
      }
      const task = sim.task(id) as { current_state: { state: string } };
      assert.equal(task.current_state.state, "working", "the write was carried out");
      sim.clearFaults();
      const r = await get(sim, "/api/v2/tasks");
      await r.body?.cancel();
      assert.equal(r.status, 200, "the next request goes through");
    });
    await t.step("hang holds the headers until cleared", async () => {
      sim.fault("/api/v2/users/me", { kind: "hang" });
      let answered = false;
      sim.clearRequests();
      const p = get(sim, "/api/v2/users/me").then(async (r) => {
        answered = true;
        await r.body?.cancel();
        return r.status;
      });
      // Once it has arrived, a while in which an answer would come back if it were not held.
      await until(() => sim.requests.length > 0, "the request to reach the sim");
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(answered, false);
      const logged = sim.requests.at(-1)!;
      assert.deepEqual([logged.method, logged.path, logged.status, logged.fault], [
        "GET",
        "/api/v2/users/me",
        0,
        "hang",
      ], "logged on arrival, unanswered");
      sim.clearFaults();
      assert.equal(await within(p, "the held request, once cleared"), 200);
      assert.equal(logged.status, 200);
    });
    await t.step("stall sends headers and half a body, then nothing until cleared", async () => {
      sim.fault("/api/v2/users/me", { kind: "stall" });
      const r = await get(sim, "/api/v2/users/me");
      assert.equal(r.status, 200);
      const reader = r.body!.getReader();
      const first = await reader.read();
      assert.ok(first.value && first.value.length > 0);
      let more = false;
      const rest = reader.read().then((x) => {
        more = true;
        return x;
      });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(more, false);
      sim.clearFaults();
      await within(rest.catch(() => undefined), "the stalled body, once cleared");
      await reader.cancel().catch(() => undefined);
    });
    await t.step("refuse and restore", async () => {
      await sim.refuse();
      await assert.rejects(get(sim, "/api/v2/buildinfo"));
      sim.restore();
      const r = await get(sim, "/api/v2/buildinfo");
      await r.body?.cancel();
      assert.equal(r.status, 200);
    });
  } finally {
    await sim.close();
  }
});

Deno.test("sim rateLimit option: 0 turns the limit off", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 1, rateLimit: 0 });
  try {
    for (let i = 0; i < 600; i += 100) {
      const rs = await Promise.all(
        Array.from({ length: 100 }, () => get(sim, "/api/v2/users/me")),
      );
      for (const r of rs) await r.body?.cancel();
      assert.ok(rs.every((r) => r.status === 200));
    }
  } finally {
    await sim.close();
  }
});

Deno.test("sim without tcpFaults: connection faults say what they need", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 1 });
  try {
    assert.throws(() => sim.fault("/api/v2/tasks", { kind: "reset" }), /tcpFaults/);
    assert.throws(() => sim.refuse(), /tcpFaults/);
  } finally {
    await sim.close();
  }
});
