/**
 * End to end: failures a caller must be able to act on, read-only mode, the allowlist, the legacy
 * MCP era, and the session token never leaking. Two servers: each also carries one setting whose
 * check needs no Coder (read-only with the bad token, the allowlist with the failures).
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import { startHarness } from "./harness.ts";

Deno.test("e2e errors: a bad token; read-only mode, in the legacy MCP era", async (t) => {
  // One server for both: the catalog is listed without asking Coder. An initialize (2025-era)
  // client (cli_test.ts calls a tool successfully in that era, through the demo).
  const sim = await startSim({ profile: "tasks", tasks: 5 });
  const wrong = "wrong-token-" + crypto.randomUUID();
  const h = await startHarness({
    useSim: sim,
    token: wrong,
    env: { CODER_FLEET_READ_ONLY: "1" },
    era: "legacy",
  });
  try {
    await t.step("a bad token gives a 401 explanation without the token", async () => {
      const r = await h.call("fleet_overview");
      assert.equal(r.isError, true);
      assert.match(r.text, /rejected the session token \(401\)/);
      assert.match(r.text, /Next: Set CODER_SESSION_TOKEN/);
      for (const o of h.outputs) {
        assert.ok(!o.includes(wrong) && !o.includes(sim.token));
      }
      assert.ok(!h.stderr().includes(wrong));
    });
    await t.step("read-only mode: write tools are not registered", async () => {
      const { tools } = await h.client.listTools();
      const names = tools.map((t) => t.name).sort();
      assert.deepEqual(names, [
        "fleet_board",
        "fleet_board_rows",
        "fleet_overview",
        "get_agent",
        "get_logs",
        "list_agents",
        "list_templates",
        "wait_for_agents",
      ]);
      for (const t of tools) assert.equal(t.annotations?.readOnlyHint, true);
      // An unregistered tool is a protocol error (-32602), not a result: nothing can run it.
      await assert.rejects(
        h.client.callTool({ name: "delete_agents", arguments: { agents: ["x"] } }),
        (e: { code?: number; message?: string }) =>
          e.code === -32602 && /delete_agents not found/.test(e.message ?? ""),
      );
    });
  } finally {
    await h.close();
    await sim.close();
  }
});

/** The tools the failures test calls. */
const USED = [
  "fleet_overview",
  "get_agent",
  "get_logs",
  "list_agents",
  "send_input",
  "stop_agents",
  "wait_for_agents",
];

