/**
 * The Coder Tasks API's schemas (`P/tasks`, where P is `/api/v2` on v2.29+ or `/api/experimental`
 * on older servers), tolerant and normalising. The endpoints are in `tasks.ts`.
 *
 * Schemas accept both the v2.29+ swagger shapes and what real older servers send (see
 * `coder-api/recorded/README.md`): id fields as `{uuid, valid}` objects, plain strings or null;
 * `status` in the TaskStatus or the WorkspaceStatus vocabulary; `current_state.state` as
 * `failure`/`completed` as well as `failed`/`complete`. Parsing normalises all of these, so the
 * rest of the program sees one shape. Timestamps stay the strings Coder sent.
 */
import { z } from "zod";
import { NullableId } from "./ids.ts";
import { itemsOf } from "./lists.ts";

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

const TaskStateEntry = z
  .looseObject({
    timestamp: z.string().nullish(),
    state: z.string().nullish(),
    message: z.string().nullish(),
    uri: z.string().nullish(),
  })
  .transform((c): TaskCurrentState => ({
    timestamp: c.timestamp || undefined,
    state: normalizeTaskState(c.state),
    state_raw: c.state ?? "",
    message: c.message ?? "",
    uri: c.uri ?? "",
  }));

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

const opt = () => z.string().nullish().transform((v) => v || undefined);

/** Schema of one task: tolerant of v2.27 and v2.29+ shapes, normalising on parse. */
export const TaskSchema = z
  .looseObject({
    id: z.string(),
    name: z.string().nullish(),
    display_name: opt(),
    organization_id: opt(),
    owner_id: opt(),
    owner_name: opt(),
    template_id: opt(),
    template_name: opt(),
    template_display_name: opt(),
    template_version_id: opt(),
    workspace_id: NullableId,
    workspace_name: opt(),
    workspace_agent_id: NullableId,
    workspace_app_id: NullableId,
    workspace_agent_lifecycle: opt(),
    workspace_status: opt(),
    initial_prompt: z.string().nullish(),
    status: z.string().nullish(),
    current_state: TaskStateEntry.nullish(),
    created_at: opt(),
    updated_at: opt(),
  })
  .transform((t): Task => {
    const raw = t.status ?? "";
    let status = normalizeTaskStatus(raw);
    // v2.27 reports the workspace build status: a `running` workspace whose agent has not
    // finished starting is still initializing from the task's point of view.
    if (
      raw.trim().toLowerCase() === "running" &&
      (t.workspace_agent_lifecycle === "created" || t.workspace_agent_lifecycle === "starting")
    ) status = "initializing";
    return {
      id: t.id,
      name: t.name ?? "",
      display_name: t.display_name,
      organization_id: t.organization_id,
      owner_id: t.owner_id,
      owner_name: t.owner_name,
      template_id: t.template_id,
      template_name: t.template_name,
      template_display_name: t.template_display_name,
      template_version_id: t.template_version_id,
      workspace_id: t.workspace_id,
      workspace_name: t.workspace_name,
      workspace_agent_id: t.workspace_agent_id,
      workspace_app_id: t.workspace_app_id,
      workspace_agent_lifecycle: t.workspace_agent_lifecycle,
      workspace_status: t.workspace_status,
      initial_prompt: t.initial_prompt ?? undefined,
      status,
      status_raw: raw,
      current_state: t.current_state ?? undefined,
      created_at: t.created_at,
      updated_at: t.updated_at,
    };
  });

/**
 * `GET P/tasks` (codersdk.TasksListResponse). Tasks are parsed one by one: a malformed one is
 * left out of `tasks` and named in `skipped`.
 */
export const TasksListSchema = z
  .looseObject({
    tasks: itemsOf(TaskSchema, "task"),
    count: z.number().nullish(),
  })
  .transform((b) => ({
    tasks: b.tasks.items,
    count: b.count ?? b.tasks.items.length,
    skipped: b.tasks.skipped,
  }));

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
