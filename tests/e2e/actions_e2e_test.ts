/**
 * End to end: lifecycle and batch behaviours, each with its own direct assertion, read from what
 * Coder (the sim) received: a dry run sends no write at all; resume_agents with a prompt hands
 * Coder the new prompt before it resumes; a batch naming an agent twice acts once;
 * wait_for_agents `mode: "all"` waits for every agent, `mode: "any"` for the first.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

const writes = (reqs: { method: string; path: string }[]) =>
  reqs.filter((q) => q.method !== "GET" && q.method !== "HEAD").map((q) => `${q.method} ${q.path}`);

Deno.test("e2e actions: dry runs, resume prompts, duplicates, wait modes", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 8, chats: 4, seed: 4, frozen: true },
  });
  try {
    await h.call("fleet_overview");
    const [a, b, c, d] = h.sim.taskIds();
    const [chat] = h.sim.chatIds();

    await t.step("stop_agents dry_run: outcome would, and no write reaches Coder", async () => {
      h.sim.setTask(a, { status: "active", state: "working" });
      h.sim.setChat(chat, { status: "running" });
      h.sim.clearRequests();
      const r = await h.call("stop_agents", { agents: [a, chat], dry_run: true });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(r.data.results.map((x: { outcome: string }) => x.outcome), [
        "would",
        "would",
      ]);
      assert.deepEqual(writes(h.sim.requests), []);
      assert.equal((h.sim.task(a) as { status: string }).status, "active");
    });

    await t.step("delete_agents dry_run: no write, and the agents are still there", async () => {
      const before = h.sim.truth().total;
      h.sim.clearRequests();
      const r = await h.call("delete_agents", { agents: [b, chat], dry_run: true });
      assert.ok(!r.isError, r.text);
      for (const x of r.data.results) assert.equal(x.outcome, "would");
      assert.deepEqual(writes(h.sim.requests), []);
      assert.equal(h.sim.truth().total, before);
    });

    await t.step(
      "resume_agents with a prompt: Coder gets the new prompt, then resumes",
      async () => {
        h.sim.setTask(c, { status: "paused" });
        h.sim.clearRequests();
        const r = await h.call("resume_agents", { agents: [c], prompt: "New plan: smaller steps" });
        assert.equal(r.data.results[0].outcome, "done", r.text);
        assert.equal(
          (h.sim.task(c) as { initial_prompt: string }).initial_prompt,
          "New plan: smaller steps",
        );
        const w = writes(h.sim.requests);
        const patch = w.findIndex((x) => x.startsWith("PATCH ") && x.endsWith(`/${c}/input`));
        const resume = w.findIndex((x) => x.startsWith("POST ") && x.endsWith(`/${c}/resume`));
        assert.ok(patch >= 0 && resume > patch, w.join(", "));
      },
    );

    await t.step("resume_agents without a prompt leaves the prompt alone", async () => {
      h.sim.setTask(d, { status: "paused" });
      const prompt = (h.sim.task(d) as { initial_prompt: string }).initial_prompt;
      h.sim.clearRequests();
      const r = await h.call("resume_agents", { agents: [d] });
      assert.equal(r.data.results[0].outcome, "done", r.text);
      assert.deepEqual(writes(h.sim.requests).map((x) => x.split(" ")[0]), ["POST"]);
      assert.equal((h.sim.task(d) as { initial_prompt: string }).initial_prompt, prompt);
    });

    await t.step("stop_agents pauses a task once; a second stop is skipped", async () => {
      h.sim.setTask(a, { status: "active", state: "working" });
      h.sim.clearRequests();
      const r = await h.call("stop_agents", { agents: [a, a] });
      const outcomes = r.data.results.map((x: { outcome: string }) => x.outcome).sort();
      assert.deepEqual(outcomes, ["done", "duplicate"], r.text);
      assert.match(r.text, /^done 1, skipped 0, failed 0, duplicate 1\n/, "the counts, first");
      assert.equal(writes(h.sim.requests).filter((x) => x.endsWith("/pause")).length, 1);
      assert.equal((h.sim.task(a) as { status: string }).status, "paused");
      const again = await h.call("stop_agents", { agents: [a] });
      assert.equal(again.data.results[0].outcome, "skipped");
      assert.match(again.text, /^done 0, skipped 1, failed 0\n/);
    });

    await t.step("get_logs of a paused task is its stored snapshot", async () => {
      const logs = await h.call("get_logs", { agent: a });
      assert.ok(!logs.isError, logs.text);
      assert.equal(logs.data.snapshot, true);
    });

    await t.step("wait_for_agents mode all waits for every agent; any for the first", async () => {
      h.sim.setTask(b, { status: "active", state: "idle" });
      // The sim's clock is frozen: `d` works until the test says otherwise. timeout_s 0 judges
      // the agents once, at once.
      h.sim.setTask(d, { status: "active", state: "working" });
      const all = await h.call("wait_for_agents", { agents: [b, d], mode: "all", timeout_s: 0 });
      assert.equal(all.data.done, false, all.text);
      assert.equal(all.data.timed_out, true);
      const any = await h.call("wait_for_agents", { agents: [b, d], mode: "any", timeout_s: 0 });
      assert.equal(any.data.done, true, any.text);
      assert.deepEqual(any.data.changed.map((x: { id: string }) => x.id), [b]);
      h.sim.setTask(d, { status: "active", state: "idle" });
      const both = await h.call("wait_for_agents", { agents: [b, d], mode: "all", timeout_s: 0 });
      assert.equal(both.data.done, true, both.text);
      assert.equal(both.data.changed_total, 2);
    });

    await t.step("wait_for_agents until idle: a complete agent is settled, not idle", async () => {
      h.sim.setTask(b, { status: "active", state: "complete" });
      const idle = await h.call("wait_for_agents", { agents: [b], until: "idle", timeout_s: 0 });
      assert.equal(idle.data.done, false, idle.text);
      assert.equal(idle.data.pending_total, 1);
      const settled = await h.call("wait_for_agents", { agents: [b], timeout_s: 0 });
      assert.equal(settled.data.done, true, "already settled counts");
    });
  } finally {
    await h.close();
  }
});
