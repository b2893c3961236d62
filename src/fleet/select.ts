/**
 * Choosing the agents a write acts on (DESIGN, "Selecting by filter"): named by handles
 * (`agents`, resolved as `resolve.ts` does) or selected by the `list_agents` filters (`where`),
 * never both and never neither.
 *
 * A `where` is one selection at the moment of the call, with the same list requests a
 * `list_agents` with those filters sends (one per back end). It must select over the whole fleet
 * it names: a back end whose list failed refuses the call rather than act on part of it. More
 * than {@link SELECT_MAX} matches is refused with the count and the filters that would narrow
 * it. The matched agents come newest first, as `list_agents` shows them.
 */
import { type Agent, compareAgents } from "../model/agent.ts";
import { FleetError } from "../model/backend.ts";
import { safeName } from "../model/text.ts";
import type { Fleet, FleetFilter, Resolved } from "./fleet.ts";

/** The most agents one write call acts on (by handles or by `where`). */
export const SELECT_MAX = 100;

/** What a write call names: handles, or a filter. */
export interface Selection {
  agents?: readonly string[];
  where?: FleetFilter;
}

/** The selected agents: every handle resolved (or its error), or every agent `where` matched. */
export interface Selected {
  targets: Resolved[];
  /** True when `where` chose them (the handle of each is then `owner/name`). */
  byFilter: boolean;
}

/** True when the filter filters anything (an empty list filters nothing). */
export function filters(f: FleetFilter): boolean {
  return Object.values(f).some((v) =>
    v !== undefined && !(Array.isArray(v) && v.length === 0) &&
    !(typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

/** Select the agents of a write call, or throw a FleetError that says what to do. */
export async function selectAgents(
  fleet: Fleet,
  sel: Selection,
  signal?: AbortSignal,
): Promise<Selected> {
  if (sel.agents !== undefined && sel.where !== undefined) {
    throw new FleetError(
      "Give agents or where, not both: nothing was done.",
      "Drop where to act on the named agents, or drop agents to act on what where matches.",
    );
  }
  if (sel.agents !== undefined) {
    return { targets: await fleet.resolveMany(sel.agents, signal), byFilter: false };
  }
  if (sel.where === undefined) {
    throw new FleetError(
      "Name the agents to act on: give agents (handles) or where (list_agents filters).",
      'Call again with agents (e.g. ["alice/fix-tests"]) or where (e.g. {kind: "chat", state: "idle"}).',
    );
  }
  const where = sel.where;
  if (!filters(where)) {
    throw new FleetError(
      "where has no filter, so it would select every agent: nothing was done.",
      'Give at least one filter (kind: "task" or kind: "chat" selects a whole back end), or name the agents.',
    );
  }
  const snap = await fleet.snapshot(where, signal);
  if (snap.errors.length > 0) {
    const failed = snap.errors.map((e) => `${e.kind} list: ${e.error}`).join("; ");
    const other = snap.errors[0].kind === "task" ? "chat" : "task";
    throw new FleetError(
      `where could not see the whole fleet (${failed}): nothing was done.`,
      `Retry shortly; or add kind: "${other}" to act on ${other}s alone.`,
    );
  }
  const matched = snap.agents.sort(compareAgents);
  if (matched.length > SELECT_MAX) {
    throw new FleetError(
      `where matches ${matched.length} agents, more than the ${SELECT_MAX} one call may act on: nothing was done.`,
      narrowHint(matched),
    );
  }
  return {
    targets: matched.map((agent) => ({ handle: handleOf(agent), agent })),
    byFilter: true,
  };
}

/** How a selected agent is named in results: `owner/name`, one safe line. */
function handleOf(a: Agent): string {
  return `${safeName(a.owner, 40)}/${safeName(a.name, 100)}`;
}

/**
 * The filters that would narrow a selection: each field on which the matched agents differ, with
 * the commonest values and their counts.
 */
export function narrowHint(matched: readonly Agent[]): string {
  const fields: [string, (a: Agent) => string | undefined][] = [
    ["kind", (a) => a.kind],
    ["state", (a) => a.state],
    ["waiting_for", (a) => a.waiting_for ?? undefined],
    ["pr", (a) => a.pr?.state ?? "none"],
    ["owner", (a) => a.owner],
    ["template", (a) => a.template],
  ];
  const parts = fields.flatMap(([name, of]) => {
    const counts = new Map<string, number>();
    for (const a of matched) {
      const v = of(a);
      if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (counts.size < 2) return [];
    const top = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const shown = top.slice(0, 3).map(([v, n]) => `${safeName(v, 40)} (${n})`).join(", ");
    return [`${name} ${shown}${top.length > 3 ? `, +${top.length - 3} more` : ""}`];
  });
  return `Narrow where${
    parts.length ? ` with one of: ${parts.join("; ")}` : ""
  }; or add label, query or settled_for_s.`;
}
