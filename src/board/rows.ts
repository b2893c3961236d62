/**
 * The board's rows: every agent in compact columns (about 100 bytes an agent), and a digest of
 * what they say, so an unchanged fleet is answered in a few bytes.
 */
import {
  type Agent,
  AGENT_STATES,
  type AgentState,
  PR_STATES,
  type PrState,
  WAITING_FOR,
  type WaitingFor,
} from "../model/agent.ts";

/** Longest message a row carries (characters). */
export const ROW_MESSAGE_MAX = 48;

/** Longest name a row carries (characters; get_agent has the whole name). */
export const ROW_NAME_MAX = 48;

/** The columns of a row, in order. */
export const ROW_COLUMNS = [
  "id",
  "name",
  "owner",
  "kind",
  "state",
  "since_s",
  "message",
  "waiting_for",
  "pr",
] as const;

/**
 * One compact row: id, name, owner index, "t"/"c", state index, seconds in state, message index
 * (messages repeat across a fleet, so each is sent once), reason index (into `reasons`, -1 for
 * none) and pull request index (into `prs`, -1 for none).
 */
export type BoardRow = [string, string, number, "t" | "c", number, number, number, number, number];

/** A pull request on the board: state index (into `pr_states`), number (0: none), +lines, -lines. */
export type BoardPr = [number, number, number, number];

/** A full answer of `fleet_board_rows`. */
export interface BoardRowsAnswer {
  [key: string]: unknown;
  digest: string;
  total: number;
  /** When the rows were taken (ISO 8601); `since_s` counts back from it. */
  at: string;
  /** The Coder deployment's URL (agents' pages live under it). */
  coder: string;
  states: AgentState[];
  /** What `waiting_for` indexes. */
  reasons: WaitingFor[];
  /** What a pull request's state indexes. */
  pr_states: PrState[];
  owners: string[];
  messages: string[];
  /** The agents' pull requests, each once (rows index them). */
  prs: BoardPr[];
  columns: string[];
  rows: BoardRow[];
  warnings?: string[];
}

function short(s: string, max: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
}

/** Compact rows of the agents, sorted by owner then name, with their digest. */
export async function boardRows(
  agents: readonly Agent[],
  now: number,
  coder: string,
  warnings: string[],
): Promise<BoardRowsAnswer> {
  const sorted = [...agents].sort((a, b) =>
    a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  const owners = [...new Set(sorted.map((a) => a.owner))];
  const ownerIndex = new Map(owners.map((o, i) => [o, i]));
  const stateIndex = new Map(AGENT_STATES.map((s, i) => [s, i]));
  const reasonIndex = new Map(WAITING_FOR.map((w, i) => [w, i]));
  const prStateIndex = new Map(PR_STATES.map((p, i) => [p, i]));
  const prs: BoardPr[] = [];
  const messages: string[] = [];
  const messageIndex = new Map<string, number>();
  const rows: BoardRow[] = [];
  // The digest covers what the rows say, with absolute times, so the clock alone changes nothing.
  const basis: unknown[] = [warnings];
  for (const a of sorted) {
    const since = Date.parse(a.state_since);
    const message = short(a.message, ROW_MESSAGE_MAX);
    const name = short(a.name, ROW_NAME_MAX);
    let m = messageIndex.get(message);
    if (m === undefined) {
      m = messages.push(message) - 1;
      messageIndex.set(message, m);
    }
    const pr: BoardPr | null = a.pr
      ? [prStateIndex.get(a.pr.state)!, a.pr.number ?? 0, a.pr.additions, a.pr.deletions]
      : null;
    rows.push([
      a.id,
      name,
      ownerIndex.get(a.owner)!,
      a.kind === "task" ? "t" : "c",
      stateIndex.get(a.state)!,
      Number.isNaN(since) ? -1 : Math.max(0, Math.round((now - since) / 1000)),
      m,
      a.waiting_for === null ? -1 : reasonIndex.get(a.waiting_for)!,
      pr ? prs.push(pr) - 1 : -1,
    ]);
    basis.push([a.id, name, a.owner, a.kind, a.state, a.state_since, message, a.waiting_for, pr]);
  }
  return {
    digest: await digestOf(basis),
    total: rows.length,
    at: new Date(now).toISOString(),
    coder,
    states: [...AGENT_STATES],
    reasons: [...WAITING_FOR],
    pr_states: [...PR_STATES],
    owners,
    messages,
    prs,
    columns: [...ROW_COLUMNS],
    rows,
    ...(warnings.length ? { warnings } : {}),
  };
}

async function digestOf(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash.slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}
