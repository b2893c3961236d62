/**
 * End to end against Coder v2.39 (the sim's `current` profile), as DESIGN's "Whose agents" and
 * the delete_agents row say:
 *
 * - the fleet's chats are the caller's and those shared with it (both sources asked for), never
 *   another user's private ones, and a shared chat shows its owner;
 * - a write to a shared chat (send_input, stop_agents, delete_agents) fails with "only its owner
 *   can ...", sends no request and waits for nothing; Coder's own 403 or 404 reads the same;
 * - create_task for another user's chat is refused with the reason, before any request;
 * - delete_agents interrupts a running chat, waits until it settles, then archives it; Coder's
 *   409 (the chat started meanwhile) gets the same treatment; a chat that does not settle within
 *   the call's budget (5 s here) fails saying what happened and what to do;
 * - create_task sends the title in the create (no second request), and list_agents' query goes
 *   to Coder's full-text search (it finds words of the conversation), locally where Coder cannot
 *   run it.
 */
import assert from "node:assert/strict";
import { byId, startHarness } from "./harness.ts";

type Json = Record<string, unknown>;
interface Result {
  agent: string;
  outcome: string;
  detail: string;
}

const C = "/api/v2/chats";
const until = async (cond: () => boolean, what: string) => {
  const deadline = Date.now() + 20_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

Deno.test("e2e v2.39: whose chats the fleet sees and drives, archives, titles, search", async (t) => {
  const h = await startHarness({
    sim: { profile: "current", chats: 30, seed: 5 },
    env: { CODER_FLEET_CALL_BUDGET_S: "5" },
  });
  const sim = h.sim;
  const status = (id: string) => (sim.chat(id) as Json).status;
  const writes = () =>
    sim.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`);
  const lists = () =>
    sim.requests.filter((q) => q.path === C).map((q) =>
      decodeURIComponent(q.query.replace(/\+/g, " "))
    );
  try {
    const own = sim.chatIds("own");
    const [shared] = sim.chatIds("shared");
    const hidden = sim.chatIds("hidden");
    const owner = (sim.chat(shared) as Json).owner_username as string;
    assert.ok(own.length > 5 && shared && hidden.length > 0 && owner !== sim.username);
    // Each step that acts takes a chat of the caller's own that no step took before, waiting.
    const used = new Set<string>();
    const fresh = () => {
      const id = sim.chatIds("own").find((x) => !used.has(x))!;
      used.add(id);
      sim.setChat(id, { status: "waiting" });
      return id;
    };

    await t.step(
      "the fleet: the caller's chats and the shared ones, never the others",
      async () => {
        sim.clearRequests();
        const [r, truth] = await h.frozen(
          async () => [await h.call("fleet_overview"), sim.truth()],
        );
        assert.ok(!r.isError, r.text);
        assert.equal(r.data.total, own.length + sim.chatIds("shared").length);
        assert.equal(r.data.total, truth.total);
        assert.ok(
          lists().some((q) => q.includes("source:created_by_me,shared_with_me")),
          lists()[0],
        );
        const list = await h.call("list_agents", { limit: 200 });
        const listed = byId(list.data.agents);
        for (const id of hidden) assert.equal(listed[id], undefined, "a private chat of another");
        assert.deepEqual(Object.keys(listed).sort(), Object.keys(truth.by_id).sort());
        const row = list.data.agents.find((a: Json) => a.id === shared);
        assert.equal(row.owner, owner, "a shared chat shows its owner");
        const g = await h.call("get_agent", { agent: hidden[0] });
        assert.equal(g.isError, true, "another user's private chat is not found");
      },
    );

    await t.step("get_agent says a shared chat is another user's, read-only", async () => {
      const g = await h.call("get_agent", { agent: shared });
      assert.ok(!g.isError, g.text);
      assert.equal(g.data.agent.shared, true);
      assert.equal(g.data.agent.owner, owner);
      assert.match(g.text, new RegExp(`shared with you by ${owner}: you can read it`));
      const mine = await h.call("get_agent", { agent: own[0] });
      assert.equal(mine.data.agent.shared, undefined);
    });

    await t.step("a write to a shared chat: failed, no request, no wait", async () => {
      sim.setChat(shared, { status: "running" });
      sim.clearRequests();
      const send = await h.call("send_input", { agents: [shared], input: "hi", wait_s: 30 });
      const [s] = send.data.results as Result[];
      assert.equal(s.outcome, "failed", send.text);
      assert.match(s.detail, new RegExp(`belongs to ${owner} .*only its owner can send to it`));
      assert.match(s.detail, /Next: ask/);
      const stop = await h.call("stop_agents", { agents: [shared] });
      assert.equal(stop.data.results[0].outcome, "failed");
      assert.match(stop.data.results[0].detail, /only its owner can interrupt it/);
      const del = await h.call("delete_agents", { agents: [shared] });
      assert.equal(del.data.results[0].outcome, "failed");
      assert.match(del.data.results[0].detail, /only its owner can archive it/);
      const dry = await h.call("stop_agents", { agents: [shared], dry_run: true });
      assert.equal(dry.data.results[0].outcome, "failed", "a dry run says it cannot be done");
      assert.match(dry.data.results[0].detail, /only its owner can interrupt it/);
      for (
        const [tool, more] of [["send_input", { input: "hi" }], ["delete_agents", {}]] as const
      ) {
        const d = await h.call(tool, { agents: [shared], ...more, dry_run: true });
        assert.equal(d.data.results[0].outcome, "failed", `${tool} dry run: ${d.text}`);
        assert.match(d.data.results[0].detail, /only its owner can (send to|archive) it/);
      }
      assert.deepEqual(writes(), [], "no write reached Coder");
      assert.ok(lists().length <= 3, `one list a call, no waiting: ${lists().length}`);
      assert.equal(status(shared), "running");
    });

    await t.step(
      "Coder's own refusals read the same: 403 on a send, 404 on an archive",
      async () => {
        const id = fresh();
        const stopSend = sim.fault(`${C}/${id}/messages`, {
          status: 403,
          method: "POST",
          body: { message: "Only the chat owner may send messages." },
        });
        const send = await h.call("send_input", { agents: [id], input: "hi", if_busy: "fail" });
        stopSend();
        assert.equal(send.data.results[0].outcome, "failed");
        assert.match(
          send.data.results[0].detail,
          /only its owner can send to it \(Coder answered 403\)/,
        );
        const stopPatch = sim.fault(`${C}/${id}`, {
          status: 404,
          method: "PATCH",
          body: { message: "Resource not found or you do not have access to this resource" },
        });
        const del = await h.call("delete_agents", { agents: [id] });
        stopPatch();
        assert.equal(del.data.results[0].outcome, "failed");
        assert.match(
          del.data.results[0].detail,
          /only its owner can archive it \(Coder answered 404/,
        );
      },
    );

    await t.step("create_task: a chat for another user is refused, nothing created", async () => {
      sim.clearRequests();
      for (const args of [{ kind: "chat" }, {}]) {
        const r = await h.call("create_task", { prompt: "Do it", owner: owner, ...args });
        assert.equal(r.isError, true, r.text);
        assert.match(r.text, new RegExp(`cannot be created for another user \\(${owner}\\)`));
        assert.match(r.text, /invisible to you/);
        assert.match(r.text, /Next: leave owner out/);
      }
      assert.deepEqual(writes(), []);
      const mine = await h.call("create_task", { prompt: "Do it", owner: sim.username });
      assert.ok(!mine.isError && mine.data.created.length === 1, mine.text);
    });

    await t.step("create_task: the title goes in the create, no second request", async () => {
      sim.clearRequests();
      const r = await h.call("create_task", { prompt: "Write the release notes", name: "Notes" });
      assert.ok(!r.isError, r.text);
      const id = r.data.created[0].id;
      assert.equal((sim.chat(id) as Json).title, "Notes");
      assert.equal(r.data.created[0].name, "Notes");
      assert.deepEqual(writes(), [`POST ${C}`], "one write: the create");
    });

    await t.step(
      "delete_agents: a running chat is interrupted, settles, then archived",
      async () => {
        const id = fresh();
        sim.setChat(id, { status: "running" });
        sim.clearRequests();
        sim.clock.unfreeze(); // the interrupt takes its (paced) moment
        const d = await h.call("delete_agents", { agents: [id] }).finally(() => sim.clock.freeze());
        assert.deepEqual(
          [d.data.results[0].outcome, d.data.results[0].detail],
          ["done", "interrupted, then archived"],
          d.text,
        );
        assert.deepEqual(writes(), [`POST ${C}/${id}/interrupt`, `PATCH ${C}/${id}`]);
        assert.equal((sim.chat(id) as Json).archived, true);
      },
    );

    await t.step(
      "delete_agents: Coder's 409 (it started meanwhile): interrupted, archived",
      async () => {
        const id = fresh();
        // The archive request is held a moment at Coder; the chat starts running meanwhile.
        const stop = sim.fault(`${C}/${id}`, { delayMs: 300, method: "PATCH", times: 1 });
        sim.clearRequests();
        sim.clock.unfreeze();
        try {
          const call = h.call("delete_agents", { agents: [id] });
          await until(() => sim.requests.some((q) => q.method === "PATCH"), "the archive request");
          sim.setChat(id, { status: "running" });
          const d = await call;
          assert.equal(d.data.results[0].outcome, "done", d.text);
          assert.equal(d.data.results[0].detail, "interrupted, then archived");
        } finally {
          sim.clock.freeze();
          stop();
        }
        const patches = sim.requests.filter((q) => q.method === "PATCH").map((q) => q.status);
        assert.deepEqual(patches, [409, 204], "refused while active, then archived");
        assert.ok(writes().includes(`POST ${C}/${id}/interrupt`));
        assert.equal((sim.chat(id) as Json).archived, true);
      },
    );

    await t.step(
      "delete_agents: a chat that does not settle in the budget fails, saying so",
      async () => {
        // The sim's clock stands still: the interrupt never ends.
        const id = fresh();
        sim.setChat(id, { status: "running" });
        const d = await h.call("delete_agents", { agents: [id] });
        const [r] = d.data.results as Result[];
        assert.equal(r.outcome, "failed", d.text);
        assert.match(
          r.detail,
          /was interrupted but is still interrupting after \d+\.\d s, so it was not archived/,
        );
        assert.match(
          r.detail,
          /Next: wait_for_agents on it until it settles, then delete_agents again/,
        );
        assert.equal((sim.chat(id) as Json).archived, false);
      },
    );

    await t.step("list_agents query: Coder's search finds words of the conversation", async () => {
      const id = fresh();
      const word = "quixoticfrobnicator";
      await h.call("send_input", { agents: [id], input: `Please look at the ${word} module` });
      sim.clearRequests();
      const r = await h.call("list_agents", { query: word });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(
        r.data.agents.map((a: Json) => a.id),
        [id],
        "kept, though its name lacks it",
      );
      assert.ok(lists().some((q) => q.includes(`search:${word}`)), lists().join(" | "));
    });

    await t.step("list_agents query Coder cannot run: only stopwords stay local", async () => {
      sim.clearRequests();
      const r = await h.call("list_agents", { query: "the", limit: 200 });
      assert.ok(!r.isError, r.text);
      assert.ok(!lists().some((q) => q.includes("search:")), lists().join(" | "));
      for (const a of r.data.agents) {
        assert.ok(`${a.name} ${a.message}`.toLowerCase().includes("the"), a.name);
      }
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e v2.39: a Coder that answers 400 to search: gets the query matched locally", async () => {
  const h = await startHarness({ sim: { profile: "current", chats: 12, seed: 5 } });
  try {
    await h.call("fleet_overview"); // detection, and the sources probed
    const all = (await h.call("list_agents", { limit: 200 })).data.agents as Json[];
    const word = String(all[0].name).split(" ")[0].toLowerCase();
    const stop = h.sim.fault("/api/v2/chats", {
      status: 400,
      method: "GET",
      times: 1,
      body: { message: "Invalid chat search query.", validations: [{ field: "q", detail: "x" }] },
    });
    h.sim.clearRequests();
    const r = await h.call("list_agents", { query: word, limit: 200 });
    stop();
    const want = all.filter((a) => `${a.name} ${a.message}`.toLowerCase().includes(word));
    assert.deepEqual(r.data.agents.map((a: Json) => a.id).sort(), want.map((a) => a.id).sort());
    const qs = h.sim.requests.filter((q) => q.path === "/api/v2/chats").map((q) => q.status);
    assert.deepEqual(qs, [400, 200], "refused once, then listed without it");
    h.sim.clearRequests();
    await h.call("list_agents", { query: word });
    assert.ok(
      !h.sim.requests.some((q) => decodeURIComponent(q.query).includes("search:")),
      "not asked again",
    );
  } finally {
    await h.close();
  }
});
