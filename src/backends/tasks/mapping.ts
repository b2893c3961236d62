/**
 * Tasks seen as fleet agents: a Coder task mapped to an {@link Agent} (sanitised), and a task's
 * whole log paged locally. Pure functions, no I/O.
 */
import type { Agent, AgentState, AgentSummary, WaitingFor } from "../../model/agent.ts";
import type { BackendContext, LogMessage, LogQuery } from "../../model/backend.ts";
import { block, oneLine } from "../../model/text.ts";
import { taskStateAt, taskTimes, taskWaitingFor } from "./state.ts";
import { isoTime } from "../../model/time.ts";
import type { Task, TaskLogEntry, TaskStatus } from "./api.ts";

/** Longest prompt kept on an agent. */
export const PROMPT_CAP = 2_000;
/** Longest log message text kept (the tools cap further). */
export const LOG_TEXT_CAP = 100_000;
/**
 * The one TaskStatus each agent state comes from, when there is exactly one. `starting` comes from
 * pending, initializing, active (no state yet) and error (grace period); `unknown` from unknown
 * and from active with an unrecognised report: those cannot be pushed to Coder.
 */
export const SINGLE_STATUS: Partial<Record<AgentState, TaskStatus>> = {
  working: "active",
  idle: "active",
  complete: "active",
  failed: "active",
  paused: "paused",
  error: "error",
};

/** Convert a Coder task into an agent (sanitised). */
export function taskToAgent(task: Task, ctx: Pick<BackendContext, "dashboardUrl" | "now">): Agent {
  return taskSummary(task, ctx).agent();
}

/**
 * A task's summary: state, owner and `since` worked out with each timestamp parsed once; the
 * full agent is built only when asked for. `onAgent` is told of every agent built (the back end
 * remembers which task an agent came from).
 */
export function taskSummary(
  task: Task,
  ctx: Pick<BackendContext, "dashboardUrl" | "now">,
  onAgent?: (agent: Agent, task: Task) => void,
): AgentSummary {
  return new TaskSummary(task, ctx, onAgent);
}

class TaskSummary implements AgentSummary {
  readonly kind = "task" as const;
  readonly state: AgentState;
  readonly owner: string;
  readonly since: number;
  readonly waitingFor: WaitingFor | null;
  /** Tasks have no pull request. */
  readonly prState = null;
  readonly #task: Task;
  readonly #detail: string;
  readonly #created: number;
  readonly #updated: number;
  readonly #ctx: Pick<BackendContext, "dashboardUrl">;
  readonly #onAgent?: (agent: Agent, task: Task) => void;

  constructor(
    task: Task,
    ctx: Pick<BackendContext, "dashboardUrl" | "now">,
    onAgent?: (agent: Agent, task: Task) => void,
  ) {
    const times = taskTimes(task);
    const st = taskStateAt(task, times, ctx.now());
    this.#task = task;
    this.#ctx = ctx;
    this.#onAgent = onAgent;
    this.state = st.state;
    this.waitingFor = taskWaitingFor(st.state);
    this.#detail = st.detail;
    this.owner = oneLine(task.owner_name || task.owner_id || "", 100);
    // created_at, else updated_at, else the epoch; updated_at, else created; since, else created.
    this.#created = times.created ?? times.updated ?? 0;
    this.#updated = times.updated ?? this.#created;
    this.since = st.since ?? this.#created;
  }

  agent(): Agent {
    const task = this.#task;
    const created = new Date(this.#created).toISOString();
    const updated = this.#updated === this.#created
      ? created
      : new Date(this.#updated).toISOString();
    const since = this.since === this.#updated
      ? updated
      : this.since === this.#created
      ? created
      : new Date(this.since).toISOString();
    const owner = this.owner;
    const agent: Agent = {
      id: task.id,
      kind: "task",
      name: oneLine(task.name || task.display_name || task.id, 200),
      owner,
      state: this.state,
      detail: this.#detail,
      message: oneLine(task.current_state?.message),
      created_at: created,
      updated_at: updated,
      state_since: since,
      url: `${this.#ctx.dashboardUrl}/tasks/${encodeURIComponent(owner || "me")}/${task.id}`,
      labels: {},
      pr: null,
      waiting_for: this.waitingFor,
    };
    const template = task.template_name || task.template_display_name;
    if (template) agent.template = oneLine(template, 200);
    const workspace = task.workspace_name || task.workspace_id;
    if (workspace) agent.workspace = oneLine(workspace, 200);
    if (task.initial_prompt) agent.prompt = block(task.initial_prompt, PROMPT_CAP).text;
    if (task.organization_id) agent.organization_id = task.organization_id;
    this.#onAgent?.(agent, task);
    return agent;
  }
}

/**
 * Page a whole task log locally, per {@link LogPage}: ascending ids; with no cursor the newest
 * `limit`; with `after_id` the first `limit` after it; with `before_id` the newest `limit` before it.
 */
export function pageTaskLogs(
  entries: TaskLogEntry[],
  query: LogQuery,
): { messages: LogMessage[]; has_older: boolean; has_newer: boolean } {
  const all = [...entries].sort((a, b) => a.id - b.id);
  const { after_id: after, before_id: before } = query;
  const limit = Math.max(0, Math.floor(query.limit));
  const inRange = all.filter((e) =>
    (after === undefined || e.id > after) && (before === undefined || e.id < before)
  );
  const page = after !== undefined
    ? inRange.slice(0, limit)
    : inRange.slice(Math.max(0, inRange.length - limit));
  let has_older: boolean;
  let has_newer: boolean;
  if (page.length > 0) {
    const first = page[0].id;
    const last = page[page.length - 1].id;
    has_older = all.some((e) => e.id < first);
    has_newer = all.some((e) => e.id > last);
  } else {
    has_older = all.some((e) =>
      after !== undefined ? e.id <= after : before !== undefined && e.id < before
    );
    has_newer = all.some((e) =>
      before !== undefined ? e.id >= before : after !== undefined && e.id > after
    );
  }
  return { messages: page.map(toLogMessage), has_older, has_newer };
}

function toLogMessage(e: TaskLogEntry): LogMessage {
  return {
    id: e.id,
    role: e.type === "input" ? "user" : "agent",
    time: isoTime(e.time),
    text: block(e.content, LOG_TEXT_CAP).text,
  };
}