Deno.test("e2e errors: Coder failures and 409s are isError results with a next step", async (t) => {
  // Both back ends, so that the waiting cases run at once on two routes; polling at 100 ms (the
  // least), so that the progress rounds come fast.
  // Only the tools the steps call (--tools): the catalog is narrowed to them.
  const h = await startHarness({
    sim: { profile: "both", tasks: 10, chats: 4 },
    env: { CODER_FLEET_POLL_MS: "100" },
    args: ["--tools", USED.join(",")],
  });
  /** Requests to `GET path` logged since index `from` of the sim's request log. */
  const gets = (from: number, path: string) =>
    h.sim.requests.slice(from).filter((q) => q.method === "GET" && q.path === path);
  try {
    await t.step("--tools narrows the catalog", async () => {
      const { tools } = await h.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), USED);
    });
    await h.call("fleet_overview"); // detection done
    const mine = h.sim.chatIds().find((id) =>
      (h.sim.chat(id) as { owner_username: string }).owner_username === h.sim.username
    )!;
    const title = (h.sim.chat(mine) as { title: string }).title;
    // The waiting cases at once: the chat list's retries and the task list's Retry-After.
    const settle = (p: Promise<void>) => p.then(() => undefined, (e: Error) => e);
    const everyRetry = settle((async () => {
      const drop = h.sim.fault("/api/v2/chats", { status: 500, method: "GET" });
      try {
        // A chat title is found only in the chat list: while the list fails, the caller hears
        // Coder's failure and to retry, not that the agent does not exist.
        const [list, one] = await Promise.all([
          h.call("list_agents", { kind: "chat" }),
          h.call("get_agent", { agent: title }),
        ]);
        for (const r of [list, one]) {
          assert.equal(r.isError, true);
          assert.match(r.text, /500/);
          assert.match(r.text, /Next: Coder failed: retry shortly/);
        }
        assert.doesNotMatch(one.text, /No agent|not found/i);
      } finally {
        drop();
      }
    })());
    const honoured = settle((async () => {
      const drop = h.sim.fault("/api/v2/tasks", {
        status: 429,
        times: 1,
        method: "GET",
        retryAfter: 1,
      });
      const from = h.sim.requests.length;
      try {
        const r = await h.call("list_agents", { kind: "task" });
        assert.ok(!r.isError, r.text);
        const lists = gets(from, "/api/v2/tasks");
        assert.deepEqual(lists.map((q) => q.status), [429, 200]);
        const waited = lists[1].at - lists[0].at;
        // Arrival times, so load can only lengthen the gap; a retry that ignored Retry-After
        // would come after the client's own backoff (100 to 200 ms for a first retry).
        assert.ok(waited >= 950, `retried after ${waited} ms, not the 1 s Retry-After asked`);
      } finally {
        drop();
      }
    })());
    await t.step(
      "a 500 on every list retry (a chat title then: Coder's error, not 'no agent')",
      async () => {
        const e = await everyRetry;
        if (e) throw e;
      },
    );
    await t.step("a 429 with Retry-After is honoured: the retry waits that long", async () => {
      const e = await honoured;
      if (e) throw e;
    });
    await t.step("a passing 503 is retried and the call succeeds", async () => {
      h.sim.fault("/api/v2/tasks", { status: 503, times: 1, method: "GET", retryAfter: 0 });
      // The task list alone: with both back ends, one that fails is a warning, not an error.
      const r = await h.call("list_agents", { kind: "task" });
      assert.ok(!r.isError, r.text);
      h.sim.clearFaults();
    });
    await t.step("a write is never retried", async () => {
      const [id] = h.sim.taskIds();
      h.sim.setTask(id, { status: "active", state: "idle" });
      h.sim.fault(new RegExp(`/${id}/pause$`), { status: 503, times: 1 });
      h.sim.clearRequests();
      const r = await h.call("stop_agents", { agents: [id] });
      assert.equal(r.data.results[0].outcome, "failed");
      assert.equal(h.sim.requests.filter((q) => q.path.endsWith("/pause")).length, 1);
      h.sim.clearFaults();
    });
    await t.step("a 409 on send means busy: reported, not retried under fail", async () => {
      const [id] = h.sim.taskIds();
      h.sim.setTask(id, { status: "active", state: "idle" });
      h.sim.fault(new RegExp(`/${id}/send$`), {
        status: 409,
        times: 1,
        body: { message: "Task app is not ready to accept input.", detail: "Status: working" },
      });
      h.sim.clearRequests();
      const r = await h.call("send_input", { agents: [id], input: "hi", if_busy: "fail" });
      assert.equal(r.data.results[0].outcome, "busy", r.text);
      assert.match(r.data.results[0].detail, /not ready to accept input/);
      assert.equal(h.sim.requests.filter((q) => q.path.endsWith("/send")).length, 1);
      h.sim.clearFaults();
    });
    await t.step(
      "a 409 on send under wait backs off and retries until it goes through",
      async () => {
        const [id] = h.sim.taskIds();
        h.sim.setTask(id, { status: "active", state: "idle" });
        h.sim.fault(new RegExp(`/${id}/send$`), {
          status: 409,
          times: 2,
          body: { message: "Task app is not ready to accept input.", detail: "Status: working" },
        });
        h.sim.clearRequests();
        const r = await h.call("send_input", { agents: [id], input: "hi", wait_s: 30 });
        assert.equal(r.data.results[0].outcome, "sent", r.text);
        assert.equal(h.sim.requests.filter((q) => q.path.endsWith("/send")).length, 3);
        h.sim.clearFaults();
      },
    );
    await t.step("get_logs on a starting task says to wait", async () => {
      const [id] = h.sim.taskIds();
      h.sim.setTask(id, { status: "initializing", state: null });
      const r = await h.call("get_logs", { agent: id });
      assert.equal(r.isError, true);
      assert.match(r.text, /Next:/);
    });
    await t.step("wait_for_agents sends progress and stops when cancelled", async () => {
      const ids = h.sim.taskIds().slice(0, 4);
      for (const id of ids) h.sim.setTask(id, { status: "active", state: "working" });
      const args = { agents: ids, timeout_s: 120, until: "idle", mode: "all" };
      /** A wait cancelled after `rounds` progress notifications; resolves with their count. */
      const cancelledWait = async (rounds: number, onRound?: (n: number) => void) => {
        let seen = 0;
        const ac = new AbortController();
        const call = h.client.callTool({ name: "wait_for_agents", arguments: args }, {
          signal: ac.signal,
          timeout: 120_000,
          onprogress: () => {
            seen++;
            onRound?.(seen);
            if (seen >= rounds) ac.abort();
          },
        });
        await assert.rejects(call);
        return seen;
      };
      assert.ok(await cancelledWait(2) >= 2, "progress notifications arrived");
      // The first wait was cancelled. A second, identical wait is the clock: while it runs its
      // rounds, a first wait that kept polling would send as many list requests again.
      const lists = () => h.sim.requests.filter((q) => q.path === "/api/v2/tasks").length;
      let base = 0;
      const rounds = await cancelledWait(8, (n) => {
        if (n === 1) {
          h.sim.clearRequests();
          base = 0;
        }
        if (n === 8) base = lists();
      });
      assert.equal(rounds, 8);
      // Rounds 2..8 of the second wait made 7 lists (one more may have been in flight for either).
      assert.ok(base <= 9, `${base} list requests in 7 rounds: the cancelled wait still polls`);
    });
  } finally {
    await h.close();
  }
});
