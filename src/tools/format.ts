/**
 * Compact text renderings for an LLM reader. Agent-written text is quoted and labelled as such,
 * never placed where it could read as an instruction.
 */
import { type Agent, type AgentRow, prText } from "../model/agent.ts";
import { oneLine, quote } from "../model/text.ts";

/** A compact age: `45s`, `12m`, `3h`, `2d`. */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "?";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Agent text, quoted so it reads as data (and cannot close its own quote). */
export function quoted(s: string, max = 100): string {
  return quote(s, max);
}

/**
 * An agent's `owner/name`, quoted as messages are: a task name or chat title is agent-written,
 * and must not be able to forge a column (an id, say) of the line it sits in.
 */
export function agentName(a: { owner: string; name: string }, max = 100): string {
  return quote(`${oneLine(a.owner, 40)}/${oneLine(a.name, max)}`, max + 41);
}

/**
 * One line per agent: `- state (waiting for) age | kind | «owner/name» | id | PR #n state +a -d |
 * msg «message»` (the reason and the PR when there are). Only the quoted columns carry agent
 * text, and quoting leaves no `|` in them: split at ` | `, the fourth column is always the
 * agent's own id.
 */
export function rowLine(a: AgentRow | Agent, now = Date.now()): string {
  const waiting = a.waiting_for ? ` (${a.waiting_for})` : "";
  const parts = [
    `${a.state}${waiting}${a.stalled ? " (stalled)" : ""} ${ago(a.state_since, now)}`,
    a.kind,
    agentName(a),
    a.id,
  ];
  if (a.pr) parts.push(prText(a.pr));
  const msg = quoted(a.message);
  return `- ${parts.join(" | ")}${msg ? ` | msg ${msg}` : ""}`;
}

/** Lines for many rows, with a header. */
export function rowsText(header: string, rows: (AgentRow | Agent)[], now = Date.now()): string {
  return [header, ...rows.map((r) => rowLine(r, now))].join("\n");
}
