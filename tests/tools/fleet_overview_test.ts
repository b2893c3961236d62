/**
 * fleet_overview, line by line, against the sim's truth: the deployment line, the counts in the
 * states' order, the owners ranked (ten in the text, fifty in the data, the rest summed), the
 * rows waiting on you (capped at twenty, all counted), the stalled rows, the filters, and the AI
 * spend line with and without a limit. In process, on the sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { AGENT_STATES } from "../../src/model/agent.ts";
import { until, within } from "../deadline.ts";
import { onSim } from "./on_sim.ts";
import { countsOf, reasonsSaid } from "../overview_expect.ts";

/** The overview's line of reasons, in its words and order (a regex source). */
function reasonsLine(reasons: Record<string, number>): string {
  const said = reasonsSaid(reasons);
  assert.ok(said.length >= 3, said.join());
  return `Waiting on you: ${said.join(", ")}\\.`;
}

Deno.test("fleet_overview: the deployment, the counts and the owners, ranked and capped", async () => {
  // 60 owners, 125 tasks dealt round-robin: the first five own 3, the others 2.
  const users = Array.from({ length: 60 }, (_, i) => `user${String(i).padStart(2, "0")}`);
  await onSim({ sim: { profile: "tasks", tasks: 125, users } }, async ({ sim, call }) => {
    const truth = sim.truth();
    const r = await call("fleet_overview");
    assert.ok(!r.isError, r.text);
    const lines = r.text.split("\n");
    assert.equal(
      lines[0],
      `Coder ${r.data.coder.version} at ${sim.url} as user00; back ends: /api/v2/tasks`,
    );
    assert.deepEqual(r.data.coder, { url: sim.url, version: r.data.coder.version, user: "user00" });
    assert.match(r.data.coder.version, /^v2\.\d+/);
    assert.deepEqual(r.data.backends, [{ kind: "task", api: "/api/v2/tasks" }]);
    // The counts: the truth's, in the states' own order, none that is zero.
    assert.equal(r.data.total, 125);
    assert.deepEqual(r.data.by_state, truth.by_state);
    const counts = AGENT_STATES.filter((s) => truth.by_state[s])
      .map((s) => `${s} ${truth.by_state[s]}`).join(", ");
    assert.equal(lines[1], `125 agents: ${counts}`);
    assert.deepEqual(r.data.by_waiting_for, countsOf(truth.waiting_for));
    assert.deepEqual(r.data.by_pr, { none: 125 }, "tasks have no pull request; no zero counts");
    assert.match(r.text, new RegExp(`^${reasonsLine(countsOf(truth.waiting_for))}$`, "m"));
    // Owners: the largest first, then by name; ten in the text, then an ellipsis.
    assert.equal(
      lines[2],
      "By owner (60): user00 3, user01 3, user02 3, user03 3, user04 3, user05 2, user06 2, " +
        "user07 2, user08 2, user09 2, …",
    );
    assert.equal(r.data.owners_total, 60);
    const owners = Object.entries(r.data.by_owner as Record<string, number>);
    assert.equal(owners.length, 51, "the 50 largest, and the rest summed");
    assert.deepEqual(owners[0], ["user00", 3]);
    assert.deepEqual(owners[49], ["user49", 2]);
    assert.deepEqual(owners[50], ["(others)", 20], "user50 to user59, 2 each");
    const sum = owners.reduce((n, [, c]) => n + c, 0);
    assert.equal(sum, 125, "no agent is lost from the counts");
    // Waiting on you: every settled agent counted, twenty shown.
    const settled = Object.values(truth.by_id).filter((s) =>
      ["idle", "complete", "failed", "paused", "error"].includes(s)
    ).length;
    assert.ok(settled > 20, `${settled} settled`);
    assert.equal(r.data.attention_total, settled);
    assert.equal(r.data.attention.length, 20);
    assert.match(
      r.text,
      new RegExp(
        `^Waiting on you \\(20 of ${settled}: a decision or a failure first, then longest waiting\\):$`,
        "m",
      ),
    );
    const rows = r.text.split("\n").filter((l) =>
      /^- \S+ .* \| task \| /.test(l)
    );
    assert.equal(rows.length, 20);
    assert.equal(r.data.spend, null, "a Coder without an AI Gateway reports no spend");
    assert.equal(r.data.capacity, undefined, "no chats, no licence capacity");
    assert.doesNotMatch(r.text, /\n\n|^\n|\n$/, "no empty line");
    assert.doesNotMatch(r.text, /AI spend|Stalled|No agent is waiting/);
  });
});

