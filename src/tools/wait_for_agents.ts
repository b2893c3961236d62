/** `wait_for_agents`: block until agents settle, go idle, or change. */
import { z } from "zod";
import { type Agent, toRow } from "../model/agent.ts";
import { FleetError } from "../model/backend.ts";
import { waitForAgents } from "../fleet/wait.ts";
import type { Fleet, FleetFilter } from "../fleet/fleet.ts";
import type { WaitTicket } from "../fleet/admission.ts";
import { oneLine, safeName } from "../model/text.ts";
import { defineTool, type ToolContext } from "./define.ts";
import { rowsText } from "./format.ts";
import { FILTER_FIELDS, hasFilter, toFleetFilter } from "./filters.ts";
import { AgentRowSchema, HandleInput } from "./schemas.ts";

const ROWS_MAX = 50;
const ALREADY_MAX = 10;

const Input = z.object({
  agents: z.array(HandleInput).min(1).max(1000).optional().describe(
    "Agents to watch, up to 1000: UUIDs, owner/name, or your own agents' names.",
  ),
  ...FILTER_FIELDS,
  until: z.enum(["settled", "any_change", "idle"]).default("settled").describe(
    "The condition: settled, any_change, or idle.",
  ),
  mode: z.enum(["any", "all"]).default("any").describe(
    "any: return when one agent meets the condition; all: when every agent does.",
  ),
  timeout_s: z.number().int().min(0).max(300).default(30).describe(
    "Longest wait in seconds (default 30, at most 300).",
  ),
});

