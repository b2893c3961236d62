/**
 * End to end: the write tools select by filter (`where`) and dry-run (DESIGN, "Selecting by
 * filter"), over both back ends of one deployment, checked against the simulator's ground truth
 * agent by agent and against its request log:
 *
 * - `agents` or `where`, never both, never neither, never an empty or unknown filter;
 * - a dry run (by handles or by `where`) sends no request but GETs, and says who would be acted on;
 * - a `where` over 100 matches is refused with the count and the filters that narrow it, and
 *   sends no write; one that matches none says so; one that cannot see a back end refuses;
 * - `where` sends the very list requests of a `list_agents` with those filters, and acts on
 *   exactly the agents it matched, newest first.
 */
import assert from "node:assert/strict";
import { assertCleanError, type Harness, startHarness, type ToolResult } from "./harness.ts";

type Req = { method: string; path: string; query: string };
type Row = { agent: string; id: string; kind: string; outcome: string; detail: string };

const writes = (reqs: Req[]) =>
  reqs.filter((q) => q.method !== "GET" && q.method !== "HEAD").map((q) => `${q.method} ${q.path}`);
const gets = (reqs: Req[]) =>
  reqs.filter((q) => q.method === "GET").map((q) => `${q.path}?${q.query}`);
const ids = (r: ToolResult): string[] => r.data.results.map((x: Row) => x.id);
const outcomes = (r: ToolResult): string[] => r.data.results.map((x: Row) => x.outcome);

/** The sim's raw facts of an agent, for ground truth. */
const taskOwner = (h: Harness, id: string) => (h.sim.task(id) as { owner_name: string }).owner_name;
const chatOf = (h: Harness, id: string) =>
  h.sim.chat(id) as { owner_username: string; labels: Record<string, string>; archived: boolean };
const stateOf = (h: Harness, id: string) => h.sim.truth().by_id[id];

/** What list_agents answers for these filters, in its order (newest first). */
async function listed(h: Harness, filters: Record<string, unknown>): Promise<string[]> {
  const r = await h.call("list_agents", { ...filters, limit: 200 });
  assert.ok(!r.isError, r.text);
  return r.data.agents.map((a: { id: string }) => a.id);
}

