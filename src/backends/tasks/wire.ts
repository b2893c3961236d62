/**
 * The Coder Tasks API's schemas (`P/tasks`, where P is `/api/v2` on v2.29+ or `/api/experimental`
 * on older servers), tolerant and normalising. The endpoints are in `api.ts`.
 *
 * Schemas accept both the v2.29+ swagger shapes and what real older servers send (see
 * `coder-api/recorded/README.md`): id fields as `{uuid, valid}` objects, plain strings or null;
 * `status` in the TaskStatus or the WorkspaceStatus vocabulary; `current_state.state` as
 * `failure`/`completed` as well as `failed`/`complete`. Parsing normalises all of these, so the
 * rest of the program sees one shape. Timestamps stay the strings Coder sent.
 */
import { z } from "zod";
import { idOf, WireId } from "../../coder/ids.ts";
import { parseItems } from "../../coder/lists.ts";

/** The v2.29+ task status vocabulary (codersdk.TaskStatus). */
export const TASK_STATUSES = [
  "pending",
  "initializing",
  "active",
  "paused",
  "unknown",
  "error",
] as const;

/** A task status, normalised to the TaskStatus vocabulary. */
export type TaskStatus = typeof TASK_STATUSES[number];

/** What the agent last reported (codersdk.TaskState), normalised; `unknown` for anything else. */
export type TaskStateWord = "working" | "idle" | "complete" | "failed" | "unknown";

/**
 * Normalise a status word of either vocabulary to a TaskStatus. WorkspaceStatus words of older
 * servers: running -> active, starting/pending -> initializing/pending, failed/canceled -> error,
 * stopping/stopped -> paused; anything unrecognised -> unknown.
 */
export function normalizeTaskStatus(raw: string | null | undefined): TaskStatus {
  const s = (raw ?? "").trim().toLowerCase();
  switch (s) {
    case "pending":
    case "initializing":
    case "active":
    case "paused":
    case "error":
    case "unknown":
      return s;
    case "running":
      return "active";
    case "starting":
      return "initializing";
    case "failed":
    case "canceled":
      return "error";
    case "stopping":
    case "stopped":
      return "paused";
    default:
      return "unknown";
  }
}

/** Normalise `current_state.state`: `failure` -> `failed`, `completed` -> `complete`. */
export function normalizeTaskState(raw: string | null | undefined): TaskStateWord {
  const s = (raw ?? "").trim().toLowerCase();
  switch (s) {
    case "working":
    case "idle":
    case "complete":
    case "failed":
      return s;
    case "completed":
      return "complete";
    case "failure":
      return "failed";
    default:
      return "unknown";
  }
}

/** codersdk.TaskStateEntry, normalised. */
export interface TaskCurrentState {
  /** RFC 3339, as sent. */
  timestamp?: string;
  state: TaskStateWord;
  /** The state word as Coder sent it (e.g. `failure`). */
  state_raw: string;
  message: string;
  uri: string;
}

/** A Coder task (codersdk.Task), normalised. Strings are raw Coder text: sanitise before display. */
export interface Task {
  id: string;
  name: string;
  display_name?: string;
  organization_id?: string;
  owner_id?: string;
  owner_name?: string;
  template_id?: string;
  template_name?: string;
  template_display_name?: string;
  template_version_id?: string;
  workspace_id?: string;
  workspace_name?: string;
  workspace_agent_id?: string;
  workspace_app_id?: string;
  workspace_agent_lifecycle?: string;
  workspace_status?: string;
  initial_prompt?: string;
  /** Normalised to the TaskStatus vocabulary. */
  status: TaskStatus;
  /** The status word exactly as Coder sent it (`running` on v2.27, say). */
  status_raw: string;
  current_state?: TaskCurrentState;
  /** RFC 3339, as sent. */
  created_at?: string;
  /** RFC 3339, as sent. */
  updated_at?: string;
}

const Str = z.string().nullish();

/** A task's `current_state` as sent: a plain object schema (normalised by {@link normalizeTask}). */
const TaskStateWire = z.object({ timestamp: Str, state: Str, message: Str, uri: Str });

/**
 * One task as sent: a plain object schema with no per-field transform (compiled by zod into one
 * fast check). Unknown fields are dropped. {@link normalizeTask} turns it into a {@link Task}.
 */
export const TaskWire = z.object({
  id: z.string(),
  name: Str,
  display_name: Str,
  organization_id: Str,
  owner_id: Str,
  owner_name: Str,
  template_id: Str,
  template_name: Str,
  template_display_name: Str,
  template_version_id: Str,
  workspace_id: WireId,
  workspace_name: Str,
  workspace_agent_id: WireId,
  workspace_app_id: WireId,
  workspace_agent_lifecycle: Str,
  workspace_status: Str,
  initial_prompt: Str,
  status: Str,
  current_state: TaskStateWire.nullish(),
  created_at: Str,
  updated_at: Str,
});