Deno.test("fleet_overview: few owners, all named; by owner and kind; nothing waiting on you", async () => {
  await onSim({
    sim: { profile: "both", tasks: 6, chats: 4 },
    // The server's clock an hour ahead of the sim's: a working agent has stood still for an
    // hour, over the 30 min threshold.
    fleet: { stalledMs: 30 * 60_000, now: () => Date.now() + 3_600_000 },
  }, async ({ sim, call }) => {
    const all = await call("fleet_overview");
    assert.equal(all.data.total, sim.truth().total);
    const owners = all.data.owners_total;
    assert.ok(owners > 1 && owners <= 10);
    const byOwner = all.text.split("\n").find((l) => l.startsWith("By owner"))!;
    assert.match(byOwner, new RegExp(`^By owner \\(${owners}\\): [^…]+$`), "no ellipsis");
    assert.equal(byOwner.split(", ").length, owners);
    assert.deepEqual(all.data.backends.map((b: { kind: string }) => b.kind), ["task", "chat"]);
    assert.match(all.text.split("\n")[0], /; back ends: \/api\/v2\/tasks, \/api\/v2\/chats$/);
    assert.doesNotMatch(all.text, /\n\n/, "no empty line");

    const tasks = await call("fleet_overview", { kind: "task" });
    assert.equal(tasks.data.total, sim.truth().by_kind.task);
    assert.deepEqual(tasks.data.backends, [{ kind: "task", api: "/api/v2/tasks" }]);
    assert.equal(tasks.data.capacity, undefined, "capacity is about chats");
    assert.match(tasks.text.split("\n")[0], /; back ends: \/api\/v2\/tasks$/);
    const chats = await call("fleet_overview", { kind: "chat" });
    assert.equal(chats.data.total, sim.truth().by_kind.chat);
    assert.equal(typeof chats.data.capacity?.running, "number");

    const alice = await call("fleet_overview", { owner: "alice" });
    assert.ok(alice.data.total > 0 && alice.data.total < all.data.total);
    assert.deepEqual(Object.keys(alice.data.by_owner), ["alice"]);
    assert.match(alice.text, new RegExp(`^By owner \\(1\\): alice ${alice.data.total}$`, "m"));

    // Every task working, and still for longer than the threshold: stalled, and nobody waits
    // on you.
    for (const id of sim.taskIds()) sim.setTask(id, { status: "active", state: "working" });
    const busy = await call("fleet_overview", { kind: "task" });
    assert.equal(busy.data.attention_total, 0);
    assert.deepEqual(busy.data.attention, []);
    assert.equal(busy.data.stalled_total, 6);
    const lines = busy.text.split("\n");
    assert.equal(lines.at(-1), "No agent is waiting on you.");
    const head = lines.findIndex((l) => l.startsWith("Stalled ("));
    assert.equal(
      lines[head],
      "Stalled (6: working, but no change from Coder for 30 min or more; read them with " +
        "get_logs, stop_agents them if stuck):",
    );
    assert.equal(lines.slice(head + 1, -1).length, 6, "a row per stalled agent");
    assert.equal(lines[1], "6 agents: working 6");
  });
});

Deno.test("fleet_overview: the AI spend line, with its limit, without one, and spent", async () => {
  await onSim({ sim: { profile: "current", chats: 4 } }, async ({ sim, call }) => {
    const spendLine = async (body: unknown) => {
      const off = sim.fault("/api/v2/users/me/ai/spend", { kind: "wrong_shape", body });
      try {
        const r = await call("fleet_overview");
        assert.ok(!r.isError, r.text);
        return { line: r.text.split("\n").find((l) => l.startsWith("AI spend")), data: r.data };
      } finally {
        off();
      }
    };
    const period = { period_start: "2026-11-01T00:00:00Z", period_end: "2026-12-01T00:00:00Z" };
    const limited = await spendLine({
      current_spend_micros: 12_345_678,
      effective_budget: { limit_source: "group", spend_limit_micros: 50_000_000 },
      ...period,
    });
    assert.equal(limited.line, "AI spend this period: $12.35 of $50.00.");
    assert.deepEqual(limited.data.spend, {
      usd: 12.345678,
      limit_usd: 50,
      period_end: "2026-12-01T00:00:00Z",
    });
    const unlimited = await spendLine({ current_spend_micros: 1_000_000, ...period });
    assert.equal(unlimited.line, "AI spend this period: $1.00 (no limit).");
    assert.equal(unlimited.data.spend.limit_usd, null);
    const spent = await spendLine({
      current_spend_micros: 50_000_000,
      effective_budget: { spend_limit_micros: 50_000_000 },
      ...period,
    });
    assert.equal(spent.line, "AI spend this period: $50.00 of $50.00: the budget is spent.");
    const under = await spendLine({
      current_spend_micros: 49_999_999,
      effective_budget: { spend_limit_micros: 50_000_000 },
      ...period,
    });
    assert.equal(under.line, "AI spend this period: $50.00 of $50.00.", "rounded, not spent");
  });
});

