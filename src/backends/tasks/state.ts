/**
 * The normalized state of a Coder task (DESIGN.md, "The agent"): a pure function of the task's
 * `status`, its `current_state` and the clock.
 *
 * | task                                   | state      |
 * |----------------------------------------|------------|
 * | `pending`, `initializing`              | `starting` |
 * | `active` + `working`                   | `working`  |
 * | `active` + `idle`                      | `idle`     |
 * | `active` with no state, for >= 30 s    | `idle` (under 30 s: `starting`) |
 * | `active` + `complete`/`completed`      | `complete` |
 * | `active` + `failed`/`failure`          | `failed`   |
 * | `paused`                               | `paused`   |
 * | `error`                                | `error` (within 5 min of the latest start: `starting`) |
 * | `unknown`, anything else               | `unknown`  |
 *
 * Older servers' WorkspaceStatus words are mapped first (running -> active, starting -> initializing,
 * failed -> error, stopped -> paused ...).
 */
import type { AgentState, WaitingFor } from "../../model/agent.ts";
import { normalizeTaskState, normalizeTaskStatus } from "./api.ts";
import type { Task } from "./api.ts";
import { msOf } from "../../model/time.ts";

/** How long an `active` task may have no reported state before it counts as idle. */
export const NO_STATE_IDLE_MS = 30_000;

/** How long after its latest start a task in `error` still counts as `starting`. */
export const ERROR_GRACE_MS = 5 * 60_000;

/** The result of {@link taskState}. */
export interface TaskStateResult {
  state: AgentState;
  /** The back end's own words, e.g. `active/idle`, `paused`, `initializing`, `error`. */
  detail: string;
  /** ISO 8601 UTC: since when the task has been in this state, as far as Coder tells. */
  since: string;
}

/** The fields of a task that its state depends on (a parsed {@link Task} fits). */
export type TaskStateInput = Pick<Task, "status" | "created_at" | "updated_at"> & {
  current_state?: { timestamp?: string; state: string } | null;
};

/** A task's times, each parsed once (epoch ms; undefined when absent or unparsable). */
export interface TaskTimes {
  created?: number;
  updated?: number;
  /** `current_state.timestamp`. */
  reported?: number;
}

/** Parse a task's three times, once. */
export function taskTimes(task: TaskStateInput): TaskTimes {
  return {
    created: msOf(task.created_at),
    updated: msOf(task.updated_at),
    reported: msOf(task.current_state?.timestamp),
  };
}

/** {@link TaskStateResult} with `since` as epoch ms (undefined when Coder tells no usable time). */
export interface TaskStateAt {
  state: AgentState;
  detail: string;
  since?: number;
}

/**
 * Map a task to its normalized state from times already parsed ({@link taskTimes}): the hot path
 * of fleet-wide lists, where no time is parsed or formatted twice.
 */
export function taskStateAt(task: TaskStateInput, times: TaskTimes, now: number): TaskStateAt {
  const status = normalizeTaskStatus(task.status);
  const cs = task.current_state ?? undefined;
  const word = cs?.state ? normalizeTaskState(cs.state) : undefined;
  // The task's latest start or change: updated_at, else created_at.
  const startedMs = times.updated ?? times.created;
  const changedMs = task.updated_at ? times.updated : times.created;
  // Reported state time, when the state comes from the agent's report.
  const reportedMs = cs?.timestamp ? times.reported : changedMs;
  // For states that do not come from the agent's report, a state report older than the last
  // status change (a paused task's last report, say) must not move `since` back.
  const reported = cs?.timestamp ? times.reported : undefined;
  const statusMs = reported === undefined
    ? changedMs
    : changedMs === undefined
    ? reported
    : Math.max(reported, changedMs);

  switch (status) {
    case "pending":
    case "initializing":
      return { state: "starting", detail: status, since: statusMs };
    case "active": {
      if (word === undefined) {
        const age = startedMs === undefined ? Infinity : now - startedMs;
        return {
          state: age >= NO_STATE_IDLE_MS ? "idle" : "starting",
          detail: "active",
          since: statusMs,
        };
      }
      if (word === "unknown") {
        return { state: "unknown", detail: `active/${cs?.state ?? ""}`, since: reportedMs };
      }
      return { state: word, detail: `active/${word}`, since: reportedMs };
    }
    case "paused":
      return { state: "paused", detail: "paused", since: statusMs };
    case "error": {
      const age = startedMs === undefined ? Infinity : now - startedMs;
      return {
        state: age < ERROR_GRACE_MS ? "starting" : "error",
        detail: "error",
        since: statusMs,
      };
    }
    default:
      return { state: "unknown", detail: status, since: statusMs };
  }
}

/** Map a task to its normalized state, the back end's words for it, and since when it holds. */
export function taskState(task: TaskStateInput, now: number): TaskStateResult {
  const { state, detail, since } = taskStateAt(task, taskTimes(task), now);
  return { state, detail, since: since === undefined ? "" : new Date(since).toISOString() };
}

/**
 * What a task in `state` waits on (DESIGN.md's `waiting_for` table, task column): idle -> reply,
 * failed and error -> fix, paused -> resume, complete -> nothing; a task never waits on a decision
 * or a review. Null while starting or working, and for unknown.
 */
export function taskWaitingFor(state: AgentState): WaitingFor | null {
  switch (state) {
    case "idle":
      return "reply";
    case "failed":
    case "error":
      return "fix";
    case "paused":
      return "resume";
    case "complete":
      return "nothing";
    default:
      return null;
  }
}
