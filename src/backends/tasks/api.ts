/**
 * The Coder Tasks API (`P/tasks`, where P is `/api/v2` on v2.29+ or `/api/experimental` on older
 * servers): one function per endpoint, each passing Coder's documented success status. Path
 * segments are validated and encoded (`paths.ts`). The schemas are in `wire.ts`.
 */
import { z } from "zod";
import { CoderError } from "../../coder/http.ts";
import type { CoderClient } from "../../coder/http.ts";
import { AgentBusyError } from "../../coder/errors.ts";
import { segment } from "../../coder/paths.ts";
import { shared } from "../../coder/coalesce.ts";
import {
  type Task,
  type TaskLogs,
  TaskLogsSchema,
  TaskSchema,
  type TasksList,
  TasksListSchema,
} from "./wire.ts";

export * from "./wire.ts";

/** Answer of pause and resume (`{workspace_build}`, JSON); the build is not read. */
const BuildAnswer = z.looseObject({ workspace_build: z.unknown().optional() }).nullish();

/** codersdk.CreateTaskRequest. */
export interface CreateTaskRequest {
  input: string;
  name?: string;
  display_name?: string;
  template_version_id: string;
  template_version_preset_id?: string;
}

/** `P/tasks/{user}/{task}{tail}`, each segment validated and encoded. */
function taskPath(prefix: string, user: string, task: string, tail = ""): string {
  return `${prefix}/tasks/${segment(user, "task owner")}/${
    segment(task, "task name or id")
  }${tail}`;
}

/**
 * `GET P/tasks?q=...`: every task visible to the caller that matches `q` (no pagination).
 * Concurrent calls with the same `q` share one request in flight (`coalesce.ts`).
 */
export function listTasks(
  client: CoderClient,
  prefix: string,
  q?: string,
  signal?: AbortSignal,
): Promise<TasksList> {
  const path = `${prefix}/tasks`;
  return shared(
    client,
    `GET ${path}?q=${q ?? ""}`,
    `GET ${path}`,
    signal,
    (s) => client.get(path, TasksListSchema, { query: { q }, signal: s }),
  );
}

/** `POST P/tasks/{user}`: create a task (201, status `pending`). */
export async function createTask(
  client: CoderClient,
  prefix: string,
  user: string,
  body: CreateTaskRequest,
  signal?: AbortSignal,
): Promise<Task> {
  return await client.request("POST", `${prefix}/tasks/${segment(user, "task owner")}`, {
    body,
    schema: TaskSchema,
    expect: [201],
    signal,
  });
}

/** `GET P/tasks/{user}/{task}`: `user` is a username, a UUID or `me`; `task` a UUID or a name. */
export async function getTask(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  signal?: AbortSignal,
): Promise<Task> {
  return await client.get(taskPath(prefix, user, task), TaskSchema, { signal });
}

/** `DELETE P/tasks/{user}/{task}` (202). */
export async function deleteTask(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.request("DELETE", taskPath(prefix, user, task), { expect: [202], signal });
}

/** `PATCH P/tasks/{user}/{task}/input` (204): replace the prompt of a paused task. */
export async function updateTaskInput(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  input: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.request("PATCH", taskPath(prefix, user, task, "/input"), {
    body: { input },
    expect: [204],
    signal,
  });
}

/** The message Coder sends (409 on v2.29+, 502 on v2.27) when the task cannot take input. */
export const NOT_READY_MESSAGE = "Task app is not ready to accept input.";

/** True when a send failure means "busy, starting or paused": 409, or 502 with the not-ready message. */
export function isBusyError(err: unknown): err is CoderError {
  if (!(err instanceof CoderError)) return false; // a gateway's 502 has no message of Coder's
  if (err.status === 409) return true;
  return err.status === 502 && (err.coderMessage ?? "").trim() === NOT_READY_MESSAGE;
}

function busySummary(err: CoderError): string {
  const msg = (err.coderMessage ?? "").replace(/\s+/g, " ").trim().slice(0, 200) ||
    "The task cannot take input now.";
  const detail = (err.detail ?? "").replace(/\s+/g, " ").trim().slice(0, 200);
  return detail && detail !== msg ? `${msg} (${detail})` : msg;
}

/**
 * `POST P/tasks/{user}/{task}/send` (204). Throws {@link AgentBusyError} carrying Coder's
 * message and detail when the task is busy, starting or paused (409, or v2.27's 502).
 */
export async function sendTaskInput(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  input: string,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await client.request("POST", taskPath(prefix, user, task, "/send"), {
      body: { input },
      expect: [204],
      signal,
    });
  } catch (err) {
    if (isBusyError(err)) throw new AgentBusyError(busySummary(err));
    throw err;
  }
}

/** `GET P/tasks/{user}/{task}/logs`: the conversation (live, or a snapshot while paused). */
export async function getTaskLogs(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  signal?: AbortSignal,
): Promise<TaskLogs> {
  return await client.get(taskPath(prefix, user, task, "/logs"), TaskLogsSchema, { signal });
}

/** `POST P/tasks/{user}/{task}/pause` (202): stop the task's workspace, keeping its state. */
export async function pauseTask(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.request("POST", taskPath(prefix, user, task, "/pause"), {
    schema: BuildAnswer,
    expect: [202],
    allowEmpty: true,
    signal,
  });
}

/** `POST P/tasks/{user}/{task}/resume` (202): start a paused task again. */
export async function resumeTask(
  client: CoderClient,
  prefix: string,
  user: string,
  task: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.request("POST", taskPath(prefix, user, task, "/resume"), {
    schema: BuildAnswer,
    expect: [202],
    allowEmpty: true,
    signal,
  });
}