/** Block until agents settle or change. */
export const waitForAgentsTool = defineTool({
  name: "wait_for_agents",
  title: "Wait for agents",
  description:
    `Block until agents settle (it is your turn), go idle, or change, or until the timeout.

Use it after create_task or send_input instead of polling list_agents yourself. Name the agents, or give list_agents filters to watch every agent they match (no agents and no filters: the whole fleet). Without named agents it waits for something new: an agent that comes to meet the condition, or one that appears, during the call; those that already met it at the start are reported in already but do not end it. until: settled (default: not starting or working), idle, or any_change (state or message differs from the start). mode: any (default) returns when one agent meets it, all when every agent does.

Returns done, timed_out, changed (rows that meet the condition), pending (rows that do not), gone (ids deleted or archived meanwhile), already and appeared (without named agents), not_found (handles that name no agent, each with the reason and a next step), elapsed_ms. Rows are capped at ${ROWS_MAX} each with the totals given. Up to 1000 agents; timeout_s default 30, at most 300. One list request per back end per round (about 1 s); your own chats wake the wait through Coder's chat watch instead, with one list to reconcile every 30 s. Progress notifications each round and at least every 10 s; cancelling the call stops it at once. The server runs up to 1000 waits at once (2,000,000 watched agents in all); one more is refused at once, saying how many are in flight.`,
  input: Input,
  output: z.object({
    done: z.boolean(),
    timed_out: z.boolean(),
    changed: z.array(AgentRowSchema),
    changed_total: z.number().int(),
    pending: z.array(AgentRowSchema),
    pending_total: z.number().int(),
    gone: z.array(z.string()),
    already: z.array(AgentRowSchema).optional().describe(
      "Without agents: those that already met the condition at the start (they do not end the wait)",
    ),
    already_total: z.number().int().optional(),
    appeared: z.array(z.string()).optional().describe(
      "Without agents: ids of agents that appeared during the call",
    ),
    not_found: z.array(z.object({ agent: z.string(), error: z.string() })),
    elapsed_ms: z.number().int(),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  waits: ({ timeout_s }) => timeout_s * 1000,
  async handler(args, { fleet, signal, progress }) {
    // Refused at once beyond the server's caps on concurrent waits (fleet/admission.ts).
    const ticket = fleet.waits.enter();
    try {
      return await waitFor(args, fleet, signal, progress, ticket);
    } finally {
      ticket.leave();
    }
  },
});

/** The wait itself, once admitted: `ticket` is told how many agents it watches. */
async function waitFor(
  args: z.infer<typeof Input>,
  fleet: Fleet,
  signal: AbortSignal,
  progress: ToolContext["progress"],
  ticket: WaitTicket,
) {
  const { agents, until, mode, timeout_s, ...filters } = args;
  let watch: Agent[] | undefined;
  let fresh: FleetFilter | undefined;
  const not_found: { agent: string; error: string }[] = [];
  if (agents) {
    if (hasFilter(filters)) {
      throw new FleetError(
        "Give agents or filters, not both.",
        "Drop the filters to watch the named agents, or drop agents to watch what the filters match.",
      );
    }
    const resolved = await fleet.resolveMany(agents, signal);
    const named = resolved.flatMap((r) => "agent" in r ? [r.agent] : []);
    for (const r of resolved) {
      if ("error" in r) {
        not_found.push({ agent: r.handle, error: `${r.error.message} Next: ${r.error.next}` });
      }
    }
    // The same agent named twice is watched once.
    watch = [...new Map(named.map((a) => [a.id, a])).values()];
  } else {
    // The wait takes its first view itself, from a round of the lists shared with every other
    // wait (fleet/rounds.ts): a thousand whole-fleet waits hold one parsed fleet, not a thousand.
    fresh = toFleetFilter(filters);
  }
  const r = await waitForAgents(fleet, {
    watch,
    until,
    mode,
    timeoutMs: timeout_s * 1000,
    signal,
    fresh,
    alreadyMax: ALREADY_MAX,
    admit: (n) => ticket.watch(n),
    onRound: (round, met, total) =>
      progress(
        round,
        undefined,
        `${met} of ${total} agents ${until === "any_change" ? "changed" : until}`,
      ),
  });
  const data = {
    done: r.done,
    timed_out: r.timed_out,
    changed: r.met.slice(0, ROWS_MAX).map(toRow),
    changed_total: r.met.length,
    pending: r.pending.slice(0, ROWS_MAX).map(toRow),
    pending_total: r.pending.length,
    gone: r.gone.map((a) => a.id),
    ...(fresh
      ? {
        already: r.already.slice(0, ALREADY_MAX).map(toRow),
        already_total: r.already_total,
        appeared: r.appeared.slice(0, ROWS_MAX),
      }
      : {}),
    not_found,
    elapsed_ms: Math.round(r.elapsed_ms),
  };
  const now = fleet.now();
  const word = until === "any_change" ? "changed" : until;
  const watched = fresh ? r.met.length + r.pending.length : watch?.length ?? 0;
  const text = [
    !fresh && watched === 0
      ? "Nothing to watch: no agent matched."
      : r.done
      ? `Done after ${(r.elapsed_ms / 1000).toFixed(1)} s: ${r.met.length} of ${watched} ${word}.`
      : `Timed out after ${timeout_s} s: ${r.met.length} of ${watched} ${word}.`,
    fresh && r.already_total
      ? `${r.already_total} agents were already ${word} at the start (not counted; first ${
        Math.min(ALREADY_MAX, r.already_total)
      } in already; list_agents shows them all).`
      : "",
    r.appeared.length ? `Appeared during the call: ${r.appeared.length}.` : "",
    r.met.length ? rowsText(`${word[0].toUpperCase()}${word.slice(1)}:`, data.changed, now) : "",
    r.met.length > ROWS_MAX ? `[${r.met.length - ROWS_MAX} more not shown]` : "",
    r.pending.length ? rowsText("Pending:", data.pending, now) : "",
    r.pending.length > ROWS_MAX ? `[${r.pending.length - ROWS_MAX} more not shown]` : "",
    data.gone.length ? `Gone (deleted or archived): ${data.gone.join(", ")}` : "",
    ...not_found.slice(0, ROWS_MAX).map((n) =>
      `Not found: ${safeName(n.agent, 80)}: ${oneLine(n.error, 400)}`
    ),
    not_found.length > ROWS_MAX ? `[${not_found.length - ROWS_MAX} more not found]` : "",
  ].filter(Boolean).join("\n");
  return { data, text };
}
