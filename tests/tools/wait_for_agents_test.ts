/**
 * wait_for_agents' answer, line by line, without waiting: `timeout_s: 0` takes one round of the
 * lists and answers. The first line (done, or timed out, with the counts and the condition's
 * word), the rows that met it and those pending (50 each, the rest counted), the agents already
 * settled at the start of a whole-fleet wait (10, all counted), the handles that name no agent
 * (50, the rest counted), and the refusal of agents with filters. In process, on the sim
 * (tests/tools/on_sim.ts). Waits that end on a change are tests/e2e/fresh_wait_e2e_test.ts's.
 */
import assert from "node:assert/strict";
import { within } from "../deadline.ts";
import { onSim } from "./on_sim.ts";

const SETTLED = ["idle", "complete", "failed", "paused", "error"];

/** The text's lines that are not rows. */
const heads = (text: string) => text.split("\n").filter((l) => !l.startsWith("- "));

Deno.test("wait_for_agents: counts, rows and their caps, already and not found", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 180 } }, async ({ sim, call }) => {
    const truth = sim.truth();
    const ids = sim.taskIds();
    const settled = ids.filter((id) => SETTLED.includes(truth.by_id[id]));
    const busy = ids.filter((id) => !SETTLED.includes(truth.by_id[id]));
    assert.ok(settled.length > 60 && busy.length > 50, `${settled.length}, ${busy.length}`);

    // Everyone, until all settled: it times out; 50 rows of each, the rest counted.
    const all = await call("wait_for_agents", { agents: ids, mode: "all", timeout_s: 0 });
    assert.ok(!all.isError, all.text);
    assert.equal(all.data.done, false);
    assert.equal(all.data.timed_out, true);
    assert.equal(all.data.changed_total, settled.length);
    assert.equal(all.data.pending_total, busy.length);
    assert.equal(all.data.changed.length, 50);
    assert.equal(all.data.pending.length, 50);
    assert.deepEqual(heads(all.text), [
      `Timed out after 0 s: ${settled.length} of ${ids.length} settled.`,
      "Settled:",
      `[${settled.length - 50} more not shown]`,
      "Pending:",
      `[${busy.length - 50} more not shown]`,
    ]);
    assert.equal(all.text.split("\n").filter((l) => l.startsWith("- ")).length, 100);
    assert.equal(all.data.already, undefined, "named agents: no already");
    assert.deepEqual(all.data.not_found, []);

    // Fifty of each: every row shown, nothing counted apart.
    const fifty = await call("wait_for_agents", {
      agents: [...settled.slice(0, 50), ...busy.slice(0, 50)],
      mode: "all",
      timeout_s: 0,
    });
    assert.deepEqual(heads(fifty.text), [
      "Timed out after 0 s: 50 of 100 settled.",
      "Settled:",
      "Pending:",
    ]);

    // Any of them: done at once, the elapsed time said.
    const any = await call("wait_for_agents", { agents: [settled[0], busy[0]] });
    assert.equal(any.data.done, true);
    assert.equal(any.data.timed_out, false);
    assert.match(heads(any.text)[0], /^Done after \d+\.\d s: 1 of 2 settled\.$/);
    assert.deepEqual(heads(any.text).slice(1), ["Settled:", "Pending:"]);
    assert.deepEqual(any.data.changed.map((a: { id: string }) => a.id), [settled[0]]);
    assert.deepEqual(any.data.pending.map((a: { id: string }) => a.id), [busy[0]]);

    // The condition's word: "changed" for any_change, capitalised as the rows' header.
    const change = await call("wait_for_agents", {
      agents: [busy[0]],
      until: "any_change",
      timeout_s: 0,
    });
    assert.deepEqual(heads(change.text), ["Timed out after 0 s: 0 of 1 changed.", "Pending:"]);

    // Handles that name no agent: 50 lines, the rest counted; the agents found still watched.
    const nobody = Array.from({ length: 53 }, (_, i) => `nobody-${i}`);
    const lost = await call("wait_for_agents", {
      agents: [busy[0], ...nobody],
      until: "idle",
      timeout_s: 0,
    });
    assert.equal(lost.data.not_found.length, 53);
    const lines = heads(lost.text);
    assert.deepEqual(lines.slice(0, 2), ["Timed out after 0 s: 0 of 1 idle.", "Pending:"]);
    const notFound = lines.filter((l) => l.startsWith("Not found: "));
    assert.equal(notFound.length, 50);
    assert.equal(
      notFound[0],
      'Not found: nobody-0: No agent "nobody-0" was found. Next: A bare name means one of ' +
        "your own agents; use owner/name for another user's, or find it with list_agents.",
    );
    assert.equal(lines.at(-1), "[3 more not found]");
    assert.deepEqual(lost.data.not_found[52], {
      agent: "nobody-52",
      error: 'No agent "nobody-52" was found. Next: A bare name means one of your own agents; ' +
        "use owner/name for another user's, or find it with list_agents.",
    });

    // The whole fleet: agents settled at the start are counted apart, ten of them shown.
    const fleet = await call("wait_for_agents", { timeout_s: 0 });
    assert.equal(fleet.data.done, false);
    assert.equal(fleet.data.already_total, settled.length);
    assert.equal(fleet.data.already.length, 10);
    assert.deepEqual(fleet.data.appeared, []);
    assert.deepEqual(heads(fleet.text).slice(0, 2), [
      `Timed out after 0 s: 0 of ${busy.length} settled.`,
      `${settled.length} agents were already settled at the start (not counted; first 10 in ` +
      "already; list_agents shows them all).",
    ]);
  });
});

