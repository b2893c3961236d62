/**
 * End to end over stdio: every tool on chats (Coder Agents), against each deployment profile that
 * has chats: chats only (current Coder), both APIs, and an old one (experimental paths only).
 */
import assert from "node:assert/strict";
import { byId, startHarness } from "./harness.ts";

for (const profile of ["chats", "both", "old"] as const) {
  Deno.test(`e2e chats: every tool on chats, ${profile} profile`, (t) => chatsSuite(t, profile));
}

async function chatsSuite(t: Deno.TestContext, profile: "chats" | "both" | "old") {
  const h = await startHarness({ sim: { profile, tasks: 10, chats: 30, seed: 5 } });
  const api = profile === "old" ? "/api/experimental/chats" : "/api/v2/chats";
  const only = profile === "chats";
  try {
    await t.step(
      "fleet_overview matches ground truth (only chats on a chats-only Coder)",
      async () => {
        // The clock stands still: the fleet cannot move between the call and truth().
        const [r, truth] = await h.frozen(async () => [
          await h.call("fleet_overview"),
          h.sim.truth(),
        ]);
        assert.ok(!r.isError, r.text);
        assert.equal(r.data.total, truth.total);
        assert.deepEqual(r.data.by_state, truth.by_state, "no count missing, none extra");
        const list = await h.call("list_agents", { limit: 200 });
        assert.deepEqual(byId(list.data.agents), truth.by_id, "agent by agent");
        assert.ok(r.data.backends.some((b: { api: string }) => b.api === api));
        if (only) {
          assert.equal(truth.by_kind.task, 0);
          assert.deepEqual(r.data.backends, [{ kind: "chat", api }]);
          for (const a of r.data.attention) assert.equal(a.kind, "chat");
        }
        const chats = await h.call("fleet_overview", { kind: "chat" });
        assert.equal(chats.data.total, truth.by_kind.chat);
      },
    );

    await t.step("list_agents filters by label and kind, pushing label to Coder", async () => {
      const all = await h.call("list_agents", { kind: "chat", limit: 200 });
      const labelled = all.data.agents.find((a: { labels?: Record<string, string> }) => a.labels);
      assert.ok(labelled, "the sim has labelled chats");
      const [k, v] = Object.entries(labelled.labels as Record<string, string>)[0];
      h.sim.clearRequests();
      const r = await h.call("list_agents", { label: `${k}:${v}`, kind: "chat" });
      assert.ok(r.data.total >= 1);
      for (const a of r.data.agents) assert.equal(a.labels[k], v);
      const list = h.sim.requests.find((q) => q.path === api);
      assert.ok(list && decodeURIComponent(list.query).includes(`label=${k}:${v}`), list?.query);
      if (only) {
        const tasks = await h.call("list_agents", { kind: "task" });
        assert.equal(tasks.isError, true, "no Tasks API here");
        assert.match(tasks.text, /no Tasks API/);
      }
    });

    await t.step(
      "list_agents by owner: own chats via source:created_by_me, others locally",
      async () => {
        h.sim.clearRequests();
        const mine = await h.call("list_agents", {
          kind: "chat",
          owner: h.sim.username,
          limit: 200,
        });
        assert.ok(!mine.isError, mine.text);
        assert.ok(mine.data.total > 0);
        for (const a of mine.data.agents) assert.equal(a.owner, h.sim.username);
        const q = h.sim.requests.find((r) => r.path === api)!;
        assert.match(decodeURIComponent(q.query), /source:created_by_me/);
        const alice = await h.call("list_agents", { kind: "chat", owner: "alice", limit: 200 });
        assert.ok(!alice.isError, alice.text);
        for (const a of alice.data.agents) assert.equal(a.owner, "alice");
      },
    );

    // Steps that act work on seeded chats of their own, so that one failure hides nothing else:
    // the caller's own chats (only the owner may write to a chat).
    const seeded = h.sim.chatIds("own");
    let chatId = "";
    await t.step(
      "list_templates lists models; create_task makes a chat with model and labels",
      async () => {
        const tl = await h.call("list_templates");
        assert.ok(tl.data.models.length >= 1);
        if (only) assert.deepEqual(tl.data.templates, []);
        const model = tl.data.models.find((m: { available: boolean }) => m.available);
        h.sim.clearRequests();
        const r = await h.call("create_task", {
          prompt: "Investigate the memory leak",
          model: model.model,
          labels: { team: "e2e" },
          name: "leak hunt",
        });
        assert.ok(!r.isError, r.text);
        assert.equal(r.data.created.length, 1, r.text);
        chatId = r.data.created[0].id;
        assert.equal(r.data.created[0].kind, "chat");
        // This Coder (older than v2.39) ignores the title in the create: it is set afterwards.
        assert.ok(
          h.sim.requests.some((q) => q.method === "PATCH" && q.path === `${api}/${chatId}`),
          "the title set by PATCH",
        );
        const g = await h.call("get_agent", { agent: chatId });
        assert.deepEqual(g.data.agent.labels, { team: "e2e" });
        assert.equal(g.data.agent.name, "leak hunt");
        assert.match(g.data.agent.url, /\/agents\//);
        const bad = await h.call("create_task", { prompt: "x", model: "no-such-model" });
        assert.equal(bad.data.failed.length, 1);
      },
    );

    await t.step("get_agent shows cost; get_logs pages with message ids", async () => {
      const g = await h.call("get_agent", { agent: chatId });
      assert.ok(g.data.extras.cost, JSON.stringify(g.data.extras));
      assert.match(String(g.data.extras.model), /\(\w+\)$/, "the model by name, not by id");
      h.sim.clearRequests();
      await h.call("get_agent", { agent: chatId });
      const gets = h.sim.requests.filter((q) =>
        q.method === "GET" && q.path.endsWith(`/chats/${chatId}`)
      );
      assert.equal(gets.length, 1, "the chat is fetched once, not again for its extras");
      const first = await h.call("get_logs", { agent: chatId, limit: 1 });
      assert.ok(!first.isError, first.text);
      assert.equal(first.data.messages.length, 1);
      const older = await h.call("get_logs", {
        agent: chatId,
        before_id: first.data.messages[0].id,
      });
      for (const m of older.data.messages) assert.ok(m.id < first.data.messages[0].id);
    });

    await t.step("send_input: queue while running, interrupt, fail, wait", async () => {
      const chatId = seeded[0];
      h.sim.setChat(chatId, { status: "running" });
      const q = await h.call("send_input", {
        agents: [chatId],
        input: "also check caches",
        if_busy: "queue",
      });
      assert.equal(q.data.results[0].outcome, "queued", q.text);
      const f = await h.call("send_input", { agents: [chatId], input: "x", if_busy: "fail" });
      assert.equal(f.data.results[0].outcome, "busy");
      const i = await h.call("send_input", {
        agents: [chatId],
        input: "stop and summarise",
        if_busy: "interrupt",
      });
      assert.equal(i.data.results[0].outcome, "sent", i.text);
      const w = await h.callAdvancing(
        "send_input",
        { agents: [chatId], input: "next", wait_s: 60 },
        60_000,
      );
      assert.ok(["sent", "queued"].includes(w.data.results[0].outcome), w.text);
    });

    await t.step("wait_for_agents on chats uses one list request per round", async () => {
      const chatId = seeded[1];
      h.sim.setChat(chatId, { status: "running" });
      h.sim.clearRequests();
      const r = await h.callAdvancing(
        "wait_for_agents",
        { agents: [chatId], timeout_s: 60 },
        60_000,
      );
      assert.equal(r.data.done, true, r.text);
      const gets = h.sim.requests.filter((q) =>
        q.method === "GET" && /\/chats\/[0-9a-f-]{36}$/.test(q.path)
      );
      assert.ok(gets.length <= 1, "no per-agent polling");
    });

    await t.step(
      "stop_agents interrupts; resume_agents says chats resume on a message",
      async () => {
        const chatId = seeded[2];
        h.sim.setChat(chatId, { status: "running" });
        const s = await h.call("stop_agents", { agents: [chatId] });
        assert.equal(s.data.results[0].outcome, "done", s.text);
        const r = await h.call("resume_agents", { agents: [chatId] });
        assert.equal(r.data.results[0].outcome, "skipped");
        assert.match(r.data.results[0].detail, /send_input/);
      },
    );

    await t.step("delete_agents archives; archived chats leave the fleet", async () => {
      const chatId = seeded[3];
      const before = (await h.call("fleet_overview", { kind: "chat" })).data.total;
      const d = await h.call("delete_agents", { agents: [chatId] });
      assert.equal(d.data.results[0].outcome, "done", d.text);
      assert.equal((await h.call("fleet_overview", { kind: "chat" })).data.total, before - 1);
      const again = await h.call("delete_agents", { agents: [chatId] });
      assert.equal(again.data.results[0].outcome, "skipped");
    });

    await t.step("the session token appears nowhere", () => {
      for (const o of h.outputs) assert.ok(!o.includes(h.sim.token));
      assert.ok(!h.stderr().includes(h.sim.token));
    });
  } finally {
    await h.close();
  }
}