Deno.test("fleet_overview: what waits on you, by reason and PR state, the urgent first", async () => {
  await onSim({ sim: { profile: "current", chats: 120, seed: 3 } }, async ({ sim, call }) => {
    const truth = sim.truth();
    const r = await call("fleet_overview");
    assert.ok(!r.isError, r.text);
    const reasons = countsOf(truth.waiting_for);
    const prs = countsOf(truth.pr, "none");
    assert.deepEqual(r.data.by_waiting_for, reasons);
    assert.deepEqual(r.data.by_pr, prs);
    assert.match(r.text, new RegExp(`^${reasonsLine(reasons)}$`, "m"));
    const prLine = ["draft", "open", "merged", "closed"].filter((p) => prs[p])
      .map((p) => `${prs[p]} ${p}`).join(", ");
    assert.match(r.text, new RegExp(`^Pull requests: ${prLine}\\.$`, "m"));
    // Coder's lists do not carry the licence queue: the capacity note says so, on its line.
    assert.equal(r.data.capacity.queued_for_capacity, null);
    assert.ok(r.text.split("\n").includes(r.data.capacity.note), "the capacity note's line");
    assert.match(r.data.capacity.note, /^Capacity: \d+ chats show running/);
    // A decision or a failure first, then the rest.
    const urgent = (w: string | null) => w === "action" || w === "fix";
    const att = r.data.attention as { waiting_for: string | null; state_since: string }[];
    const n = Object.values(truth.waiting_for).filter(urgent).length;
    assert.ok(n > 0 && n < att.length, `${n} urgent of ${att.length} shown`);
    assert.ok(att.slice(0, n).every((a) => urgent(a.waiting_for)));
    assert.ok(!att.slice(n).some((a) => urgent(a.waiting_for)));
    assert.ok(
      att.some((a) => a.waiting_for === "fix") && att.some((a) => a.waiting_for === "action"),
    );
  });
});

Deno.test("fleet_overview: owners tied are ranked by name; one agent beyond fifty is summed", async () => {
  // 51 owners of one task each; the lists give the newest first, the last owner's first: the
  // ranking is by name, whatever order the lists give.
  const users = Array.from({ length: 51 }, (_, i) => `u${String(i).padStart(2, "0")}`);
  await onSim({ sim: { profile: "tasks", tasks: 51, users } }, async ({ call }) => {
    const r = await call("fleet_overview");
    const owners = Object.entries(r.data.by_owner as Record<string, number>);
    const names = Array.from({ length: 50 }, (_, i) => `u${String(i).padStart(2, "0")}`);
    assert.deepEqual(owners, [...names.map((n) => [n, 1]), ["(others)", 1]]);
    assert.match(r.text, /^By owner \(51\): u00 1, u01 1, u02 1, .*, u09 1, …$/m);
  });
});

Deno.test("fleet_overview: an owner's name is capped at 64, and names cut alike count together", async () => {
  const long = "y".repeat(70);
  const users = ["x".repeat(64), long, `${"y".repeat(69)}z`];
  await onSim({ sim: { profile: "tasks", tasks: 6, users } }, async ({ call }) => {
    const r = await call("fleet_overview");
    assert.deepEqual(r.data.by_owner, { [`${"y".repeat(63)}…`]: 4, ["x".repeat(64)]: 2 });
    assert.equal(r.data.owners_total, 2);
  });
});

Deno.test("fleet_overview: cancelled while Coder is slow, it ends cleanly, no stray failure", async () => {
  // The overview asks for the spend beside the lists. Cancelled while both hang, both requests
  // fail: the one the handler never awaits must not become an unhandled rejection (which ends a
  // Deno process).
  const started = new Set<string>();
  await onSim({
    sim: { profile: "current", chats: 3 },
    onRequest: (_m, path) => started.add(path),
  }, async ({ sim, client, call }) => {
    assert.ok(!(await call("fleet_overview")).isError, "detection done");
    started.clear();
    sim.fault("/api/v2/chats", { kind: "hang", method: "GET" });
    sim.fault("/api/v2/users/me/ai/spend", { kind: "hang" });
    const ac = new AbortController();
    const r = client.callTool({ name: "fleet_overview", arguments: {} }, { signal: ac.signal });
    const settled = r.then(() => "answered", () => "cancelled");
    await until(
      () => started.has("/api/v2/chats") && started.has("/api/v2/users/me/ai/spend"),
      "the list and the spend requests to go out",
    );
    ac.abort();
    assert.equal(await within(settled, "the cancelled call to end"), "cancelled");
    sim.clearFaults();
    // The server goes on answering.
    assert.ok(!(await call("fleet_overview")).isError);
  });
});

