/**
 * End to end: a wait_for_agents that names no agents waits for something new. Agents already
 * settled at the start are reported (already) but do not end it; an agent that settles, or one
 * that appears, during the call does. Calls that name agents keep their meaning.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";
import { until } from "../deadline.ts";

Deno.test("e2e fresh wait: whole-fleet waits end on something new", async (t) => {
  // The sim's clock is frozen (the harness's default): only what the test does happens. Polling
  // at 100 ms (the least): the rounds the test waits for come fast.
  const h = await startHarness({
    sim: { profile: "chats", chats: 20, seed: 11 },
    env: { CODER_FLEET_POLL_MS: "100" },
  });
  /** Resolves once the server has listed the chats `n` more times (the wait's rounds). */
  const rounds = async (n: number) => {
    const seen = () => h.sim.requests.filter((q) => q.path === "/api/v2/chats").length;
    const start = seen();
    await until(() => seen() >= start + n, `${n} more chat list rounds`);
  };
  try {
    const status = (id: string) => (h.sim.chat(id) as { status: string }).status;
    const settledAtStart = h.sim.chatIds().filter((id) => status(id) !== "running");
    const working = h.sim.chatIds().filter((id) => status(id) === "running");
    assert.ok(settledAtStart.length > 0 && working.length > 0, "the sim has both");

    await t.step("already settled agents do not end it: it times out", async () => {
      const r = await h.call("wait_for_agents", { timeout_s: 1 });
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.done, false, r.text);
      assert.equal(r.data.timed_out, true);
      assert.equal(r.data.already_total, settledAtStart.length);
      assert.equal(r.data.changed_total, 0);
      assert.ok(r.data.already.length <= 10);
      assert.match(r.text, /already settled at the start \(not counted/);
    });

    await t.step(
      "an agent that settles during the call ends it, and only it is changed",
      async () => {
        const waiting = h.call("wait_for_agents", { timeout_s: 60 });
        await rounds(2);
        h.sim.setChat(working[0], { status: "waiting" });
        const r = await waiting;
        assert.equal(r.data.done, true, r.text);
        assert.deepEqual(r.data.changed.map((a: { id: string }) => a.id), [working[0]]);
        assert.equal(r.data.already_total, settledAtStart.length);
      },
    );

    await t.step("an agent that appears during the call ends it", async () => {
      const waiting = h.call("wait_for_agents", { kind: "chat", timeout_s: 60 });
      await rounds(2);
      const c = await h.call("create_task", { prompt: "Appear during a wait", kind: "chat" });
      assert.ok(!c.isError, c.text);
      const id = c.data.created[0].id;
      const r = await waiting;
      assert.equal(r.data.done, true, r.text);
      assert.deepEqual(r.data.appeared, [id]);
      assert.ok(r.data.changed.some((a: { id: string }) => a.id === id));
    });

    await t.step("named agents that name none: nothing to watch, said at once", async () => {
      const r = await h.call("wait_for_agents", { agents: ["no-such-chat"], timeout_s: 30 });
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.done, false);
      assert.equal(r.data.not_found.length, 1);
      assert.match(r.text, /^Nothing to watch: no agent matched\.\nNot found: no-such-chat: /);
      assert.ok(r.data.elapsed_ms < 30_000, "it does not wait out its timeout");
    });

    await t.step("named agents keep today's meaning: settled ones end it at once", async () => {
      const r = await h.call("wait_for_agents", { agents: [settledAtStart[0]], timeout_s: 30 });
      assert.equal(r.data.done, true);
      assert.equal(r.data.already, undefined);
    });

    await t.step(
      "a Coder with no watch (v2.37): tried a few times, given up; waits poll",
      async () => {
        // A wait on the caller's own chat would wake on Coder's watch; this Coder has none.
        const mine = working.find((id) =>
          status(id) === "running" &&
          (h.sim.chat(id) as { owner_username: string }).owner_username === h.sim.username
        );
        assert.ok(mine, "a running chat of the caller");
        const tries = () => h.sim.requests.filter((q) => q.path === "/api/v2/chats/watch");
        const w = h.begin("wait_for_agents", { agents: [mine], timeout_s: 60 });
        await until(() => tries().length >= 3, "three tries of the watch");
        await rounds(2); // the wait polls meanwhile, and after
        h.sim.setChat(mine, { status: "waiting" });
        const r = await w.result;
        assert.equal(r.data.done, true, r.text);
        assert.equal(tries().length, 3, "given up after three tries, not reopened");
        // v2.37 reads "watch" as a chat id: 400 (a proxy that refuses WebSockets answers alike).
        assert.ok(tries().every((q) => q.status >= 400), tries().map((q) => q.status).join());
      },
    );
  } finally {
    await h.close();
  }
});