Deno.test("wait_for_agents: a few already settled are all shown; agents and filters refused", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 12 } }, async ({ sim, call }) => {
    const truth = sim.truth();
    const settled = Object.values(truth.by_id).filter((s) => SETTLED.includes(s)).length;
    assert.ok(settled > 0 && settled < 10, `${settled} settled`);
    const r = await call("wait_for_agents", { until: "settled", timeout_s: 0 });
    assert.equal(r.data.already.length, settled);
    assert.match(
      r.text,
      new RegExp(
        `^${settled} agents were already settled at the start \\(not counted; first ${settled} in already;`,
        "m",
      ),
    );
    const both = await call("wait_for_agents", { agents: [sim.taskIds()[0]], state: ["idle"] });
    assert.equal(both.isError, true);
    assert.equal(
      both.text,
      "Error: Give agents or filters, not both.\n" +
        "Next: Drop the filters to watch the named agents, or drop agents to watch what the filters match.",
    );
  });
});

Deno.test("wait_for_agents: during the wait, its progress, an agent gone, one that settles, one that appears", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 8 } }, async ({ sim, fleet, client, call }) => {
    const [a, b, c] = sim.taskIds();
    for (const id of [a, b, c]) sim.setTask(id, { status: "active", state: "working" });
    /** Start a wait; `first` settles at its first progress notification. */
    const begin = (args: Record<string, unknown>) => {
      const messages: string[] = [];
      let seen!: () => void;
      const first = new Promise<void>((r) => seen = r);
      const result = client.callTool({ name: "wait_for_agents", arguments: args }, {
        timeout: 30_000,
        onprogress: (p) => {
          messages.push(p.message ?? "");
          seen();
        },
      });
      return { messages, first: within(first, "the wait's first round"), result };
    };
    const text = (r: Awaited<ReturnType<typeof client.callTool>>) =>
      (r.content as { text: string }[]).map((c) => c.text).join("\n");

    const named = begin({ agents: [a, b, c], mode: "all", timeout_s: 20 });
    await named.first;
    assert.equal(fleet.waits.waits, 1, "the wait holds its place while it waits");
    assert.equal(named.messages[0], "0 of 3 agents settled");
    assert.ok(!(await call("delete_agents", { agents: [a, c] })).isError);
    sim.setTask(b, { status: "active", state: "idle" });
    const r = await within(named.result, "the named wait to end");
    // deno-lint-ignore no-explicit-any
    const data = r.structuredContent as any;
    assert.equal(data.done, true, text(r));
    assert.deepEqual([...data.gone].sort(), [a, c].sort());
    assert.deepEqual(data.changed.map((x: { id: string }) => x.id), [b]);
    assert.match(
      text(r),
      new RegExp(`^Gone \\(deleted or archived\\): ${data.gone.join(", ")}$`, "m"),
    );
    assert.equal(fleet.waits.waits, 0, "and gives it back when it ends");

    // The whole fleet, any change: an agent that appears ends it, and is counted.
    const fresh = begin({ until: "any_change", timeout_s: 20 });
    await fresh.first;
    assert.match(fresh.messages[0], /^0 of \d+ agents changed$/);
    const made = await call("create_task", { prompts: ["Appear", "Too"], template: "codex" });
    const ids = made.data.created.map((x: { id: string }) => x.id);
    assert.equal(ids.length, 2);
    const f = await within(fresh.result, "the fresh wait to end");
    // deno-lint-ignore no-explicit-any
    const fdata = f.structuredContent as any;
    assert.deepEqual([...fdata.appeared].sort(), [...ids].sort());
    assert.match(text(f), /^Appeared during the call: 2\.$/m);
    assert.equal(fleet.waits.waits, 0);
  });
});