/** A task as sent, validated. */
export type TaskWire = z.infer<typeof TaskWire>;

/** `v || undefined`: absent, null and empty become undefined. */
function opt(v: string | null | undefined): string | undefined {
  return v || undefined;
}

/**
 * Normalise a validated task: ids of either shape to strings, empty strings to absent, the status
 * to the TaskStatus vocabulary (v2.27's `running` with an agent still starting is
 * `initializing`), `current_state.state` to the TaskState vocabulary.
 */
export function normalizeTask(t: TaskWire): Task {
  const raw = t.status ?? "";
  let status = normalizeTaskStatus(raw);
  const lifecycle = opt(t.workspace_agent_lifecycle);
  // v2.27 reports the workspace build status: a `running` workspace whose agent has not
  // finished starting is still initializing from the task's point of view.
  // (`running` is always `active`, so the raw word alone tells.)
  if (
    (lifecycle === "created" || lifecycle === "starting") && raw.trim().toLowerCase() === "running"
  ) status = "initializing";
  const c = t.current_state;
  return {
    id: t.id,
    name: t.name ?? "",
    display_name: opt(t.display_name),
    organization_id: opt(t.organization_id),
    owner_id: opt(t.owner_id),
    owner_name: opt(t.owner_name),
    template_id: opt(t.template_id),
    template_name: opt(t.template_name),
    template_display_name: opt(t.template_display_name),
    template_version_id: opt(t.template_version_id),
    workspace_id: idOf(t.workspace_id),
    workspace_name: opt(t.workspace_name),
    workspace_agent_id: idOf(t.workspace_agent_id),
    workspace_app_id: idOf(t.workspace_app_id),
    workspace_agent_lifecycle: lifecycle,
    workspace_status: opt(t.workspace_status),
    initial_prompt: t.initial_prompt ?? undefined,
    status,
    status_raw: raw,
    current_state: c
      ? {
        timestamp: opt(c.timestamp),
        state: normalizeTaskState(c.state),
        state_raw: c.state ?? "",
        message: c.message ?? "",
        uri: c.uri ?? "",
      }
      : undefined,
    created_at: opt(t.created_at),
    updated_at: opt(t.updated_at),
  };
}

/** Schema of one task: tolerant of v2.27 and v2.29+ shapes, normalising on parse. */
export const TaskSchema = TaskWire.transform(normalizeTask);

/**
 * `GET P/tasks` (codersdk.TasksListResponse). Tasks are parsed one by one: a malformed one is
 * left out of `tasks` and named in `skipped`.
 */
export const TasksListSchema = z
  .object({ tasks: z.array(z.unknown()).nullish(), count: z.number().nullish() })
  .transform((b) => {
    const { items, skipped } = parseItems(b.tasks, TaskWire, normalizeTask, "task");
    return { tasks: items, count: b.count ?? items.length, skipped };
  });

/** The task list. */
export type TasksList = z.output<typeof TasksListSchema>;

/** One log entry (codersdk.TaskLogEntry), normalised. */
export interface TaskLogEntry {
  id: number;
  /** `input` (what was sent to the agent) or `output` (what the agent showed). */
  type: "input" | "output";
  /** The raw content: untrusted, not yet sanitised. */
  content: string;
  /** RFC 3339, as sent (may be empty). */
  time: string;
}

const TaskLogEntrySchema = z
  .looseObject({
    id: z.number(),
    content: z.string().nullish(),
    type: z.string().nullish(),
    time: z.string().nullish(),
  })
  .transform((e): TaskLogEntry => ({
    id: e.id,
    type: e.type === "input" ? "input" : "output",
    content: e.content ?? "",
    time: e.time ?? "",
  }));

/** `GET P/tasks/{user}/{task}/logs` (codersdk.TaskLogsResponse); v2.27 sends only `logs`. */
export const TaskLogsSchema = z
  .looseObject({
    logs: z.array(TaskLogEntrySchema).nullish(),
    snapshot: z.boolean().nullish(),
    snapshot_at: z.string().nullish(),
  })
  .transform((b) => ({
    logs: b.logs ?? [],
    snapshot: b.snapshot ?? false,
    snapshot_at: b.snapshot_at || undefined,
  }));

/** Task logs. */
export type TaskLogs = z.output<typeof TaskLogsSchema>;
