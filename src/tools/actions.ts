/**
 * The shared body of the lifecycle tools (stop, resume, delete): resolve every handle with one
 * list per back end, act once per resolved agent with bounded concurrency, report every item.
 */
import type { Agent } from "../model/agent.ts";
import type { ActionResult, AgentWrite, Backend } from "../model/backend.ts";
import { runBatch } from "../model/batch.ts";
import type { Fleet } from "../fleet/fleet.ts";
import { duplicateDetail } from "../fleet/resolve.ts";
import { oneLine } from "../model/text.ts";
import { writeFailure } from "./errors.ts";

/** One agent's outcome. */
export interface ActionRow {
  agent: string;
  id?: string;
  kind?: Agent["kind"];
  outcome: "done" | "skipped" | "would" | "failed" | "uncertain" | "duplicate";
  detail: string;
}

/** Run a lifecycle action over many handles. `describe` says what a dry run would do. */
export async function runAction(
  fleet: Fleet,
  handles: string[],
  opts: {
    dryRun?: boolean;
    signal?: AbortSignal;
    /**
     * Which write this is, so that one the back end refuses outright (another user's chat) is
     * `failed` in a dry run too, not `would`.
     */
    write?: AgentWrite;
    describe: (a: Agent) => string;
    act: (b: Backend, a: Agent) => Promise<ActionResult>;
  },
): Promise<{ results: ActionRow[]; text: string }> {
  const resolved = await fleet.resolveMany(handles, opts.signal);
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
        return refused
          ? { ...base, outcome: "failed", detail: `${refused.message} Next: ${refused.next}` }
          : { ...base, outcome: "would", detail: opts.describe(r.agent) };
      }
      const res = await opts.act(b, r.agent);
      return { ...base, outcome: res.outcome, detail: res.detail };
    } catch (err) {
      return { ...base, ...writeFailure(err) };
    }
  });
  const rows = results.map((r, i) =>
    r.ok ? r.value : { agent: handles[i], ...writeFailure(r.error) }
  );
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const extra = (["uncertain", "duplicate"] as const)
    .filter((o) => count(o) > 0)
    .map((o) => `, ${o} ${count(o)}`)
    .join("");
  const head = opts.dryRun
    ? `Dry run: ${count("would")} would be acted on, ${count("failed")} cannot be${extra}.`
    : `done ${count("done")}, skipped ${count("skipped")}, failed ${count("failed")}${extra}`;
  const text = [
    head,
    ...rows.map((r) => `- ${oneLine(r.agent, 80)}: ${r.outcome} (${oneLine(r.detail, 600)})`),
    count("uncertain") > 0
      ? "Uncertain writes may have happened: check those agents with get_agent before retrying."
      : "",
  ].filter(Boolean).join("\n");
  return { results: rows, text };
}
