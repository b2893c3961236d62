/**
 * The shared body of the lifecycle tools (stop, resume, delete): resolve every handle with one
 * list per back end, act with bounded concurrency, report every agent.
 */
import type { Agent } from "../fleet/agent.ts";
import type { ActionResult, Backend } from "../fleet/backend.ts";
import { runBatch } from "../fleet/batch.ts";
import type { Fleet } from "../fleet/fleet.ts";
import { explain } from "./errors.ts";

/** One agent's outcome. */
export interface ActionRow {
  agent: string;
  id?: string;
  kind?: Agent["kind"];
  outcome: "done" | "skipped" | "would" | "failed";
  detail: string;
}

/** Run a lifecycle action over many handles. `describe` says what a dry run would do. */
export async function runAction(
  fleet: Fleet,
  handles: string[],
  opts: {
    dryRun?: boolean;
    signal?: AbortSignal;
    describe: (a: Agent) => string;
    act: (b: Backend, a: Agent) => Promise<ActionResult>;
  },
): Promise<{ results: ActionRow[]; text: string }> {
  const resolved = await fleet.resolveMany(handles, opts.signal);
  const results = await runBatch(resolved, async (r): Promise<ActionRow> => {
    if ("error" in r) {
      return { agent: r.handle, outcome: "failed", detail: `${r.error.message} ${r.error.next}` };
    }
    const base = { agent: r.handle, id: r.agent.id, kind: r.agent.kind };
    if (opts.dryRun) return { ...base, outcome: "would", detail: opts.describe(r.agent) };
    try {
      const b = await fleet.backendOf(r.agent, opts.signal);
      const res = await opts.act(b, r.agent);
      return { ...base, outcome: res.outcome, detail: res.detail };
    } catch (err) {
      const f = explain(err);
      return { ...base, outcome: "failed", detail: `${f.error} Next: ${f.next}` };
    }
  });
  const rows = results.map((r, i) =>
    r.ok
      ? r.value
      : { agent: handles[i], outcome: "failed" as const, detail: explain(r.error).error }
  );
  const count = (o: string) => rows.filter((r) => r.outcome === o).length;
  const head = opts.dryRun
    ? `Dry run: ${count("would")} would be acted on, ${count("failed")} cannot be.`
    : `done ${count("done")}, skipped ${count("skipped")}, failed ${count("failed")}`;
  const text = [head, ...rows.map((r) => `- ${r.agent}: ${r.outcome} (${r.detail})`)].join("\n");
  return { results: rows, text };
}
