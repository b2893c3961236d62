/**
 * The back-end interface: what the fleet layer needs from Coder Tasks and from Coder Chats.
 * Tools never talk to a back end directly; they go through the fleet (`src/fleet/`). Each back end is
 * one folder under `src/backends/`.
 */
import type { CoderClient } from "../coder/http.ts";
import type { Agent, AgentKind, AgentState, AgentSummary, PrState } from "./agent.ts";
import type { ModelInfo, UnsupportedProvider } from "./models.ts";

/** What every back end is built with. */
export interface BackendContext {
  /** The HTTP client. */
  client: CoderClient;
  /** API prefix the back end was detected at: `/api/v2` or `/api/experimental`. */
  prefix: string;
  /** Dashboard base URL for agent links (no trailing slash). */
  dashboardUrl: string;
  /** The authenticated user. */
  me: { id: string; username: string };
  /** Clock, in epoch milliseconds (state mapping depends on time). */
  now: () => number;
  /** Coder's version (`buildinfo`), e.g. `v2.27.1`, when known. */
  version?: string;
}

/** How a caller names an agent: a UUID, or a name with an optional owner. */
export type Handle =
  | { kind: "id"; id: string; text: string }
  | { kind: "name"; owner?: string; name: string; text: string };

/** Filters of `list_agents`. A back end may push any of them to Coder; the fleet re-applies all. */
export interface ListFilter {
  owner?: string;
  state?: AgentState[];
  template?: string;
  /** `key -> value` label pairs, all must match. */
  labels?: Record<string, string>;
  query?: string;
  /** Pull request states (`none`: no pull request), any may match. */
  pr?: PrFilter[];
}

/** A pull-request filter value: a state, or `none` for an agent without a pull request. */
export type PrFilter = PrState | "none";

/** A page request on an agent's conversation. */
export interface LogQuery {
  after_id?: number;
  before_id?: number;
  limit: number;
}

/** One message of an agent's conversation, text already sanitised (not yet capped). */
export interface LogMessage {
  id: number;
  role: "user" | "agent" | "system" | "tool";
  time: string;
  text: string;
}

/** A page of an agent's conversation. */
export interface LogPage {
  /** Ascending id order. With no cursor: the newest `limit`. With `after_id`: the first `limit`
   * after it. With `before_id`: the newest `limit` before it. */
  messages: LogMessage[];
  /** True when this is a stored snapshot rather than the live conversation (paused task). */
  snapshot: boolean;
  /** When the snapshot was taken, if it is one. */
  snapshot_at?: string;
  /** True when older messages exist before the first one returned. */
  has_older: boolean;
  /** True when newer messages exist after the last one returned. */
  has_newer: boolean;
  /** Messages waiting in the chat's queue (chats only), sanitised one-liners. */
  queued?: string[];
}

/** What `create_task` asks of a back end. */
export interface CreateSpec {
  prompt: string;
  /** Template name or UUID (tasks). */
  template?: string;
  /** Preset name or UUID (tasks). */
  preset?: string;
  /** Model config name or UUID (chats). */
  model?: string;
  /** Task name (tasks) or chat title (chats). */
  name?: string;
  /** Username to create for (tasks); default the caller. */
  owner?: string;
  /** Chat labels. */
  labels?: Record<string, string>;
  /** Makes the create idempotent where Coder supports it (chats on newer Coder). */
  requestId?: string;
}

/** The answer of a write a back end performed. */
export interface ActionResult {
  /** `done` when Coder accepted it, `skipped` when there was nothing to do. */
  outcome: "done" | "skipped";
  /** One line for the caller, e.g. "paused", "already paused", "archived". */
  detail: string;
}

/** The answer of a send. */
export interface SendResult {
  outcome: "sent" | "queued";
  detail: string;
}

/** A template that can run tasks, with its presets. */
export interface TemplateInfo {
  id: string;
  name: string;
  display_name: string;
  description: string;
  organization_id: string;
  active_version_id: string;
  presets: { id: string; name: string; default: boolean; description: string }[];
}

/** What a back end can run: templates (tasks) or models (chats). */
export interface Catalog {
  templates?: TemplateInfo[];
  models?: ModelInfo[];
  /** Chats: configured providers Coder Agents cannot use. */
  unsupported_providers?: UnsupportedProvider[];
  /** One line for each malformed item left out (or part that could not be read). */
  skipped?: string[];
}

/** Re-exported from the Coder layer, where sends raise it. */
export { AgentBusyError } from "../coder/errors.ts";

/**
 * A failure the caller can act on, with the next step to take. Tools render it as an `isError`
 * result: `message` says what happened, `next` what to do.
 */
export class FleetError extends Error {
  readonly next: string;
  constructor(message: string, next: string) {
    super(message);
    this.name = "FleetError";
    this.next = next;
  }
}

/**
 * A back end's list: the agents, and a one-line reason for each item of Coder's answer that was
 * malformed and skipped (a bad item never fails the whole back end).
 */
export type AgentList = Agent[] & {
  skipped?: string[];
  /**
   * Chats: whether Coder's list tells which chats wait for a licence slot. Coder's list leaves
   * `queued_for_capacity` false (only single-chat reads derive it), so this is true only when a
   * list item says true.
   */
  queueFlagListed?: boolean;
  /**
   * True when Coder itself matched the filter's `query` (chats on v2.39: its full-text search,
   * which reads the conversation too): the fleet keeps every agent listed, though its name and
   * message may not contain the text.
   */
  queryMatched?: boolean;
};

