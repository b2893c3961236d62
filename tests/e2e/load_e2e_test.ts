/**
 * End to end, under load (issue 17): the server refuses the work it cannot hold instead of
 * running out of memory. A thousand whole-fleet waits run at once; the next is refused cleanly,
 * with the count and a next step; the server goes on answering, and admits waits again once some
 * have ended. And a thousand unknown bare names cost the lists, not a lookup each.
 */
import assert from "node:assert/strict";
import { assertCleanError, startHarness, type ToolResult } from "./harness.ts";

/** Waits the server runs at once (fleet/admission.ts MAX_WAITS). */
const WAITS = 1_000;

Deno.test("e2e load: 1,000 concurrent waits run, the next is refused cleanly", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 6, chats: 4 },
    // One round a minute: the waits sit still once admitted.
    env: { CODER_FLEET_POLL_MS: "60000" },
  });
  const stop = new AbortController();
  try {
    await t.step("1,000 unknown bare names cost the lists, not a lookup each", async () => {
      // Issue 17: they were looked up one by one (450 in 0.3 s), spending the route's minute.
      await h.call("fleet_overview"); // detection done
      h.sim.clearRequests();
      const names = Array.from({ length: 1000 }, (_, i) => `no-such-agent-${i}`);
      const r = await h.call("wait_for_agents", { agents: names, timeout_s: 0 });
      assert.equal(r.isError, undefined, r.text);
      assert.equal(r.data.not_found.length, 1000);
      assert.match(r.data.not_found[0].error, /A bare name means one of your own agents/);
      const paths = h.sim.requests.map((q) => q.path).sort();
      assert.deepEqual(paths, ["/api/v2/chats", "/api/v2/tasks"]);
    });
    const started: Promise<void>[] = [];
    const ended: Promise<unknown>[] = [];
    for (let i = 0; i < WAITS; i++) {
      let admitted!: () => void;
      started.push(new Promise<void>((r) => (admitted = r)));
      const call = h.client.callTool({ name: "wait_for_agents", arguments: { timeout_s: 300 } }, {
        timeout: 120_000,
        signal: stop.signal,
        onprogress: () => admitted(), // its first round: admitted, and watching
      });
      call.then(() => admitted(), () => admitted());
      ended.push(call.catch(() => undefined));
    }
    await t.step("a thousand whole-fleet waits are admitted", async () => {
      await deadline(Promise.all(started), 60_000, "the waits' first rounds");
      const early = await Promise.race([Promise.all(ended), Promise.resolve("running")]);
      assert.equal(early, "running", "no wait ended on its own");
    });
    await t.step("the next wait is refused at once, with the count and a next step", async () => {
      const r = await h.call("wait_for_agents", { timeout_s: 1 });
      const text = assertCleanError(r, "the wait beyond the cap");
      assert.match(text, /Too many concurrent waits, 1,000 in flight/);
      assert.match(text, /Nothing was waited for/);
      assert.match(text, /Next: Retry when some of the waits in flight have ended/);
    });
    await t.step("the server goes on answering other calls", async () => {
      const r = await h.call("fleet_overview");
      assert.equal(r.isError, undefined, r.text);
      assert.equal(r.data.total, 10);
    });
    await t.step("once the waits end, a wait is admitted again", async () => {
      stop.abort();
      await deadline(Promise.all(ended), 30_000, "the cancelled waits");
      let r: ToolResult | undefined;
      const until = Date.now() + 20_000;
      do r = await h.call("wait_for_agents", { timeout_s: 0 }); while (
        r.isError && /Too many concurrent waits/.test(r.text) && Date.now() < until
      );
      assert.equal(r.isError, undefined, r.text);
      assert.equal(r.data.timed_out, true);
    });
  } finally {
    stop.abort();
    await h.close();
  }
});

/** `p`, or a failure naming `what` after `ms`. */
async function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
