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
  };
}

function cleanLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [oneLine(k, 64), oneLine(v, 256)]),
  );
}
