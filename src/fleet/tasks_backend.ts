/**
 * The Tasks back end: Coder Tasks (`P/tasks`) seen through the fleet's agent model.
 *
 * One list request per `list` call; a handle is resolved with one GET (plus, for an id owned by
 * someone else, one list). Task logs are read whole (Coder does not page them) and paged here.
 * All agent- or user-written text is sanitised before it leaves this module.
 */
import type { Agent, AgentState } from "./agent.ts";
import {
  type ActionResult,
  type Backend,
  type BackendContext,
  type Catalog,
  type CreateSpec,
  FleetError,
  type Handle,
  type ListFilter,
  type LogMessage,
  type LogPage,
  type LogQuery,
  type SendResult,
  type TemplateInfo,
} from "./backend.ts";
import { runBatch } from "./batch.ts";
import { isUuid } from "./handle.ts";
import { block, oneLine } from "./text.ts";
import { taskState } from "./task_state.ts";
import { isoTime } from "./time.ts";
import { CoderError } from "../coder/http.ts";
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
  type TaskLogEntry,
  type TaskStatus,
  updateTaskInput,
} from "../coder/tasks.ts";
import {
  getTemplate,
  getTemplateByName,
  listAiTemplates,
  listPresets,
  type Template,
} from "../coder/templates.ts";

/** Longest prompt kept on an agent. */
export const PROMPT_CAP = 2_000;
/** Longest log message text kept (the tools cap further). */
export const LOG_TEXT_CAP = 100_000;
/** Preset lookups in flight at once while building the catalog. */
export const PRESET_CONCURRENCY = 8;

/**
 * The one TaskStatus each agent state comes from, when there is exactly one. `starting` comes from
 * pending, initializing, active (no state yet) and error (grace period); `unknown` from unknown
 * and from active with an unrecognised report: those cannot be pushed to Coder.
 */
const SINGLE_STATUS: Partial<Record<AgentState, TaskStatus>> = {
  working: "active",
  idle: "active",
  complete: "active",
  failed: "active",
  paused: "paused",
  error: "error",
};