/** A back end's list as summaries (see {@link AgentSummary}), with the same `skipped`. */
export type SummaryList = AgentSummary[] & {
  skipped?: string[];
  queueFlagListed?: boolean;
  queryMatched?: boolean;
};

/** A write the fleet makes to an agent. */
export type AgentWrite = "send" | "stop" | "remove";

/** One change a back end's watch reports: what happened (Coder's word) and the agent now. */
export interface WatchEvent {
  /** `status_change`, `created`, `deleted`, `title_change`, ... (kept as sent). */
  kind: string;
  agent: Agent;
}

/** What a listener of an {@link AgentWatch} hears. */
export interface WatchListener {
  event(e: WatchEvent): void;
  /** The stream opened (after a connect or a reconnect), or dropped. */
  state(s: "open" | "closed"): void;
}

/**
 * A back end's live stream of changes (chats: Coder's watch WebSocket), shared by every wait of
 * the process: it opens with the first listener and closes when the last one leaves. It has no
 * replay, so listeners reconcile with a list when it opens, and poll while it is closed.
 */
export interface AgentWatch {
  /** True while the stream is open. */
  readonly isOpen: boolean;
  /** False when the deployment has no usable stream (it never opened, a few times in a row). */
  readonly available: boolean;
  /** Listen; returns the function that stops listening. */
  subscribe(l: WatchListener): () => void;
  /** Close the stream whatever listens (shutdown). */
  close(): void;
}

/** One Coder back end: Tasks or Chats. */
export interface Backend {
  readonly kind: AgentKind;
  /** API prefix in use, e.g. `/api/v2`. */
  readonly prefix: string;
  /** All agents visible to the caller, in ONE list request. Pushes filters Coder can apply. */
  list(filter: ListFilter, signal?: AbortSignal): Promise<AgentList>;
  /** The same list request as {@link list}, as summaries: full agents are built on demand. */
  summaries(filter: ListFilter, signal?: AbortSignal): Promise<SummaryList>;
  /**
   * Agents matching a handle (0, 1, or several when a chat title is ambiguous). `quick` looks only
   * where one direct request can tell; `full` (default) may also search a list (another user's
   * task by id, a name on a server that takes only ids).
   */
  find(handle: Handle, signal?: AbortSignal, depth?: "quick" | "full"): Promise<Agent[]>;
  /** A page of the agent's conversation. */
  logs(agent: Agent, query: LogQuery, signal?: AbortSignal): Promise<LogPage>;
  /** Start one agent. */
  create(spec: CreateSpec, signal?: AbortSignal): Promise<Agent>;
  /**
   * Why agents like `spec` cannot be created at all (chats: not for another user), decided
   * without a request; undefined when they can. `create` refuses them too.
   */
  createRefusal?(spec: CreateSpec): FleetError | undefined;
  /** Send input. `busy` is the chat busy behaviour; tasks ignore it. Throws AgentBusyError. */
  send(
    agent: Agent,
    input: string,
    busy?: "queue" | "interrupt",
    requestId?: string,
  ): Promise<SendResult>;
  /** Stop current work, resumably (task: pause; chat: interrupt). */
  stop(agent: Agent): Promise<ActionResult>;
  /** Resume (task: resume, after replacing the prompt when given). */
  resume(agent: Agent, prompt?: string): Promise<ActionResult>;
  /** Delete a task, archive a chat. */
  remove(agent: Agent): Promise<ActionResult>;
  /**
   * Why the caller may not make this write to `agent` at all (chats: only the owner may write to
   * a chat), decided without a request; undefined when it may. The write itself refuses too.
   */
  refusal?(agent: Agent, write: AgentWrite): FleetError | undefined;
  /** What can be run. */
  catalog(signal?: AbortSignal): Promise<Catalog>;
  /**
   * The back end's stream of changes, where Coder offers one (chats), one per back end; it
   * carries only the caller's own agents. Undefined when there is none (tasks).
   */
  watch?(): AgentWatch;
  /** Extra facts for `get_agent` (a chat's cost, say); `{}` when there are none. */
  extras(agent: Agent, signal?: AbortSignal): Promise<Record<string, unknown>>;
  /**
   * Send now, before `handle` is resolved, the requests that {@link logs} (and, with `extras`,
   * {@link extras}) will need once it is, where the handle alone names the path: one round trip
   * for `get_agent` and `get_logs`. Undefined when the handle does not name a path of this back
   * end (a chat title, say). The requests are aborted with `signal`.
   */
  prefetch?(
    handle: Handle,
    query: LogQuery,
    extras: boolean,
    signal: AbortSignal,
  ): Prefetched | undefined;
}

/**
 * What {@link Backend.prefetch} sent, to be read once the agent is known: each answers from the
 * request already sent when it was for that agent, and sends its own request otherwise.
 */
export interface Prefetched {
  logs(agent: Agent, signal?: AbortSignal): Promise<LogPage>;
  extras(agent: Agent, signal?: AbortSignal): Promise<Record<string, unknown>>;
}
