/**
 * The Tasks back end: Coder Tasks (`P/tasks`) seen through the fleet's agent model.
 *
 * One list request per `list` call; a handle is resolved with one GET (plus, for an id owned by
 * someone else, one list). Writes report `done` only on Coder's documented success; any other
 * failure (an `uncertain` write included) propagates as the CoderError it is. The mapping to
 * agents is in `mapping.ts`, template and preset resolution in `templates.ts`.
 */
import type { Agent } from "../../model/agent.ts";
import {
  type ActionResult,
  type AgentList,
  type Backend,
  type BackendContext,
  type Catalog,
  type CreateSpec,
  FleetError,
  type Handle,
  type ListFilter,
  type LogPage,
  type LogQuery,
  type SendResult,
  type SummaryList,
} from "../../model/backend.ts";
import {
  coderWords,
  isHttp,
  isInvalidUuid,
  isNotFound,
  isUnknownUser,
} from "../../model/backend_errors.ts";
import { pageTaskLogs, SINGLE_STATUS, taskSummary } from "./mapping.ts";
import { resolvePreset, resolveTemplate, taskCatalog } from "./templates.ts";
import { oneLine } from "../../model/text.ts";
import { isoTime } from "../../model/time.ts";
import { CoderError } from "../../coder/http.ts";
import { InvalidSegmentError } from "../../coder/errors.ts";
import {
  createTask,
  deleteTask,
  getTask,
  getTaskLogs,
  listTasks,
  pauseTask,
  resumeTask,
  sendTaskInput,
  type Task,
  type TaskLogs,
  updateTaskInput,
} from "./api.ts";
import { isTaskName, matchesHandle } from "../../model/handle.ts";

export { LOG_TEXT_CAP, pageTaskLogs, PROMPT_CAP, taskToAgent } from "./mapping.ts";
export { PRESET_CONCURRENCY } from "./templates.ts";

/** The Coder Tasks back end. */
export class TasksBackend implements Backend {
  /** Always `task`. */
  readonly kind = "task" as const;
  /** API prefix in use (`/api/v2` or `/api/experimental`). */
  readonly prefix: string;
  readonly #ctx: BackendContext;
  /** The task each agent was made from, so `extras` needs no second GET of it. */
  readonly #source = new WeakMap<Agent, Task>();

  constructor(ctx: BackendContext) {
    this.#ctx = ctx;
    this.prefix = ctx.prefix;
  }

