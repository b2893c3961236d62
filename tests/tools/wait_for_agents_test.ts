/**
 * wait_for_agents' answer, line by line, without waiting: `timeout_s: 0` takes one round of the
 * lists and answers. The first line (done, or timed out, with the counts and the condition's
 * word), the rows that met it and those pending (50 each, the rest counted), the agents already
 * settled at the start of a whole-fleet wait (10, all counted), the handles that name no agent
 * (50, the rest counted), and the refusal of agents with filters. In process, on the sim
 * (tests/tools/on_sim.ts). Waits that end on a change are tests/e2e/fresh_wait_e2e_test.ts's.
 */
import assert from "node:assert/strict";
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
