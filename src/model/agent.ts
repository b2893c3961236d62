/**
 * The agent model of DESIGN.md: one shape for a Coder task and a Coder chat.
 */
import { cleanText, oneLine } from "./text.ts";

/** Which Coder back end an agent lives in. */
export type AgentKind = "task" | "chat";

/** The normalized agent states of DESIGN.md. */
export const AGENT_STATES = [
  "starting",
  "working",
  "idle",
  "complete",
  "failed",
  "paused",
  "error",
  "unknown",
] as const;

/** A normalized agent state. */
export type AgentState = typeof AGENT_STATES[number];

/**
 * What a settled agent waits on (DESIGN.md, "The agent"): a decision (`action`), a message
 * (`reply`), a review of its pull request (`review`), a look at what failed (`fix`), a resume
 * (`resume`), or nothing: its work is done (`nothing`).
 */
export const WAITING_FOR = ["action", "reply", "review", "fix", "resume", "nothing"] as const;

/** A reason a settled agent waits. */
export type WaitingFor = typeof WAITING_FOR[number];

/** The states of an agent's pull request. */
export const PR_STATES = ["draft", "open", "merged", "closed"] as const;

/** A pull request's state. */
export type PrState = typeof PR_STATES[number];

/** An agent's pull request (chats: from Coder's `diff_status`). Strings are sanitised. */
export interface PullRequest {
  /** The PR's number, when Coder knows it. */
  number: number | null;
  state: PrState;
  title: string;
  /** The PR's page (empty when Coder gives none). */
  url: string;
  draft: boolean;
  /** True when approved, false when not, null when Coder does not say. */
  approved: boolean | null;
  changes_requested: boolean;
  additions: number;
  deletions: number;
  changed_files: number;
}

/** One agent, whatever the back end. Every string in it is already sanitised. */
export interface Agent {
  /** The task's or chat's UUID. */
  id: string;
  kind: AgentKind;
  /** Task name, or chat title. */
  name: string;
  /** Owner's username (falls back to the owner's UUID when Coder does not say). */
  owner: string;
  state: AgentState;
  /** The back end's own status words, e.g. `active/idle`, `paused`, `running`. */
  detail: string;
  /** The agent's latest status message or turn summary, one line (may be empty). */
  message: string;
  /** Template name (tasks) when known. */
  template?: string;
  /** Workspace name (or id) when known. */
  workspace?: string;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601. */
  updated_at: string;
  /** ISO 8601: since when the agent has been in `state`, as far as Coder tells. */
  state_since: string;
  /** The agent's page in the Coder dashboard. */
  url: string;
  /** Chat labels (tasks: `{}`). */
  labels: Record<string, string>;
  /** The task's initial prompt, or the chat's first user message when known (capped). */
  prompt?: string;
  /** True for an archived chat (hidden from the fleet's lists). */
  archived?: boolean;
  /** Organization UUID, when known. */
  organization_id?: string;
  /**
   * True for another user's chat shared with the caller: it can read it; only its owner can send
   * to it, interrupt it or archive it.
   */
  shared?: boolean;
  /** True for a chat that waits for a licence slot (`queued_for_capacity`). */
  queued_for_capacity?: boolean;
  /** True for a working agent whose `updated_at` has not moved for the stall threshold. */
  stalled?: boolean;
  /** The agent's pull request, or null (tasks: always null). */
  pr: PullRequest | null;
  /** What the agent waits on when settled; null while starting or working, or unknown. */
  waiting_for: WaitingFor | null;
  /** Only on a create's answer (chats): the model it runs, `display name (provider)`. */
  model?: string;
  /** Only on a create's answer: Coder's submission receipt, where it sends one. */
  receipt?: { request_id: string; state: string };
}

/**
 * What counting and sorting need of an agent, without building it: `fleet_overview` counts a
 * whole fleet from these and builds full agents only for the rows it shows.
 */
