/**
 * End to end: outcomes. What each agent waits on (`waiting_for`), its pull request (`pr`), the
 * filters on both, fleet_overview's counts by reason and PR state, and the caller's AI spend,
 * checked against the simulator's ground truth agent by agent, on both back ends.
 */
import assert from "node:assert/strict";
import { type Harness, startHarness } from "./harness.ts";

interface Row {
  id: string;
  kind: string;
  state: string;
  waiting_for?: string;
  pr?: { number: number | null; state: string; additions: number; deletions: number };
}

/** Every agent the server lists, by id. */
async function allRows(h: Harness, args: Record<string, unknown> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | undefined;
  do {
    const r = await h.call("list_agents", { limit: 200, ...args, ...(cursor ? { cursor } : {}) });
    assert.ok(!r.isError, r.text);
    rows.push(...r.data.agents);
    cursor = r.data.next_cursor;
  } while (cursor);
  return rows;
}

/** The counts of a truth map's values (nulls left out). */
function countsOf(m: Record<string, string | null>, none?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of Object.values(m)) {
    const k = v ?? none;
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

Deno.test("e2e outcomes: waiting_for, pr, their filters and counts, on a Coder with both APIs", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 40, chats: 24, seed: 11 } });
  try {
    const truth = h.sim.truth();

    await t.step("list_agents: every agent's waiting_for and pr are the truth's", async () => {
      const rows = await allRows(h);
      assert.equal(rows.length, truth.total);
      for (const r of rows) {
        assert.equal(r.waiting_for ?? null, truth.waiting_for[r.id], `${r.kind} ${r.id}`);
        assert.equal(r.pr?.state ?? null, truth.pr[r.id], `${r.kind} ${r.id}`);
        if (r.kind === "task") assert.equal(r.pr, undefined);
      }
      const reasons = new Set(rows.map((r) => r.waiting_for).filter(Boolean));
      for (const w of ["reply", "fix", "resume"]) assert.ok(reasons.has(w), `a ${w} agent`);
    });

    await t.step("list_agents waiting_for: exactly the agents that wait on that", async () => {
      for (const want of [["resume"], ["fix", "reply"], "action"]) {
        const wanted = new Set(Array.isArray(want) ? want : [want]);
        const ids = (await allRows(h, { waiting_for: want })).map((r) => r.id).sort();
        const expected = Object.entries(truth.waiting_for)
          .filter(([, w]) => w !== null && wanted.has(w)).map(([id]) => id).sort();
        assert.deepEqual(ids, expected, JSON.stringify(want));
      }
    });

    await t.step("list_agents pr none: every agent without a pull request", async () => {
      const ids = (await allRows(h, { pr: "none" })).map((r) => r.id).sort();
      const expected = Object.entries(truth.pr).filter(([, p]) => p === null).map(([id]) => id)
        .sort();
      assert.deepEqual(ids, expected);
    });

    await t.step("fleet_overview: counts by reason and by PR state are the truth's", async () => {
      const r = await h.call("fleet_overview");
      assert.deepEqual(r.data.by_waiting_for, countsOf(truth.waiting_for));
      assert.deepEqual(r.data.by_pr, countsOf(truth.pr, "none"));
      const c = r.data.by_waiting_for;
      const words: [string, string][] = [
        ["action", "need a decision"],
        ["review", "wait for review"],
        ["reply", "replied"],
        ["fix", "failed"],
        ["resume", "paused"],
        ["nothing", "done"],
      ];
      const line = words.filter(([w]) => c[w]).map(([w, s]) => `${c[w]} ${s}`).join(", ");
      assert.ok(r.text.includes(`Waiting on you: ${line}.`), r.text);
    });

    await t.step(
      "spend: null where Coder has no AI Gateway, asked once for the process",
      async () => {
        h.sim.clearRequests();
        const a = await h.call("fleet_overview");
        const b = await h.call("fleet_overview");
        assert.equal(a.data.spend, null);
        assert.equal(b.data.spend, null);
        assert.doesNotMatch(a.text, /AI spend/);
        const asked = h.sim.requests.filter((q) => q.path.endsWith("/ai/spend"));
        assert.equal(asked.length, 0, "the first overview of this server already asked");
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("e2e outcomes: the caller's AI spend on current Coder", async (t) => {
  const h = await startHarness({ sim: { profile: "current", chats: 30, seed: 5 } });
  try {
    await t.step("fleet_overview reports spend and its budget, one request a call", async () => {
      await h.call("list_agents", { limit: 1 }); // detection done: only the overview's requests
      h.sim.clearRequests();
      const r = await h.call("fleet_overview");
      const asked = h.sim.requests.filter((q) => q.path === "/api/v2/users/me/ai/spend");
      assert.equal(asked.length, 1);
      const raw = await (await fetch(`${h.sim.url}/api/v2/users/me/ai/spend`, {
        headers: { "Coder-Session-Token": h.sim.token },
      })).json();
      assert.ok(raw.current_spend_micros > 0, "the sim's caller has spent something");
      assert.deepEqual(r.data.spend, {
        usd: raw.current_spend_micros / 1e6,
        limit_usd: raw.effective_budget.spend_limit_micros / 1e6,
        period_end: raw.period_end,
      });
      assert.match(r.text, /AI spend this period: \$\d+\.\d\d of \$50\.00/);
      const lists = h.sim.requests.filter((q) => q.path === "/api/v2/chats");
      assert.equal(lists.length, 1, "still one list request");
    });

    await t.step("a 403 (no licence) is null, and not asked again", async () => {
      const off = h.sim.fault("/api/v2/users/me/ai/spend", { kind: "status", status: 403 });
      try {
        h.sim.clearRequests();
        const a = await h.call("fleet_overview");
        const b = await h.call("fleet_overview");
        assert.equal(a.data.spend, null);
        assert.equal(b.data.spend, null);
        assert.ok(!a.data.warnings?.some((w: string) => /spend/i.test(w)));
        const asked = h.sim.requests.filter((q) => q.path.endsWith("/ai/spend"));
        assert.equal(asked.length, 1);
      } finally {
        off();
      }
    });
  } finally {
    await h.close();
  }
});
