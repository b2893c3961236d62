/** `fleet_overview`: the fleet at a glance. */
import { z } from "zod";
import {
  type Agent,
  AGENT_STATES,
  type AgentSummary,
  isSettled,
  PR_STATES,
  toRow,
  WAITING_FOR,
  type WaitingFor,
} from "../model/agent.ts";
import { markStalled } from "../fleet/fleet.ts";
import { capacityOf } from "./capacity.ts";
import { safeName } from "../model/text.ts";
import { defineTool } from "./define.ts";
import { rowsText } from "./format.ts";
import { AgentRowSchema, Kind, OwnerInput } from "./schemas.ts";

const ATTENTION_MAX = 20;
const OWNERS_MAX = 50;

/** How the overview's text says each reason, in the order it says them. */
const REASON_WORDS: [WaitingFor, string][] = [
  ["action", "need a decision"],
  ["review", "wait for review"],
  ["reply", "replied"],
  ["fix", "failed"],
  ["resume", "paused"],
  ["nothing", "done"],
];

/** The attention order: a decision or a failure first, then the rest; each longest waiting first. */
function urgency(w: WaitingFor | null): number {
  return w === "action" || w === "fix" ? 0 : 1;
}

/** The fleet at a glance. */
export const fleetOverview = defineTool({
  name: "fleet_overview",
  title: "Fleet overview",
  description: `Count every agent of the fleet by state and owner, and list those waiting on you.

Call it first, to see the fleet at a glance, and whenever you need to know what needs attention. It lists the settled agents (idle, complete, failed, paused, error: the caller's turn) that have waited longest first. Then use list_agents to find agents, get_agent or get_logs to read one.

Returns total, by_state {state: count}, by_waiting_for {reason: count}, by_pr {PR state or none: count}, by_owner {owner: count} (the ${OWNERS_MAX} largest, the rest summed under "(others)"), attention (at most ${ATTENTION_MAX} compact rows: waiting on a decision or failed first, then the rest, each longest waiting first), stalled (working agents whose updated_at has not moved for the stall threshold), capacity (chats: how many run and how many wait for a licence slot, null when Coder's list does not tell), spend (your AI spend this period and its limit in USD, null where Coder does not report it), the back ends in use, and the Coder deployment (url, version, user). One list request per back end, whatever the fleet size.`,
  input: z.object({
    owner: OwnerInput.optional().describe("Only agents of this username."),
    kind: Kind.optional().describe("Only tasks or only chats; default both."),
  }),
  output: z.object({
    total: z.number().int(),
    by_state: z.record(z.string(), z.number().int()),
    by_waiting_for: z.record(z.string(), z.number().int()),
    by_pr: z.record(z.string(), z.number().int()),
    by_owner: z.record(z.string(), z.number().int()),
    owners_total: z.number().int(),
    attention: z.array(AgentRowSchema),
    attention_total: z.number().int(),
    backends: z.array(z.object({ kind: Kind, api: z.string() })),
    coder: z.object({ url: z.string(), version: z.string(), user: z.string() }),
    stalled: z.array(AgentRowSchema),
    stalled_total: z.number().int(),
    capacity: z.object({
      running: z.number().int(),
      queued_for_capacity: z.number().int().nullable(),
      note: z.string().optional(),
    }).optional(),
    spend: z.object({
      usd: z.number(),
      limit_usd: z.number().nullable(),
      period_end: z.string().nullable(),
    }).nullable(),
    warnings: z.array(z.string()).optional(),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler({ owner, kind }, { fleet, signal }) {
    const d = await fleet.deployment(signal);
    const spendAnswer = fleet.spend(signal); // at once: one request beside the lists
    spendAnswer.catch(() => {});
    const snap = await fleet.summaries({ owner, kind }, signal);
    // Counted from summaries; full agents are built only for the rows shown.
    const by_state: Record<string, number> = {};
    for (const s of AGENT_STATES) by_state[s] = 0;
    const by_waiting_for: Record<string, number> = {};
    for (const w of WAITING_FOR) by_waiting_for[w] = 0;
    const by_pr: Record<string, number> = {};
    for (const p of [...PR_STATES, "none"]) by_pr[p] = 0;
    const rawOwners = new Map<string, number>();
    const settled: AgentSummary[] = [];
    // Working agents (and queued chats) are built in full: stalls and capacity read them.
    const busy: Agent[] = [];
    for (const a of snap.summaries) {
      by_state[a.state]++;
      if (a.waitingFor) by_waiting_for[a.waitingFor]++;
      by_pr[a.prState ?? "none"]++;
      rawOwners.set(a.owner, (rawOwners.get(a.owner) ?? 0) + 1);
      if (isSettled(a.state)) settled.push(a);
      else busy.push(a.agent());
    }
    markStalled(busy, fleet.now(), fleet.stalledMs);
    for (const s of AGENT_STATES) if (by_state[s] === 0) delete by_state[s];
    for (const w of WAITING_FOR) if (by_waiting_for[w] === 0) delete by_waiting_for[w];
    for (const p of Object.keys(by_pr)) if (by_pr[p] === 0) delete by_pr[p];
    const owners: Record<string, number> = {};
    for (const [o, n] of rawOwners) {
      const name = safeName(o, 64);
      owners[name] = (owners[name] ?? 0) + n;
    }
    const ranked = Object.entries(owners).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const by_owner = Object.fromEntries(ranked.slice(0, OWNERS_MAX));
    const rest = ranked.slice(OWNERS_MAX).reduce((n, [, c]) => n + c, 0);
    if (rest > 0) by_owner["(others)"] = rest;
    // A decision or a failure first, then the rest, each longest waiting first; the sort is
    // stable, so ties keep the back ends' order.
    settled.sort((a, b) => urgency(a.waitingFor) - urgency(b.waitingFor) || a.since - b.since);
    const attention = settled.slice(0, ATTENTION_MAX).map((s) => toRow(s.agent()));
    const { spend, warning: spendWarning } = await spendAnswer;
    const warnings = spendWarning ? [...snap.warnings, spendWarning] : snap.warnings;
    const stalledAll = busy.filter((a) => a.stalled)
      .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at));
    const stalled = stalledAll.slice(0, ATTENTION_MAX).map(toRow);
    const capacity = d.backends.some((b) => b.kind === "chat") && kind !== "task"
      ? capacityOf(busy, snap.queueFlagListed)
      : undefined;
    const data = {
      total: snap.summaries.length,
      by_state,
      by_waiting_for,
      by_pr,
      by_owner,
      owners_total: ranked.length,
      attention,
      attention_total: settled.length,
      backends: d.backends
        .filter((b) => !kind || b.kind === kind)
        .map((b) => ({ kind: b.kind, api: `${b.prefix}/${b.kind}s` })),
      coder: {
        url: d.url,
        version: safeName(d.version, 64),
        user: safeName(d.me.username, 64),
      },
      stalled,
      stalled_total: stalledAll.length,
      ...(capacity ? { capacity } : {}),
      spend,
      ...(warnings.length ? { warnings } : {}),
    };
    const stallMin = Number((fleet.stalledMs / 60_000).toFixed(2));
    const counts = Object.entries(by_state).map(([s, n]) => `${s} ${n}`).join(", ");
    const top = ranked.slice(0, 10).map(([o, n]) => `${o} ${n}`).join(", ");
    const reasons = REASON_WORDS.filter(([w]) => by_waiting_for[w])
      .map(([w, words]) => `${by_waiting_for[w]} ${words}`).join(", ");
    const prs = [...PR_STATES].filter((p) => by_pr[p]).map((p) => `${by_pr[p]} ${p}`).join(", ");
    const money = (n: number) => `$${n.toFixed(2)}`;
    const text = [
      `Coder ${data.coder.version} at ${d.url} as ${data.coder.user}; back ends: ${
        data.backends.map((b) => b.api).join(", ")
      }`,
      `${data.total} agents: ${counts || "none"}`,
      top ? `By owner (${ranked.length}): ${top}${ranked.length > 10 ? ", …" : ""}` : "",
      reasons ? `Waiting on you: ${reasons}.` : "",
      prs ? `Pull requests: ${prs}.` : "",
      spend
        ? `AI spend this period: ${money(spend.usd)}${
          spend.limit_usd !== null ? ` of ${money(spend.limit_usd)}` : " (no limit)"
        }${
          spend.limit_usd !== null && spend.usd >= spend.limit_usd ? ": the budget is spent" : ""
        }.`
        : "",
      ...warnings.map((w) => `Warning: ${w}`),
      capacity?.note ?? "",
      stalledAll.length
        ? rowsText(
          `Stalled (${stalledAll.length}: working, but no change from Coder for ${stallMin} min or more; read them with get_logs, stop_agents them if stuck):`,
          stalled,
          fleet.now(),
        )
        : "",
      settled.length
        ? rowsText(
          `Waiting on you (${attention.length} of ${settled.length}: a decision or a failure first, then longest waiting):`,
          attention,
          fleet.now(),
        )
        : "No agent is waiting on you.",
    ].filter(Boolean).join("\n");
    return { data, text };
  },
});
