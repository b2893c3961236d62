/**
 * End to end: chat waits driven by Coder's watch WebSocket (current profile). A wait wakes on the
 * watch and lists only to reconcile; one socket serves concurrent waits and closes when none
 * needs it; a socket dropped mid-wait does not strand the wait.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";
import { pause, until as holds } from "../deadline.ts";

/** Wait, with a deadline, until the sim's watch sockets are as `cond` says. */
const until = (cond: () => boolean) => holds(cond, "the sim's watch sockets to match");

Deno.test("e2e watch: chat waits wake on the watch, with few list requests", async (t) => {
  // The sim's clock is frozen (the harness's default): nothing moves unless the test moves it.
  // The server polls every 100 ms (the least), so that a polling wait shows in less time.
  const h = await startHarness({
    sim: { profile: "current", chats: 20, seed: 9 },
    env: { CODER_FLEET_POLL_MS: "100" },
  });
  const lists = () => h.sim.requests.filter((q) => q.path === "/api/v2/chats").length;
  const status = (id: string) => (h.sim.chat(id) as { status: string }).status;
  /** The chats were listed after the watch socket was asked for (the list that reconciles). */
  const reconciled = () => {
    const at = h.sim.requests.findIndex((q) => q.path === "/api/v2/chats/watch");
    return at >= 0 && h.sim.requests.slice(at).some((q) => q.path === "/api/v2/chats");
  };
  try {
    // The watch carries only the token owner's chats: wait on the caller's own running ones.
    const working = h.sim.chatIds().filter((id) => {
      const c = h.sim.chat(id) as { owner_username: string; queued_for_capacity: boolean };
      return status(id) === "running" && !c.queued_for_capacity &&
        c.owner_username === h.sim.username;
    });
    assert.ok(working.length >= 3, "the sim has running chats of the caller");
    await h.call("fleet_overview"); // detection

    await t.step("a watch-driven wait: ends on the change, one reconcile list", async () => {
      h.sim.clearRequests();
      const waiting = h.call("wait_for_agents", { agents: [working[0]], timeout_s: 60 });
      await until(() => h.sim.watch.open() === 1);
      await until(() => reconciled());
      // Polling at 100 ms would list about 8 times in this stretch.
      await pause(800);
      const before = lists();
      h.sim.setChat(working[0], { status: "waiting" });
      const r = await waiting;
      assert.equal(r.data.done, true, r.text);
      assert.deepEqual(r.data.changed.map((a: { id: string }) => a.id), [working[0]]);
      const n = lists();
      console.log(`watch-driven wait of ${r.data.elapsed_ms} ms: ${n} chat list requests`);
      assert.ok(n <= 3, `${n} list requests`);
      assert.equal(n, before, "the watch's event was enough: no list after it");
      await until(() => h.sim.watch.open() === 0); // closed when no wait needs it
    });

    await t.step("two concurrent waits share one socket", async () => {
      const before = h.sim.watch.accepted();
      const a = h.begin("wait_for_agents", { agents: [working[1]], timeout_s: 60 });
      const b = h.begin("wait_for_agents", { agents: [working[2]], timeout_s: 60 });
      // Both have read the fleet and watch it; the socket is open.
      await Promise.all([a.round(), b.round()]);
      await until(() => h.sim.watch.open() === 1);
      h.sim.setChat(working[1], { status: "waiting" });
      assert.equal((await a.result).data.done, true);
      h.sim.setChat(working[2], { status: "waiting" });
      assert.equal((await b.result).data.done, true);
      assert.equal(h.sim.watch.accepted() - before, 1, "one socket for both");
      await until(() => h.sim.watch.open() === 0);
    });
    await t.step("send_input if_busy=wait wakes on the watch too", async () => {
      const id = working[0];
      h.sim.setChat(id, { status: "running" });
      h.sim.clearRequests();
      const sending = h.call("send_input", { agents: [id], input: "next", wait_s: 60 });
      await until(() => h.sim.watch.open() === 1);
      await until(() => reconciled());
      // Polling would list about 5 times in this stretch.
      await pause(500);
      const before = lists();
      h.sim.setChat(id, { status: "waiting" });
      const r = await sending;
      assert.equal(r.data.results[0].outcome, "sent", r.text);
      assert.ok(lists() <= 3, `${lists()} list requests`);
      assert.equal(lists(), before, "the watch's event was enough: no list after it");
    });

    await t.step(
      "a wait on a chat shared by another user polls (the watch cannot see it)",
      async () => {
        const other = h.sim.chatIds("shared")[0];
        assert.ok(other, "the sim has a chat another user shared with the caller");
        h.sim.setChat(other, { status: "running" });
        const before = h.sim.watch.accepted();
        h.sim.clearRequests();
        const w = h.begin("wait_for_agents", { agents: [other], timeout_s: 60 });
        await w.round(4); // the first round reads the agent, each one after it lists the chats
        assert.ok(lists() >= 3, `${lists()} list requests: it polled`);
        h.sim.setChat(other, { status: "waiting" });
        const r = await w.result;
        assert.equal(r.data.done, true, "a poll saw the change");
        assert.equal(h.sim.watch.accepted(), before, "no socket opened");
      },
    );

    await t.step("a socket dropped mid-wait does not strand the wait", async () => {
      const id = working[1];
      h.sim.setChat(id, { status: "running" });
      await until(() => h.sim.watch.open() === 0);
      const waiting = h.call("wait_for_agents", { agents: [id], timeout_s: 60 });
      await until(() => h.sim.watch.open() === 1);
      h.sim.watch.drop();
      h.sim.setChat(id, { status: "waiting" });
      const r = await waiting;
      assert.equal(r.data.done, true, r.text);
      assert.equal(r.data.changed[0].id, id);
    });
  } finally {
    await h.close();
  }
});