Deno.test("e2e where and dry_run: select by filter, act on exactly the match", async (t) => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 110, chats: 30, seed: 20, frozen: true },
  });
  try {
    await h.call("fleet_overview");
    const tasks = h.sim.taskIds();
    // Only a chat's owner may write to it (DESIGN, "Whose agents"): the writes go to the caller's.
    const me = h.sim.username;
    const chats = h.sim.chatIds("own");

    await t.step(
      "agents and where together, neither, {} or a bad filter: refused, no write",
      async () => {
        h.sim.clearRequests();
        const both = await h.call("stop_agents", { agents: [tasks[0]], where: { kind: "task" } });
        assert.match(assertCleanError(both), /agents or where, not both/);
        const neither = await h.call("delete_agents", {});
        assert.match(assertCleanError(neither), /give agents .* or where/);
        const empty = await h.call("delete_agents", { where: {} });
        assert.match(assertCleanError(empty), /would select every agent/);
        const unknown = await h.call("stop_agents", { where: { colour: "red" } });
        assert.match(
          assertCleanError(unknown),
          /Unknown filter "colour": where takes only state/,
        );
        const bad = await h.call("send_input", { where: { state: "sleeping" }, input: "hi" });
        assert.match(assertCleanError(bad), /where is not valid: state/);
        assert.deepEqual(writes(h.sim.requests), []);
      },
    );

    await t.step("where over 100 is refused with the count and what would narrow it", async () => {
      const truth = h.sim.truth();
      assert.ok(truth.by_kind.task > 100, "the fleet has more than 100 tasks");
      h.sim.clearRequests();
      for (const dry_run of [true, false]) {
        const r = await h.call("delete_agents", { where: { kind: "task" }, dry_run });
        const text = assertCleanError(r);
        assert.match(
          text,
          new RegExp(`where matches ${truth.by_kind.task} agents, more than the 100`),
        );
        assert.match(text, /Next: Narrow where with one of: state \w+ \(\d+\)/);
        assert.match(text, /owner \w+ \(\d+\)/);
      }
      assert.deepEqual(writes(h.sim.requests), [], "not one task deleted");
      assert.equal(h.sim.truth().by_kind.task, truth.by_kind.task);
    });

    await t.step("where that matches none: said, not an error, no write", async () => {
      h.sim.clearRequests();
      const r = await h.call("stop_agents", { where: { label: "team:nobody" } });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(r.data.results, []);
      assert.match(r.text, /^No agent matched where: nothing was done\.$/);
      assert.deepEqual(writes(h.sim.requests), []);
    });

    await t.step(
      "where with a back end's list failing: refused, not acted on in part",
      async () => {
        const drop = h.sim.fault("/api/v2/chats", { status: 500, method: "GET" });
        try {
          h.sim.clearRequests();
          const r = await h.call("stop_agents", { where: { state: "working" } });
          assert.match(assertCleanError(r), /where could not see the whole fleet \(chat list: /);
          assert.match(r.text, /add kind: "task"/);
          assert.deepEqual(writes(h.sim.requests), [], "no task stopped either");
          const tasksOnly = await h.call("stop_agents", {
            where: { kind: "task", state: "working" },
            dry_run: true,
          });
          assert.ok(!tasksOnly.isError, tasksOnly.text);
        } finally {
          drop();
        }
      },
    );

    // Working tasks of several owners, and paused ones, set by the test (the clock stands still).
    for (const id of tasks.slice(0, 16)) h.sim.setTask(id, { status: "active", state: "working" });
    for (const id of tasks.slice(16, 22)) h.sim.setTask(id, { status: "paused" });
    const owner = taskOwner(h, tasks[0]);
    const working = (who: string) =>
      tasks.filter((id) => stateOf(h, id) === "working" && taskOwner(h, id) === who);
    const mine = working(owner);
    assert.ok(mine.length >= 2 && mine.length < tasks.length / 2, "a real selection");

    await t.step("dry_run with where: who would be acted on, no request but GETs", async () => {
      const where = { kind: "task", state: "working", owner };
      const order = await listed(h, where);
      h.sim.clearRequests();
      await listed(h, where);
      const listGets = gets(h.sim.requests);
      h.sim.clearRequests();
      const r = await h.call("stop_agents", { where, dry_run: true });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(gets(h.sim.requests), listGets, "the list requests of list_agents");
      assert.deepEqual(writes(h.sim.requests), []);
      assert.deepEqual(ids(r), order, "every match, newest first as list_agents");
      assert.deepEqual(new Set(ids(r)), new Set(mine), "exactly the working tasks of the owner");
      for (const x of r.data.results as Row[]) {
        assert.equal(x.outcome, "would");
        assert.equal(x.detail, "pause task (now working)");
        assert.equal(x.agent.split("/")[0], owner, "named owner/name");
      }
      assert.match(r.text, new RegExp(`^where matched ${mine.length} agents, newest first\\.\\n`));
      for (const id of mine) assert.equal(stateOf(h, id), "working", "nothing paused");
      // Over both back ends, one order: newest first, as list_agents interleaves them.
      const all = await h.call("delete_agents", { where: { owner }, dry_run: true });
      const kinds = new Set(all.data.results.map((x: Row) => x.kind));
      assert.deepEqual(kinds, new Set(["task", "chat"]), all.text);
      assert.deepEqual(ids(all), await listed(h, { owner }));
      assert.deepEqual(writes(h.sim.requests), []);
    });

    await t.step("dry_run on every write tool, by handles and by where: no write", async () => {
      const idleChat = chats.find((id) => stateOf(h, id) === "idle")!;
      assert.ok(idleChat, "an idle chat");
      h.sim.clearRequests();
      const calls: [string, Record<string, unknown>][] = [
        ["send_input", { agents: [tasks[0], idleChat], input: "next step", dry_run: true }],
        ["send_input", { where: { state: "paused" }, input: "go on", dry_run: true }],
        ["resume_agents", { agents: [tasks[16], tasks[0]], dry_run: true }],
        ["resume_agents", { where: { state: "paused" }, prompt: "new plan", dry_run: true }],
        ["delete_agents", { agents: [tasks[30], idleChat], dry_run: true }],
        ["delete_agents", { where: { kind: "chat", state: "idle", owner: me }, dry_run: true }],
        ["stop_agents", { agents: [tasks[0], tasks[16]], dry_run: true }],
      ];
      const answers = [];
      for (const [tool, args] of calls) {
        const r = await h.call(tool, args);
        assert.ok(!r.isError, `${tool}: ${r.text}`);
        assert.match(r.text, /Dry run: /);
        answers.push(r);
      }
      assert.deepEqual(writes(h.sim.requests), [], "a dry run sends no write at all");
      const [sendNamed, sendWhere, resumeNamed, resumeWhere, , , stopNamed] = answers;
      assert.deepEqual(sendNamed.data.results.map((x: Row) => [x.outcome, x.detail]), [
        ["would", "send once ready (working; if_busy=wait, up to 45 s)"],
        ["would", "send (idle; if_busy=wait)"],
      ]);
      const truth = h.sim.truth().by_id;
      const paused = Object.keys(truth).filter((id) => truth[id] === "paused");
      assert.ok(tasks.slice(16, 22).every((id) => paused.includes(id)));
      assert.deepEqual(new Set(ids(sendWhere)), new Set(paused));
      for (const x of sendWhere.data.results as Row[]) {
        assert.equal(x.detail, "resume, then send once ready (paused; if_busy=wait, up to 45 s)");
      }
      assert.deepEqual(outcomes(resumeNamed), ["would", "skipped"], resumeNamed.text);
      assert.match(resumeNamed.data.results[1].detail, /would skip: not paused/);
      assert.deepEqual(new Set(ids(resumeWhere)), new Set(paused));
      for (const x of resumeWhere.data.results as Row[]) {
        assert.equal(x.detail, "replace the prompt, then resume (paused)");
      }
      assert.deepEqual(outcomes(stopNamed), ["would", "skipped"], stopNamed.text);
      for (const id of paused) assert.equal(stateOf(h, id), "paused");
    });

    await t.step("where acts on exactly the match: stop the owner's working tasks", async () => {
      const before = h.sim.truth().by_id;
      h.sim.clearRequests();
      const r = await h.call("stop_agents", {
        where: { kind: "task", state: "working", owner },
      });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(new Set(ids(r)), new Set(mine));
      assert.ok(outcomes(r).every((o) => o === "done"), r.text);
      const after = h.sim.truth().by_id;
      for (const id of Object.keys(before)) {
        assert.equal(after[id], mine.includes(id) ? "paused" : before[id], `agent ${id}`);
      }
      const paused = writes(h.sim.requests).filter((w) => w.endsWith("/pause"));
      assert.equal(paused.length, mine.length, "one pause per match, none beyond");
    });

    await t.step("where: one agent's failure is its own row, the others are acted on", async () => {
      const running = chats.filter((id) => stateOf(h, id) === "working");
      assert.ok(running.length >= 3, "working chats to interrupt");
      const [bad, lost] = running;
      const drops = [
        h.sim.fault(`/api/v2/chats/${bad}/interrupt`, { status: 500, method: "POST" }),
        h.sim.fault(`/api/v2/chats/${lost}/interrupt`, { status: 502, body: {}, method: "POST" }),
      ];
      try {
        const r = await h.call("stop_agents", {
          where: { kind: "chat", state: "working", owner: me },
        });
        assert.ok(!r.isError, r.text);
        const rows = new Map((r.data.results as Row[]).map((x) => [x.id, x]));
        assert.deepEqual(new Set(rows.keys()), new Set(running));
        assert.equal(rows.get(bad)!.outcome, "failed", r.text);
        assert.match(rows.get(bad)!.detail, /Next: /);
        assert.equal(rows.get(lost)!.outcome, "uncertain", r.text);
        assert.match(r.text, /Uncertain writes may have happened/);
        for (const id of running.slice(2)) {
          assert.equal(rows.get(id)!.outcome, "done", r.text);
          assert.notEqual(stateOf(h, id), "working", `chat ${id} interrupted`);
        }
        assert.equal(stateOf(h, bad), "working", "the refused one still works");
      } finally {
        for (const drop of drops) drop();
      }
    });

    await t.step("where on chats: send to every idle chat, once each", async () => {
      const idle = chats.filter((id) => stateOf(h, id) === "idle");
      assert.ok(idle.length >= 2 && idle.length < chats.length, "some chats idle, not all");
      const before = new Map(chats.map((id) => [id, h.sim.chatMessages(id)]));
      const r = await h.call("send_input", {
        where: { kind: "chat", state: "idle", owner: me },
        input: "Please summarise your progress.",
        if_busy: "fail",
      });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(new Set(ids(r)), new Set(idle));
      assert.ok(outcomes(r).every((o) => o === "sent"), r.text);
      for (const id of chats) {
        const more = h.sim.chatMessages(id) - before.get(id)!;
        assert.equal(more > 0, idle.includes(id), `chat ${id}: messaged only if matched`);
      }
    });

    await t.step("where on chats: archive every chat with a label", async () => {
      const visible = h.sim.chatIds();
      const labelled = chats.filter((id) => chatOf(h, id).labels.team === "infra");
      assert.ok(labelled.length >= 1 && labelled.length < visible.length, "a real selection");
      for (const id of labelled) h.sim.setChat(id, { status: "waiting" });
      const r = await h.call("delete_agents", { where: { label: "team:infra", owner: me } });
      assert.ok(!r.isError, r.text);
      assert.deepEqual(new Set(ids(r)), new Set(labelled));
      assert.ok(outcomes(r).every((o) => o === "done"), r.text);
      for (const id of visible) {
        assert.equal(chatOf(h, id).archived, labelled.includes(id), `chat ${id}`);
      }
      assert.deepEqual(
        new Set(h.sim.chatIds()),
        new Set(visible.filter((id) => !labelled.includes(id))),
      );
    });

    await t.step("where on tasks: resume every paused task (chats skipped)", async () => {
      const paused = h.sim.taskIds().filter((id) => stateOf(h, id) === "paused");
      assert.ok(paused.length > mine.length, "the stopped ones and the test's own");
      const r = await h.call("resume_agents", { where: { state: "paused" } });
      assert.ok(!r.isError, r.text);
      const done = (r.data.results as Row[]).filter((x) => x.outcome === "done").map((x) => x.id);
      assert.deepEqual(new Set(done), new Set(paused), r.text);
      for (const id of paused) assert.notEqual(stateOf(h, id), "paused", `task ${id} resumed`);
    });
  } finally {
    await h.close();
  }
});
