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
import type { AgentState } from "./agent.ts";
import { normalizeTaskState, normalizeTaskStatus } from "../coder/tasks.ts";
import type { Task } from "../coder/tasks.ts";
import { isoTime } from "./time.ts";

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

function ms(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** Map a task to its normalized state, the back end's words for it, and since when it holds. */
export function taskState(task: TaskStateInput, now: number): TaskStateResult {
  const status = normalizeTaskStatus(task.status);
  const cs = task.current_state ?? undefined;
  const word = cs?.state ? normalizeTaskState(cs.state) : undefined;
  // The task's latest start or change: updated_at, else created_at.
  const startedMs = ms(task.updated_at) ?? ms(task.created_at);
  const changedAt = task.updated_at || task.created_at;
  // Reported state time, when the state comes from the agent's report.
  const reportedSince = isoTime(cs?.timestamp || changedAt);
  // For states that do not come from the agent's report, a state report older than the last
  // status change (a paused task's last report, say) must not move `since` back.
  const statusSince = latest(cs?.timestamp, changedAt);

  switch (status) {
    case "pending":
    case "initializing":
      return { state: "starting", detail: status, since: statusSince };
    case "active": {
      if (word === undefined) {
        const age = startedMs === undefined ? Infinity : now - startedMs;
        return {
          state: age >= NO_STATE_IDLE_MS ? "idle" : "starting",
          detail: "active",
          since: statusSince,
        };
      }
      if (word === "unknown") {
        return { state: "unknown", detail: `active/${cs?.state ?? ""}`, since: reportedSince };
      }
      return { state: word, detail: `active/${word}`, since: reportedSince };
    }
    case "paused":
      return { state: "paused", detail: "paused", since: statusSince };
    case "error": {
      const age = startedMs === undefined ? Infinity : now - startedMs;
      return {
        state: age < ERROR_GRACE_MS ? "starting" : "error",
        detail: "error",
        since: statusSince,
      };
    }
    default:
      return { state: "unknown", detail: status, since: statusSince };
  }
}

function latest(a: string | undefined, b: string | undefined): string {
  const ta = ms(a);
  const tb = ms(b);
  if (ta === undefined) return isoTime(b);
  if (tb === undefined) return isoTime(a);
  return new Date(Math.max(ta, tb)).toISOString();
}