export interface AgentSummary {
  readonly kind: AgentKind;
  readonly state: AgentState;
  /** The owner, exactly as {@link Agent.owner} (sanitised). */
  readonly owner: string;
  /** {@link Agent.state_since} as epoch ms: the sort key, computed once. */
  readonly since: number;
  /** {@link Agent.waiting_for}. */
  readonly waitingFor: WaitingFor | null;
  /** The state of {@link Agent.pr}, or null when there is none. */
  readonly prState: PrState | null;
  /** Build the full agent (sanitised). */
  agent(): Agent;
}

/** An agent is settled when it is the caller's turn: not starting, not working. */
export function isSettled(state: AgentState): boolean {
  return state !== "starting" && state !== "working";
}

/** The order of every agent list: newest first (`created_at`), ties by id. */
export function compareAgents(a: Agent, b: Agent): number {
  const d = Date.parse(b.created_at) - Date.parse(a.created_at);
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A compact row of an agent, for lists (fewer fields, shorter message). */
export interface AgentRow {
  id: string;
  kind: AgentKind;
  name: string;
  owner: string;
  state: AgentState;
  detail: string;
  message: string;
  state_since: string;
  template?: string;
  labels?: Record<string, string>;
  /** Working, but `updated_at` has not moved for the stall threshold. */
  stalled?: boolean;
  /** What a settled agent waits on (omitted when null). */
  waiting_for?: WaitingFor;
  /** The pull request, compact (omitted when there is none; get_agent has it in full). */
  pr?: PrRow;
}

/** A pull request in a row: number, state and size. */
export interface PrRow {
  number: number | null;
  state: PrState;
  additions: number;
  deletions: number;
}

/** Reduce an agent to a list row (every user-written string sanitised again, and capped). */
export function toRow(a: Agent): AgentRow {
  const row: AgentRow = {
    id: a.id,
    kind: a.kind,
    name: oneLine(a.name, 200),
    owner: oneLine(a.owner, 64),
    state: a.state,
    detail: oneLine(a.detail, 100),
    message: oneLine(a.message, 120),
    state_since: a.state_since,
  };
  if (a.template) row.template = oneLine(a.template, 128);
  if (Object.keys(a.labels).length > 0) row.labels = cleanLabels(a.labels);
  if (a.stalled) row.stalled = true;
  if (a.waiting_for) row.waiting_for = a.waiting_for;
  if (a.pr) {
    row.pr = {
      number: a.pr.number,
      state: a.pr.state,
      additions: a.pr.additions,
      deletions: a.pr.deletions,
    };
  }
  return row;
}

/**
 * The agent with every user- or agent-written string passed through the sanitiser once more:
 * back ends sanitise, and output does again, so no path depends on one of them alone.
 */
export function cleanAgent(a: Agent): Agent {
  return {
    ...a,
    name: oneLine(a.name, 200),
    owner: oneLine(a.owner, 64),
    detail: oneLine(a.detail, 100),
    message: oneLine(a.message, 2000),
    labels: cleanLabels(a.labels),
    ...(a.template !== undefined ? { template: oneLine(a.template, 128) } : {}),
    ...(a.workspace !== undefined ? { workspace: oneLine(a.workspace, 128) } : {}),
    ...(a.prompt !== undefined ? { prompt: cleanText(a.prompt) } : {}),
    pr: a.pr ? { ...a.pr, title: oneLine(a.pr.title, 200), url: oneLine(a.pr.url, 500) } : null,
  };
}

function cleanLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [oneLine(k, 64), oneLine(v, 256)]),
  );
}

/** The pull request in a few words: `PR #412 open +120 -8` (`PR draft +3 -0` without a number). */
export function prText(pr: PrRow | PullRequest | null | undefined): string {
  if (!pr) return "";
  const n = pr.number !== null ? ` #${pr.number}` : "";
  return `PR${n} ${pr.state} +${pr.additions} -${pr.deletions}`;
}
