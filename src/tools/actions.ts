/**
 * What the write tools share (send, stop, resume, delete): their selection inputs (`agents` or
 * `where`, and `dry_run`), and the body of the lifecycle tools: select the agents (one list per
 * back end), act once per selected agent with bounded concurrency, report every item.
 */
import { z } from "zod";
import type { Agent } from "../model/agent.ts";
import type { ActionResult, AgentWrite, Backend } from "../model/backend.ts";
import { runBatch } from "../model/batch.ts";
import type { Fleet } from "../fleet/fleet.ts";
import { duplicateDetail } from "../fleet/resolve.ts";
import { selectAgents, type Selected, type Selection } from "../fleet/select.ts";
import { oneLine } from "../model/text.ts";
import { writeFailure } from "./errors.ts";
import { parseWhere, toFleetFilter, WhereInput } from "./filters.ts";
import { AgentsInput } from "./schemas.ts";

/** The inputs that choose whom a write tool acts on: `agents` or `where`, and `dry_run`. */
export const SELECT_FIELDS = {
  agents: AgentsInput.optional().describe(
    "Agents to act on, 1 to 100: UUIDs, owner/name, or your own agents' names.",
  ),
  where: WhereInput.optional().describe(
    "Or: list_agents filters, acting on all they match now (newest first, at most 100).",
  ),
  dry_run: z.boolean().default(false).describe(
    "Only say what would be done.",
  ),
};

/** The selection the arguments make (`where` turned into the fleet's filter). */
export function selectionOf(
  args: { agents?: string[]; where?: Record<string, unknown> },
): Selection {
  return { agents: args.agents, where: args.where && toFleetFilter(parseWhere(args.where)) };
}

/** One result as a text line (with its id when `where` chose the agent: no handle was given). */
export function resultLine(
  r: { agent: string; id?: string; outcome: string; detail: string },
  sel: Selected,
): string {
  const id = sel.byFilter && r.id ? ` [${r.id}]` : "";
  return `- ${oneLine(r.agent, 80)}${id}: ${r.outcome}${
    r.detail ? ` (${oneLine(r.detail, 600)})` : ""
  }`;
}

/** The first line of a write's text when `where` chose the agents. */
export function selectionLine(sel: Selected, dryRun: boolean): string {
  if (!sel.byFilter) return "";
  const n = sel.targets.length;
  return n === 0
    ? `No agent matched where: nothing ${dryRun ? "would be" : "was"} done.`
    : `where matched ${n} agent${n === 1 ? "" : "s"}, newest first.`;
}

/** One agent's outcome. */
export interface ActionRow {
  agent: string;
  id?: string;
  kind?: Agent["kind"];
  outcome: "done" | "skipped" | "would" | "failed" | "uncertain" | "duplicate";
  detail: string;
}

/**
 * Run a lifecycle action over the selected agents. `describe` says what a dry run would do with
 * one: a string (it would act), or `{ skip }` (it would be skipped, and why).
 */
export async function runAction(
  fleet: Fleet,
  selection: Selection,
  opts: {
    dryRun: boolean;
    signal?: AbortSignal;
    /**
     * Which write this is, so that one the back end refuses outright (another user's chat) is
     * `failed` in a dry run too, not `would`.
     */
    write?: AgentWrite;
    describe: (a: Agent) => string | { skip: string };
    act: (b: Backend, a: Agent) => Promise<ActionResult>;
  },
): Promise<{ results: ActionRow[]; text: string }> {
  const selected = await selectAgents(fleet, selection, opts.signal);
  const resolved = selected.targets;
  const results = await runBatch(resolved, async (r): Promise<ActionRow> => {
    if ("error" in r) {
      return {
        agent: r.handle,
        outcome: "failed",
        detail: `${r.error.message} Next: ${r.error.next}`,
      };
    }
    const base = { agent: r.handle, id: r.agent.id, kind: r.agent.kind };
    if (r.duplicateOf !== undefined) {
      return { ...base, outcome: "duplicate", detail: duplicateDetail(resolved, r.duplicateOf) };
    }
    try {
      const b = await fleet.backendOf(r.agent, opts.signal);
      if (opts.dryRun) {
        const refused = opts.write ? b.refusal?.(r.agent, opts.write) : undefined;
        if (refused) {
          return { ...base, outcome: "failed", detail: `${refused.message} Next: ${refused.next}` };
        }
        const d = opts.describe(r.agent);
        return typeof d === "string"
          ? { ...base, outcome: "would", detail: d }
          : { ...base, outcome: "skipped", detail: `would skip: ${d.skip}` };
      }
      const res = await opts.act(b, r.agent);
      return { ...base, outcome: res.outcome, detail: res.detail };
    } catch (err) {
      return { ...base, ...writeFailure(err) };
    }
  });
  const rows = results.map((r, i) =>
    r.ok ? r.value : { agent: resolved[i].handle, ...writeFailure(r.error) }
  );
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const extra = (["uncertain", "duplicate"] as const)
    .filter((o) => count(o) > 0)
    .map((o) => `, ${o} ${count(o)}`)
    .join("");
  const head = opts.dryRun
    ? `Dry run: ${count("would")} would be acted on, ${count("skipped")} skipped, ${
      count("failed")
    } cannot be${extra}.`
    : `done ${count("done")}, skipped ${count("skipped")}, failed ${count("failed")}${extra}`;
  const text = [
    selectionLine(selected, opts.dryRun),
    rows.length > 0 || !selected.byFilter ? head : "",
    ...rows.map((r) => resultLine(r, selected)),
    count("uncertain") > 0
      ? "Uncertain writes may have happened: check those agents with get_agent before retrying."
      : "",
  ].filter(Boolean).join("\n");
  return { results: rows, text };
}