/** Convert a Coder task into an agent (sanitised). */
export function taskToAgent(task: Task, ctx: Pick<BackendContext, "dashboardUrl" | "now">): Agent {
  const { state, detail, since } = taskState(task, ctx.now());
  const owner = oneLine(task.owner_name || task.owner_id || "", 100);
  const created = isoTime(task.created_at, isoTime(task.updated_at, new Date(0).toISOString()));
  const agent: Agent = {
    id: task.id,
    kind: "task",
    name: oneLine(task.name || task.display_name || task.id, 200),
    owner,
    state,
    detail,
    message: oneLine(task.current_state?.message),
    created_at: created,
    updated_at: isoTime(task.updated_at, created),
    state_since: since || created,
    url: `${ctx.dashboardUrl}/tasks/${encodeURIComponent(owner || "me")}/${task.id}`,
    labels: {},
  };
  const template = task.template_name || task.template_display_name;
  if (template) agent.template = oneLine(template, 200);
  const workspace = task.workspace_name || task.workspace_id;
  if (workspace) agent.workspace = oneLine(workspace, 200);
  if (task.initial_prompt) agent.prompt = block(task.initial_prompt, PROMPT_CAP).text;
  if (task.organization_id) agent.organization_id = task.organization_id;
  return agent;
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

function isHttp(err: unknown, status: number): err is CoderError {
  return err instanceof CoderError && err.kind === "http" && err.status === status;
}

/** 404 "resource not found" (not "Route not found.", which means the API is absent). */
function isNotFound(err: unknown): boolean {
  return isHttp(err, 404) && !err.routeNotFound;
}

function isUnknownUser(err: unknown): boolean {
  return isHttp(err, 400) && /must be an existing uuid or username/i.test(err.coderMessage ?? "");
}

function isInvalidUuid(err: unknown): boolean {
  return isHttp(err, 400) && /invalid uuid/i.test(`${err.coderMessage ?? ""} ${err.detail ?? ""}`);
}

function coderWords(err: CoderError): string {
  const msg = oneLine(err.coderMessage, 200);
  const detail = oneLine(err.detail, 200);
  return detail && detail !== msg ? `${msg} (${detail})` : msg || err.summary;
}

function listNames(names: string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => oneLine(n, 80));
  return names.length > max ? `${shown.join(", ")}, …` : shown.join(", ");
}

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

  /** All tasks visible to the caller, in one `GET P/tasks`. */
  async list(filter: ListFilter, signal?: AbortSignal): Promise<Agent[]> {
    const q = this.listQuery(filter);
    const { tasks } = await listTasks(this.#client, this.prefix, q || undefined, signal);
    return tasks.map((t) => this.#agent(t));
  }

  /** The task a handle names: `[]` when there is none (404, or an unknown owner). */
  async find(
    handle: Handle,
    signal?: AbortSignal,
    depth: "quick" | "full" = "full",
  ): Promise<Agent[]> {
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

  async #template(want: string | undefined, signal?: AbortSignal): Promise<Template> {
    const next = "Call list_templates to see the templates that can run tasks.";
    const w = want?.trim();
    if (w && isUuid(w)) {
      try {
        return await getTemplate(this.#client, w, signal);
      } catch (err) {
        if (isNotFound(err) || isHttp(err, 400)) {
          throw new FleetError(`No template has the id ${w}.`, next);
        }
        throw err;
      }
    }
    if (w && w.includes("/")) {
      const [org, name] = [w.slice(0, w.indexOf("/")), w.slice(w.indexOf("/") + 1)];
      try {
        return await getTemplateByName(this.#client, org, name, signal);
      } catch (err) {
        if (isNotFound(err) || isHttp(err, 400)) {
          throw new FleetError(`No template "${oneLine(w, 120)}" was found.`, next);
        }
        throw err;
      }
    }
    const all = await listAiTemplates(this.#client, signal);
    const names = all.map((t) => t.name);
    if (!w) {
      if (all.length === 1) return all[0];
      if (all.length === 0) {
        throw new FleetError(
          "No template on this Coder deployment can run tasks.",
          "Ask a Coder admin for a template with an AI task, or create a chat (kind: chat) instead.",
        );
      }
      throw new FleetError(
        `Several templates can run tasks (${listNames(names)}); say which one with template.`,
        "Call list_templates, then pass template (a name or id).",
      );
    }
    let matches = all.filter((t) => t.name === w);
    if (matches.length === 0) {
      const lw = w.toLowerCase();
      matches = all.filter((t) =>
        t.name.toLowerCase() === lw || (t.display_name ?? "").toLowerCase() === lw
      );
    }
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) {
      throw new FleetError(
        `Several templates are named "${oneLine(w, 80)}" (in organizations ${
          listNames(matches.map((t) => t.organization_name ?? t.organization_id ?? "?"))
        }).`,
        "Pass template as organization/name, or as the template's id (see list_templates).",
      );
    }
    throw new FleetError(
      `No template named "${oneLine(w, 80)}" can run tasks. ${
        all.length ? `Templates that can: ${listNames(names)}.` : "No template can."
      }`,
      next,
    );
  }

  async #preset(
    template: Template,
    versionId: string,
    want: string | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const presets = await listPresets(this.#client, versionId, signal);
    const w = want?.trim();
    if (!w) {
      const defaults = presets.filter((p) => p.default);
      return defaults.length === 1 ? defaults[0].id : undefined;
    }
    const found = presets.find((p) => p.id === w) ?? presets.find((p) => p.name === w) ??
      presets.find((p) => p.name.toLowerCase() === w.toLowerCase());
    if (found) return found.id;
    const tname = oneLine(template.name, 80);
    throw new FleetError(
      presets.length
        ? `Template "${tname}" has no preset "${oneLine(w, 80)}". Its presets: ${
          listNames(presets.map((p) => p.name))
        }.`
        : `Template "${tname}" has no presets, so preset "${oneLine(w, 80)}" cannot be used.`,
      "Call list_templates to see each template's presets, or omit preset.",
    );
  }

  /** Create a task from a template (and preset) with `spec.prompt` as its input. */
  async create(spec: CreateSpec, signal?: AbortSignal): Promise<Agent> {
    const template = await this.#template(spec.template, signal);
    const versionId = template.active_version_id;
    if (!versionId) {
      throw new FleetError(
        `Template "${oneLine(template.name, 80)}" has no active version.`,
        "Ask a Coder admin to publish a version of it, or pick another template (list_templates).",
      );
    }
    const presetId = await this.#preset(template, versionId, spec.preset, signal);
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
      if (isUnknownUser(err)) {
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
  async catalog(signal?: AbortSignal): Promise<Catalog> {
    const templates = await listAiTemplates(this.#client, signal);
    const results = await runBatch(
      templates,
      async (t): Promise<TemplateInfo> => {
        let presets: TemplateInfo["presets"] = [];
        if (t.active_version_id) {
          try {
            presets = (await listPresets(this.#client, t.active_version_id, signal)).map((p) => ({
              id: p.id,
              name: oneLine(p.name, 100),
              default: p.default,
              description: oneLine(p.description, 300),
            }));
          } catch (err) {
            if (err instanceof CoderError && err.kind === "aborted") throw err;
            // One template's presets failing must not hide the catalog.
          }
        }
        return {
          id: t.id,
          name: oneLine(t.name, 100),
          display_name: oneLine(t.display_name ?? "", 100),
          description: oneLine(t.description ?? "", 300),
          organization_id: t.organization_id ?? "",
          active_version_id: t.active_version_id ?? "",
          presets,
        };
      },
      PRESET_CONCURRENCY,
    );
    // Only a cancelled request fails an item; it cancels the catalog.
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw failed.error;
    return { templates: results.flatMap((r) => r.ok ? [r.value] : []) };
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
