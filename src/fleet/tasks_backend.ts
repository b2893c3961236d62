/**
 * The Tasks back end: Coder Tasks (`P/tasks`) seen through the fleet's agent model.
 *
 * One list request per `list` call; a handle is resolved with one GET (plus, for an id owned by
 * someone else, one list). Writes report `done` only on Coder's documented success; any other
 * failure (an `uncertain` write included) propagates as the CoderError it is. The mapping to
 * agents is in `tasks_mapping.ts`, template and preset resolution in `tasks_templates.ts`.
 */
import type { Agent } from "./agent.ts";
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
} from "./backend.ts";
import { coderWords, isHttp, isInvalidUuid, isNotFound, isUnknownUser } from "./backend_errors.ts";
import { pageTaskLogs, SINGLE_STATUS, taskToAgent } from "./tasks_mapping.ts";
import { resolvePreset, resolveTemplate, taskCatalog } from "./tasks_templates.ts";
import { oneLine } from "./text.ts";
import { isoTime } from "./time.ts";
import { CoderError } from "../coder/http.ts";
import { InvalidSegmentError } from "../coder/errors.ts";
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
  updateTaskInput,
} from "../coder/tasks.ts";

export { LOG_TEXT_CAP, pageTaskLogs, PROMPT_CAP, taskToAgent } from "./tasks_mapping.ts";
export { PRESET_CONCURRENCY } from "./tasks_templates.ts";

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

  #agent(task: Task): Agent {
    const agent = taskToAgent(task, this.#ctx);
    this.#source.set(agent, task);
    return agent;
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
    if (this.prefix === "/api/v2" && states.length > 0) {
      const mapped = states.map((s) => SINGLE_STATUS[s]);
      const distinct = new Set(mapped);
      if (!mapped.includes(undefined) && distinct.size === 1) terms.push(`status:${mapped[0]}`);
    }
    return terms.join(" ");
  }

  /** All tasks visible to the caller, in one `GET P/tasks`; malformed items are skipped. */
  async list(filter: ListFilter, signal?: AbortSignal): Promise<AgentList> {
    const q = this.listQuery(filter);
    const { tasks, skipped } = await listTasks(this.#client, this.prefix, q || undefined, signal);
    const agents: AgentList = tasks.map((t) => this.#agent(t));
    if (skipped.length > 0) agents.skipped = skipped;
    return agents;
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
  async logs(agent: Agent, query: LogQuery, signal?: AbortSignal): Promise<LogPage> {
    let body;
    try {
      body = await getTaskLogs(this.#client, this.prefix, this.#user(agent), agent.id, signal);
    } catch (err) {
      if (isHttp(err, 400) && /sidebar app/i.test(err.coderMessage ?? "")) {
        throw new FleetError(
          `${agent.name} is still starting and has no conversation yet.`,
          "Wait with wait_for_agents, then call get_logs again.",
        );
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
    try {
      if (prompt !== undefined && prompt !== "") {
        await updateTaskInput(this.#client, this.prefix, user, agent.id, prompt);
      }
      await resumeTask(this.#client, this.prefix, user, agent.id);
    } catch (err) {
      if (isHttp(err, 409)) {
        const detail = oneLine(err.detail, 80);
        return { outcome: "skipped", detail: `not paused${detail ? ` (${detail})` : ""}` };
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