Deno.test("fleet_overview: ten owners are all named, eleven end in an ellipsis; no agent at all", async () => {
  for (const n of [10, 11]) {
    const users = Array.from({ length: n }, (_, i) => `u${String(i).padStart(2, "0")}`);
    await onSim({ sim: { profile: "tasks", tasks: n, users } }, async ({ call }) => {
      const r = await call("fleet_overview");
      const line = r.text.split("\n").find((l) => l.startsWith("By owner"))!;
      const named = users.slice(0, 10).map((u) => `${u} 1`).join(", ");
      assert.equal(line, `By owner (${n}): ${named}${n > 10 ? ", …" : ""}`);
    });
  }
  await onSim({ sim: { profile: "tasks", tasks: 3 } }, async ({ sim, call }) => {
    const r = await call("fleet_overview", { owner: "nobody" });
    assert.deepEqual(r.text.split("\n"), [
      `Coder ${r.data.coder.version} at ${sim.url} as admin; back ends: /api/v2/tasks`,
      "0 agents: none",
      "No agent is waiting on you.",
    ]);
    assert.deepEqual(r.data.by_state, {});
    assert.deepEqual(r.data.by_owner, {});
    assert.equal(r.data.owners_total, 0);
  });
});

Deno.test("fleet_overview: stalled rows, the longest still first, twenty shown, all counted", async () => {
  await onSim({
    sim: { profile: "tasks", tasks: 25, pace: 1 },
    fleet: { stalledMs: 7_500, now: () => Date.now() + 3_600_000 },
  }, async ({ sim, call }) => {
    // Each task set working a second after the one before: the first is the longest still.
    const ids = sim.taskIds();
    for (const id of ids) {
      sim.setTask(id, { status: "active", state: "working" });
      sim.clock.advance(1_000);
    }
    const r = await call("fleet_overview");
    assert.equal(r.data.stalled_total, 25);
    assert.deepEqual(r.data.stalled.map((a: { id: string }) => a.id), ids.slice(0, 20));
    const lines = r.text.split("\n");
    const head = lines.findIndex((l) => l.startsWith("Stalled ("));
    assert.match(
      lines[head],
      /^Stalled \(25: working, but no change from Coder for 0\.13 min or more;/,
    );
    assert.equal(lines.slice(head + 1).filter((l) => l.startsWith("- ")).length, 20);
  });
});

Deno.test("fleet_overview: the longest stall threshold (CODER_FLEET_STALLED_MIN=1440) is said as set", async () => {
  await onSim({
    sim: { profile: "tasks", tasks: 1, pace: 1 },
    fleet: { stalledMs: 1_440 * 60_000, now: () => Date.now() + 2 * 86_400_000 },
  }, async ({ sim, call }) => {
    sim.setTask(sim.taskIds()[0], { status: "active", state: "working" });
    const r = await call("fleet_overview");
    assert.equal(r.data.stalled_total, 1, r.text);
    assert.match(r.text, /^Stalled \(1: working, but no change from Coder for 1440 min or more;/m);
  });
});

Deno.test("fleet_overview: the deployment's version and user capped at 64; a warning on its line", async () => {
  const user = "u".repeat(70);
  await onSim(
    { sim: { profile: "current", chats: 3, users: [user, "bob"] } },
    async ({ sim, call }) => {
      const info = await (await fetch(`${sim.url}/api/v2/buildinfo`)).json();
      sim.fault("/api/v2/buildinfo", {
        kind: "wrong_shape",
        body: { ...info, version: `${info.version}+${"x".repeat(70)}` },
      });
      sim.fault("/api/v2/users/me/ai/spend", { kind: "wrong_shape", body: { spend: "lots" } });
      const r = await call("fleet_overview");
      assert.ok(!r.isError, r.text);
      const version = `${info.version}+${"x".repeat(70)}`.slice(0, 63) + "…";
      assert.deepEqual(r.data.coder, { url: sim.url, version, user: "u".repeat(63) + "…" });
      assert.equal(r.data.spend, null);
      assert.equal(r.data.warnings.length, 1);
      assert.match(
        r.data.warnings[0],
        /^AI spend unavailable: Coder's answer to GET \/api\/v2\/users\/me\/ai\/spend was not understood/,
      );
      assert.ok(r.text.split("\n").includes(`Warning: ${r.data.warnings[0]}`));
    },
  );
});