  get #client() {
    return this.#ctx.client;
  }

  readonly #remember = (agent: Agent, task: Task) => this.#source.set(agent, task);

  #agent(task: Task): Agent {
    return taskSummary(task, this.#ctx, this.#remember).agent();
  }

  /** Path user for an agent: its owner's username, else `me`. */
  #user(agent: Agent): string {
    return agent.owner || "me";
  }

  /** The `q` of a list request for `filter`: `owner:` and, when unambiguous, `status:`. */
  listQuery(filter: ListFilter): string {
    const terms: string[] = [];
    const owner = filter.owner?.trim();
    if (owner && !/\s/.test(owner)) terms.push(`owner:${owner}`);
    // Only v2.29+ servers are known to filter by TaskStatus words; older ones use workspace
    // statuses. The fleet re-applies every filter, so not pushing is always correct.
    const states = filter.state ?? [];
    if (this.prefix === "/api/v2") {
      const mapped = states.map((s) => SINGLE_STATUS[s]);
      const distinct = new Set(mapped);
      if (!mapped.includes(undefined) && distinct.size === 1) terms.push(`status:${mapped[0]}`);
    }
    return terms.join(" ");
  }

  /** All tasks visible to the caller, in one `GET P/tasks`; malformed items are skipped. */
  async list(filter: ListFilter, signal?: AbortSignal): Promise<AgentList> {
    const summaries = await this.summaries(filter, signal);
    const agents: AgentList = summaries.map((s) => s.agent());
    if (summaries.skipped) agents.skipped = summaries.skipped;
    return agents;
  }

  /** The list of {@link list} as summaries: agents are built only for what is shown. */
  async summaries(filter: ListFilter, signal?: AbortSignal): Promise<SummaryList> {
    const q = this.listQuery(filter);
    const { tasks, skipped } = await listTasks(this.#client, this.prefix, q || undefined, signal);
    const out: SummaryList = tasks.map((t) => taskSummary(t, this.#ctx, this.#remember));
    if (skipped.length > 0) out.skipped = skipped;
    return out;
  }

  /**
   * The task a handle names: `[]` when there is none (Coder's 404, an unknown owner, or a name or
   * owner that cannot be a path segment, such as `..`).
   */
  async find(
    handle: Handle,
    signal?: AbortSignal,
    depth: "quick" | "full" = "full",
  ): Promise<Agent[]> {
    try {
      return await this.#find(handle, signal, depth);
    } catch (err) {
      if (err instanceof InvalidSegmentError) return [];
      throw err;
    }
  }

  async #find(handle: Handle, signal: AbortSignal | undefined, depth: "quick" | "full") {
    if (handle.kind === "id") {
      try {
        return [this.#agent(await getTask(this.#client, this.prefix, "me", handle.id, signal))];
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      if (depth === "quick") return [];
      // Not the caller's: it may belong to another user the caller can see.
      const { tasks } = await listTasks(this.#client, this.prefix, undefined, signal);
      return tasks.filter((t) => t.id.toLowerCase() === handle.id.toLowerCase())
        .map((t) => this.#agent(t));
    }
    const user = handle.owner ?? "me";
    try {
      return [this.#agent(await getTask(this.#client, this.prefix, user, handle.name, signal))];
    } catch (err) {
      if (isNotFound(err) || isUnknownUser(err)) return [];
      if (!isInvalidUuid(err)) throw err;
    }
    if (depth === "quick") return [];
    // Older servers take only a UUID for {task}: find the name in the owner's list.
    const { tasks } = await listTasks(this.#client, this.prefix, `owner:${user}`, signal);
    return tasks.filter((t) => t.name === handle.name).map((t) => this.#agent(t));
  }

  /** A page of the task's conversation (Coder answers with the whole log; paged here). */
  logs(agent: Agent, query: LogQuery, signal?: AbortSignal): Promise<LogPage> {
    return this.#page(
      agent,
      query,
      getTaskLogs(this.#client, this.prefix, this.#user(agent), agent.id, signal),
    );
  }

  /**
   * The log request of a handle that names a task path (a UUID under `me`, or owner/name), sent
   * before the handle is resolved. Used when the resolved agent is that task; when the path did
   * not find it (another user's task by UUID), the log is fetched by the agent's owner instead.
   */
  prefetch(handle: Handle, query: LogQuery, _extras: boolean, signal: AbortSignal) {
    if (handle.kind === "name" && !isTaskName(handle.name)) return undefined;
    const user = handle.kind === "id" ? "me" : handle.owner ?? "me";
    const ref = handle.kind === "id" ? handle.id : handle.name;
    const sent = getTaskLogs(this.#client, this.prefix, user, ref, signal);
    sent.catch(() => {}); // read only if the handle resolves to this task
    const me = this.#ctx.me.username;
    // Only this back end's own agents (tasks) are given here: a prefetch is read only from the
    // back end of the agent the handle resolved to (fleet/one_trip.ts).
    const fits = (agent: Agent) => matchesHandle(agent, handle, me);
    return {
      logs: (agent: Agent, s?: AbortSignal): Promise<LogPage> => {
        if (!fits(agent)) return this.logs(agent, query, s);
        return this.#page(
          agent,
          query,
          sent.catch((err) => {
            const missed = isNotFound(err) || isUnknownUser(err) || isInvalidUuid(err) ||
              err instanceof InvalidSegmentError;
            if (!missed) throw err;
            return getTaskLogs(this.#client, this.prefix, this.#user(agent), agent.id, s);
          }),
        );
      },
      extras: (agent: Agent, s?: AbortSignal) => this.extras(agent, s),
    };
  }

  async #page(agent: Agent, query: LogQuery, answer: Promise<TaskLogs>): Promise<LogPage> {
    let body;
    try {
      body = await answer;
    } catch (err) {
      if (isHttp(err, 400) && /sidebar app/i.test(err.coderMessage ?? "")) {
        throw noConversation(agent, this.#ctx.version);
      }
      if (isHttp(err, 409)) {
        throw new FleetError(
          `${agent.name} has no readable conversation: ${coderWords(err)}`,
          "Check the task in the Coder dashboard, then delete it with delete_agents and create a new one if it cannot recover.",
        );
      }
      throw err;
    }
    const page: LogPage = { ...pageTaskLogs(body.logs, query), snapshot: body.snapshot };
    if (body.snapshot_at) page.snapshot_at = isoTime(body.snapshot_at);
    return page;
  }

  /** Create a task from a template (and preset) with `spec.prompt` as its input. */
  async create(spec: CreateSpec, signal?: AbortSignal): Promise<Agent> {
    const template = await resolveTemplate(this.#client, spec.template, signal);
    const versionId = template.active_version_id;
    if (!versionId) {
      throw new FleetError(
        `Template "${oneLine(template.name, 80)}" has no active version.`,
        "Ask a Coder admin to publish a version of it, or pick another template (list_templates).",
      );
    }
    const presetId = await resolvePreset(this.#client, template, versionId, spec.preset, signal);
    const user = spec.owner?.trim() || "me";
    try {
      const task = await createTask(this.#client, this.prefix, user, {
        input: spec.prompt,
        ...(spec.name ? { name: spec.name } : {}),
        template_version_id: versionId,
        ...(presetId ? { template_version_preset_id: presetId } : {}),
      }, signal);
      return this.#agent(task);
    } catch (err) {
      if (isHttp(err, 409)) {
        throw new FleetError(
          `A task named "${oneLine(spec.name ?? "", 80)}" already exists: ${coderWords(err)}`,
          "Choose another name, or omit name to let Coder pick one.",
        );
      }
      if (isUnknownUser(err) || err instanceof InvalidSegmentError) {
        throw new FleetError(
          `Coder has no user "${oneLine(user, 80)}".`,
          "Check the owner's username, or omit owner to create the task for yourself.",
        );
      }
      throw err;
    }
  }

  /** Send input to an idle task. Throws AgentBusyError when Coder says it is not ready. */
  async send(agent: Agent, input: string): Promise<SendResult> {
    await sendTaskInput(this.#client, this.prefix, this.#user(agent), agent.id, input);
    return { outcome: "sent", detail: "sent" };
  }

  /** Pause the task (stop its workspace, keeping its conversation). */
  async stop(agent: Agent): Promise<ActionResult> {
    if (agent.state === "paused") return { outcome: "skipped", detail: "already paused" };
    try {
      await pauseTask(this.#client, this.prefix, this.#user(agent), agent.id);
    } catch (err) {
      if (isRouteGone(err)) throw cannotPause(this.#ctx.version, "paused");
      if (isHttp(err, 409)) {
        if (/paused/i.test(err.detail ?? "")) {
          return { outcome: "skipped", detail: "already paused" };
        }
        throw new FleetError(
          `${agent.name} cannot be paused now: ${coderWords(err)}`,
          "Wait with wait_for_agents until it is running, then call stop_agents again.",
        );
      }
      throw err;
    }
    return { outcome: "done", detail: "paused" };
  }

  /** Resume a paused task, replacing its prompt first when `prompt` is given. */
  async resume(agent: Agent, prompt?: string): Promise<ActionResult> {
    if (agent.state !== "paused") {
      return { outcome: "skipped", detail: `not paused (state: ${agent.state})` };
    }
    const user = this.#user(agent);
    let replaced = false;
    try {
      if (prompt !== undefined && prompt !== "") {
        await updateTaskInput(this.#client, this.prefix, user, agent.id, prompt);
        replaced = true;
      }
      await resumeTask(this.#client, this.prefix, user, agent.id);
    } catch (err) {
      if (isRouteGone(err)) throw cannotPause(this.#ctx.version, "resumed");
      if (isHttp(err, 409)) {
        const detail = oneLine(err.detail, 80);
        // The prompt may have changed although the task did not resume: say both.
        return {
          outcome: "skipped",
          detail: `${replaced ? "prompt replaced, not resumed: " : ""}not paused${
            detail ? ` (${detail})` : ""
          }`,
        };
      }
      throw err;
    }
    return {
      outcome: "done",
      detail: prompt ? "prompt replaced, resumed" : "resumed",
    };
  }

  /** Delete the task. */
  async remove(agent: Agent): Promise<ActionResult> {
    try {
      await deleteTask(this.#client, this.prefix, this.#user(agent), agent.id);
    } catch (err) {
      if (isNotFound(err)) return { outcome: "skipped", detail: "already deleted" };
      throw err;
    }
    return { outcome: "done", detail: "deleted" };
  }

  /** Task-capable templates with the presets of their active versions. */
  catalog(signal?: AbortSignal): Promise<Catalog> {
    return taskCatalog(this.#client, signal);
  }

  /** Workspace facts for `get_agent`: workspace status, agent lifecycle, the agent's link. */
  async extras(agent: Agent, signal?: AbortSignal): Promise<Record<string, unknown>> {
    let task = this.#source.get(agent);
    if (!task) {
      try {
        task = await getTask(this.#client, this.prefix, this.#user(agent), agent.id, signal);
      } catch (err) {
        if (err instanceof CoderError && err.kind !== "aborted") return {};
        throw err;
      }
    }
    const out: Record<string, unknown> = {};
    if (task.status_raw && task.status_raw !== task.status) {
      out.coder_status = oneLine(task.status_raw, 40);
    }
    if (task.workspace_status) out.workspace_status = oneLine(task.workspace_status, 40);
    if (task.workspace_agent_lifecycle) {
      out.agent_lifecycle = oneLine(task.workspace_agent_lifecycle, 40);
    }
    if (task.current_state?.uri) out.link = oneLine(task.current_state.uri, 500);
    return out;
  }
}

/** The first Coder version with task pause and resume (v2.27/v2.28 have no such routes). */
export const PAUSE_SINCE = "v2.29";

/** A 404 "Route not found.": the server has no such route at all (only Coder's answer says so). */
function isRouteGone(err: unknown): boolean {
  return err instanceof CoderError && err.routeNotFound;
}

/** This Coder has no pause/resume routes: say so, and from which version it has them. */
function cannotPause(version: string | undefined, verb: "paused" | "resumed"): FleetError {
  const v = version ? `Coder ${oneLine(version, 40)}` : "This Coder version";
  return new FleetError(
    `${v} cannot pause or resume tasks (it has no pause or resume route); tasks can be ${verb} through the API from Coder ${PAUSE_SINCE} on.`,
    verb === "paused"
      ? "Stop the task's workspace in the Coder dashboard, or delete the task with delete_agents; upgrading Coder to v2.29 or later adds pause and resume."
      : "Start the task's workspace in the Coder dashboard; upgrading Coder to v2.29 or later adds pause and resume.",
  );
}

/**
 * Coder's 400 "Task is not configured with a sidebar app.": the task has no running app to read
 * the conversation from. A stopped (paused) task on a Coder without log snapshots says so; a
 * starting one has no conversation yet.
 */
function noConversation(agent: Agent, version: string | undefined): FleetError {
  if (agent.state !== "paused") {
    return new FleetError(
      `${agent.name} is still starting and has no conversation yet.`,
      "Wait with wait_for_agents, then call get_logs again.",
    );
  }
  const v = version ? `Coder ${oneLine(version, 40)}` : "This Coder";
  return new FleetError(
    `${agent.name} is stopped (${agent.detail}), and ${v} reads a task's conversation only from its running app: it keeps no copy while the workspace is stopped.`,
    "Start the task's workspace in the Coder dashboard, wait with wait_for_agents, then call get_logs again; get_agent shows its latest status message meanwhile.",
  );
}
