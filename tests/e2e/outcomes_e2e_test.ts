/**
 * End to end: outcomes. What each agent waits on (`waiting_for`), its pull request (`pr`), the
 * filters on both, fleet_overview's counts by reason and PR state, and the caller's AI spend,
 * checked against the simulator's ground truth agent by agent, on both back ends.
 */
import assert from "node:assert/strict";
import { type Harness, startHarness } from "./harness.ts";
import { countsOf, reasonsSaid } from "../overview_expect.ts";

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
      const line = reasonsSaid(c).join(", ");
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

Deno.test("e2e outcomes: pull requests, reasons and spend on current Coder", async (t) => {
  const h = await startHarness({ sim: { profile: "current", chats: 200, seed: 3 } });
  try {
    const truth = h.sim.truth();
    type Raw = {
      status: string;
      last_error?: { kind?: string };
      diff_status?: { pr_number?: number; additions?: number; deletions?: number; url?: string };
    };
    const raw = (id: string) => h.sim.chat(id) as Raw;

    await t.step("every chat's waiting_for and pr are the truth's, its size Coder's", async () => {
      const rows = await allRows(h);
      assert.equal(rows.length, truth.total);
      for (const r of rows) {
        assert.equal(r.waiting_for ?? null, truth.waiting_for[r.id], r.id);
        assert.equal(r.pr?.state ?? null, truth.pr[r.id], r.id);
        if (r.pr) {
          const d = raw(r.id).diff_status!;
          assert.deepEqual(
            [r.pr.number, r.pr.additions, r.pr.deletions],
            [d.pr_number ?? null, d.additions ?? 0, d.deletions ?? 0],
          );
        }
      }
      for (const p of ["draft", "open", "merged", "closed"]) {
        assert.ok(rows.some((r) => r.pr?.state === p), `a ${p} PR`);
      }
      for (const w of ["action", "review", "reply", "fix", "nothing"]) {
        assert.ok(rows.some((r) => r.waiting_for === w), `a chat waiting on ${w}`);
      }
    });

    await t.step("list_agents pr: Coder filters it (pr_status), exactly the truth's", async () => {
      h.sim.clearRequests();
      const ids = (await allRows(h, { pr: ["merged", "closed"] })).map((r) => r.id).sort();
      const expected = Object.entries(truth.pr)
        .filter(([, p]) => p === "merged" || p === "closed").map(([id]) => id).sort();
      assert.deepEqual(ids, expected);
      const q = h.sim.requests.filter((r) => r.path === "/api/v2/chats")
        .map((r) => new URLSearchParams(r.query).get("q") ?? "");
      assert.ok(q.some((x) => x.includes("pr_status:merged,closed")), q.join(" | "));
    });

    await t.step("get_agent: the pull request in full, with its URL", async () => {
      const id = Object.keys(truth.pr).find((k) => truth.pr[k] === "open")!;
      const r = await h.call("get_agent", { agent: id });
      const d = raw(id).diff_status!;
      assert.equal(r.data.agent.pr.url, d.url);
      assert.equal(r.data.agent.pr.state, "open");
      assert.ok(
        r.text.includes(`PR #${d.pr_number} open +${d.additions} -${d.deletions}`),
        r.text,
      );
      assert.equal(r.data.agent.waiting_for, truth.waiting_for[id]);
    });

    await t.step("a chat whose budget is spent says so", async () => {
      const spent = h.sim.chatIds().filter((id) => raw(id).last_error?.kind === "usage_limit");
      assert.ok(spent.length > 0, "the demo fleet has some");
      const rows = await allRows(h, { waiting_for: "fix" });
      for (const r of rows) {
        const detail = (r as Row & { detail: string }).detail;
        assert.equal(/budget .*spent/.test(detail), spent.includes(r.id), `${r.id}: ${detail}`);
      }
    });

    await t.step("fleet_overview: counts by PR state; decisions and failures first", async () => {
      const r = await h.call("fleet_overview");
      assert.deepEqual(r.data.by_pr, countsOf(truth.pr, "none"));
      assert.deepEqual(r.data.by_waiting_for, countsOf(truth.waiting_for));
      const att = r.data.attention as Row[];
      const urgent = Object.values(truth.waiting_for).filter((w) => w === "action" || w === "fix");
      assert.ok(urgent.length > 0);
      const first = Math.min(att.length, urgent.length);
      const isUrgent = (a: Row) => a.waiting_for === "action" || a.waiting_for === "fix";
      assert.ok(att.slice(0, first).every(isUrgent), "a decision or a failure first");
      assert.ok(!att.slice(first).some(isUrgent), "then the rest");
      assert.match(r.text, /Pull requests: \d+ draft, \d+ open, \d+ merged, \d+ closed\./);
    });

    await t.step("where: every agent whose PR merged, in one call (dry run first)", async () => {
      const me = h.sim.username;
      const merged = h.sim.chatIds("own").filter((id) => truth.pr[id] === "merged").sort();
      assert.ok(merged.length > 0);
      h.sim.clearRequests();
      const dry = await h.call("delete_agents", {
        where: { pr: "merged", owner: me },
        dry_run: true,
      });
      assert.deepEqual(dry.data.results.map((x: { id: string }) => x.id).sort(), merged);
      assert.ok(dry.data.results.every((x: { outcome: string }) => x.outcome === "would"));
      assert.deepEqual(h.sim.requests.filter((q) => q.method !== "GET"), []);
      const real = await h.call("delete_agents", { where: { pr: "merged", owner: me } });
      assert.ok(
        real.data.results.every((x: { outcome: string }) => x.outcome === "done"),
        real.text,
      );
      const left = new Set(h.sim.chatIds());
      for (const id of merged) assert.ok(!left.has(id), `${id} archived`);
    });

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
