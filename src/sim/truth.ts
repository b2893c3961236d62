/**
 * Ground truth of the simulated fleet: DESIGN.md's normalized state table, applied to the raw
 * wire objects the sim serves (both the v2.29+ and the v2.27 vocabularies).
 */

/** The normalized agent states of DESIGN.md. */
export type NormState =
  | "starting"
  | "working"
  | "idle"
  | "complete"
  | "failed"
  | "paused"
  | "error"
  | "unknown";

const WORKSPACE_TO_TASK: Record<string, string> = {
  running: "active",
  starting: "initializing",
  pending: "initializing",
  failed: "error",
  canceled: "error",
  stopping: "paused",
  stopped: "paused",
};

const TASK_STATUSES = new Set(["pending", "initializing", "active", "paused", "unknown", "error"]);

/**
 * Normalize a raw codersdk.Task. Time-dependent rules of DESIGN.md use `updated_at` as the
 * task's latest start: active with no state counts as `starting` for its first 30 s (then
 * `idle`); `error` counts as `starting` within 5 minutes.
 */
export function taskState(raw: Record<string, unknown>, now = Date.now()): NormState {
  let status = String(raw.status ?? "");
  if (!TASK_STATUSES.has(status) || status === "pending") {
    status = WORKSPACE_TO_TASK[status] ?? (status === "pending" ? "initializing" : status);
  }
  const since = Date.parse(String(raw.updated_at ?? raw.created_at ?? ""));
  const age = Number.isNaN(since) ? Infinity : now - since;
  switch (status) {
    case "initializing":
      return "starting";
    case "paused":
      return "paused";
    case "error":
      return age < 5 * 60_000 ? "starting" : "error";
    case "active": {
      const cs = raw.current_state as Record<string, unknown> | null | undefined;
      const st = cs ? String(cs.state ?? "") : "";
      if (!cs || st === "") return age < 30_000 ? "starting" : "idle";
      if (st === "working") return "working";
      if (st === "idle") return "idle";
      if (st === "complete" || st === "completed") return "complete";
      if (st === "failed" || st === "failure") return "failed";
      return "unknown";
    }
    default:
      return "unknown";
  }
}

/** Normalize a raw codersdk.Chat. */
export function chatState(raw: Record<string, unknown>): NormState {
  if (raw.queued_for_capacity === true) return "starting";
  switch (raw.status) {
    case "running":
    case "interrupting":
      return "working";
    case "waiting":
    case "requires_action":
    case "paused":
      return "idle";
    case "error":
      return "error";
    default:
      return "unknown";
  }
}

/** What a settled agent waits on (DESIGN.md's `waiting_for` table), or null. */
export type Reason = "action" | "reply" | "review" | "fix" | "resume" | "nothing";

/** A raw chat's pull-request state from its `diff_status`, or null when it has none. */
export function chatPr(
  raw: Record<string, unknown>,
): "draft" | "open" | "merged" | "closed" | null {
  const d = raw.diff_status as Record<string, unknown> | null | undefined;
  const word = typeof d?.pull_request_state === "string" ? d.pull_request_state.toLowerCase() : "";
  if (word === "open" && d?.pull_request_draft === true) return "draft";
  return word === "draft" || word === "open" || word === "merged" || word === "closed"
    ? word
    : null;
}

/** What a task in normalized state `s` waits on. */
export function taskReason(s: NormState): Reason | null {
  return s === "idle"
    ? "reply"
    : s === "failed" || s === "error"
    ? "fix"
    : s === "paused"
    ? "resume"
    : s === "complete"
    ? "nothing"
    : null;
}

/** What a raw chat waits on. */
export function chatReason(raw: Record<string, unknown>): Reason | null {
  if (raw.queued_for_capacity === true) return null;
  const pr = chatPr(raw);
  switch (raw.status) {
    case "requires_action":
      return "action";
    case "error":
      return "fix";
    case "paused":
      return "reply";
    case "waiting":
      return pr === "draft" || pr === "open" ? "review" : pr === "merged" ? "nothing" : "reply";
    default:
      return null;
  }
}