Deno.test("wait_for_agents: sixty agents appear in one round: fifty ids in appeared, all counted", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 4 } }, async ({ sim, client, call }) => {
    let seen!: () => void;
    const first = new Promise<void>((r) => seen = r);
    const result = client.callTool(
      { name: "wait_for_agents", arguments: { until: "any_change", timeout_s: 20 } },
      { timeout: 30_000, onprogress: () => seen() },
    );
    await within(first, "the wait's first round");
    // The next list is held 5 s, so the sixty land in one round whatever the machine's pace.
    sim.fault("/api/v2/tasks", { method: "GET", delayMs: 5_000, times: 1 });
    const made = await call("create_task", {
      prompts: Array.from({ length: 60 }, (_, i) => `Appear ${i}`),
      template: "codex",
    });
    assert.equal(made.data.created.length, 60, made.text);
    const r = await within(result, "the wait to end");
    // deno-lint-ignore no-explicit-any
    const data = r.structuredContent as any;
    assert.equal(data.done, true);
    assert.equal(data.appeared.length, 50, "the ids are capped like every row list");
    assert.equal(data.changed_total, 60);
    const ids = new Set(made.data.created.map((x: { id: string }) => x.id));
    assert.ok(data.appeared.every((id: string) => ids.has(id)));
    // deno-lint-ignore no-explicit-any
    assert.match((r.content as any)[0].text, /^Appeared during the call: 60\.$/m);
  });
});

Deno.test("wait_for_agents: handles that name nobody: nothing to watch; fifty are all listed", async () => {
  // The caller's username is long: an error that lists agents with their owner runs long.
  const users = ["a".repeat(30), "bob"];
  await onSim({ sim: { profile: "current", chats: 2, users } }, async ({ fleet, call }) => {
    const long = `nobody-${"x".repeat(90)}`;
    const none = await call("wait_for_agents", { agents: ["nobody", long], timeout_s: 30 });
    assert.equal(none.data.done, false);
    const lines = none.text.split("\n");
    assert.equal(lines[0], "Nothing to watch: no agent matched.");
    assert.equal(lines[1].split(": ")[0], "Not found");
    assert.ok(lines[2].startsWith(`Not found: ${long.slice(0, 79)}…: `), lines[2]);
    // An error line is capped at 400: a title that five chats answer to lists them all.
    for (let i = 0; i < 5; i++) {
      assert.ok(
        !(await call("create_task", { prompt: "x", template: "codex", name: "twin" })).isError,
      );
    }
    const twin = await call("wait_for_agents", { agents: ["twin"], timeout_s: 0 });
    const error = twin.data.not_found[0].error as string;
    assert.ok(error.length > 400, `${error.length}`);
    assert.equal(
      twin.text.split("\n").find((l) => l.startsWith("Not found: twin: ")),
      `Not found: twin: ${error.slice(0, 399)}…`,
    );
    const fifty = Array.from({ length: 50 }, (_, i) => `nobody-${i}`);
    const all = await call("wait_for_agents", { agents: fifty, timeout_s: 0 });
    assert.equal(all.text.split("\n").filter((l) => l.startsWith("Not found: ")).length, 50);
    assert.doesNotMatch(all.text, /more not found/);
    assert.equal(fleet.waits.waits, 0);
  });
});

Deno.test("wait_for_agents: timeout_s in seconds to its edge, and the time said to a tenth", async () => {
  // The fleet's clock is the test's: it moves only when the test moves it, at a round.
  let t = Date.parse("2026-03-01T12:00:00Z");
  await onSim({ sim: { profile: "tasks", tasks: 1 }, fleet: { now: () => t } }, async (s) => {
    const [id] = s.sim.taskIds();
    /**
     * Wait on the task (working) for 3 s; at the first round the clock moves `ms`; at the round
     * after, `settle` makes it idle. The answer's first line and data.
     */
    const wait = async (ms: number, settle: boolean) => {
      s.sim.setTask(id, { status: "active", state: "working" });
      let rounds = 0;
      const r = await within(
        s.client.callTool({ name: "wait_for_agents", arguments: { agents: [id], timeout_s: 3 } }, {
          timeout: 30_000,
          onprogress: () => {
            rounds++;
            if (rounds === 1) t += ms;
            if (rounds === 2 && settle) s.sim.setTask(id, { status: "active", state: "idle" });
          },
        }),
        "the wait to end",
      );
      // deno-lint-ignore no-explicit-any
      const data = r.structuredContent as any;
      return { first: (r.content as { text: string }[])[0].text.split("\n")[0], data };
    };
    // 2.95 s is 3.0 s to a tenth; 2.949 s is 2.9 s.
    assert.equal((await wait(2_950, true)).first, "Done after 3.0 s: 1 of 1 settled.");
    assert.equal((await wait(2_949, true)).first, "Done after 2.9 s: 1 of 1 settled.");
    // A millisecond short of 3 s the wait goes on (and sees the task settle); at 3 s it is over.
    const short = await wait(2_999, true);
    assert.equal(short.data.timed_out, false, short.first);
    assert.equal(short.first, "Done after 3.0 s: 1 of 1 settled.");
    const over = await wait(3_000, false);
    assert.equal(over.data.timed_out, true, over.first);
    assert.equal(over.first, "Timed out after 3 s: 0 of 1 settled.");
  });
});
