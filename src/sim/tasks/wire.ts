/**
 * The wire shapes of simulated tasks: codersdk.Task as v2.29+ serializes it (and the 18-key
 * v2.27 shape), log entries, and the workspace builds that pause and resume answer with.
 */
import type { World } from "../deployment.ts";
import type { TaskRec } from "./store.ts";
import { isoZ, nanoZ, NIL_UUID } from "../util.ts";

/** TaskStatus to the WorkspaceStatus word v2.27 sends. */
export const TO_WORKSPACE: Record<string, string> = {
  pending: "pending",
  initializing: "starting",
  active: "running",
  paused: "stopped",
  error: "failed",
  unknown: "canceling",
};

/** The status word on the wire. */
export function taskWireStatus(w: World, t: TaskRec): string {
  return w.profile === "old" ? (TO_WORKSPACE[t.status] ?? t.status) : t.status;
}

/** The task as Coder serializes it (v2.29+ codersdk.Task, or the 18-key v2.27 shape). */
export function taskWire(w: World, t: TaskRec): Record<string, unknown> {
  const hasAgent = t.status !== "pending" && t.status !== "error";
  const lifecycle = !hasAgent
    ? null
    : t.status === "initializing"
    ? "starting"
    : t.status === "paused"
    ? "off"
    : "ready";
  const health = !hasAgent
    ? null
    : t.status === "paused"
    ? { healthy: false, reason: "agent is not connected" }
    : { healthy: true };
  const current = t.current
    ? {
      timestamp: w.time(t.current.at),
      state: t.current.state,
      message: t.current.message,
      uri: t.current.uri,
    }
    : null;
  if (w.profile === "old") {
    return {
      id: t.id,
      organization_id: w.org.id,
      owner_id: t.owner.id,
      owner_name: t.owner.username,
      name: t.name,
      template_id: t.template.id,
      template_name: t.template.name,
      template_display_name: t.template.displayName,
      template_icon: "",
      workspace_id: t.id,
      workspace_agent_id: hasAgent ? t.agentId : null,
      workspace_agent_lifecycle: lifecycle,
      workspace_agent_health: health ? { healthy: true } : null,
      initial_prompt: t.prompt,
      status: taskWireStatus(w, t),
      current_state: current,
      created_at: w.time(t.createdAt),
      updated_at: w.time(t.createdAt),
    };
  }
  const nu = (id: string, valid: boolean) => ({ uuid: valid ? id : NIL_UUID, valid });
  return {
    id: t.id,
    organization_id: w.org.id,
    owner_id: t.owner.id,
    owner_name: t.owner.username,
    owner_avatar_url: "",
    name: t.name,
    display_name: t.displayName,
    template_id: t.template.id,
    template_version_id: t.template.activeVersionId,
    template_name: t.template.name,
    template_display_name: t.template.displayName,
    template_icon: "",
    workspace_id: nu(t.workspaceId, true),
    workspace_name: `task-${t.name}`.slice(0, 32),
    workspace_status: TO_WORKSPACE[t.status] ?? "running",
    workspace_build_number: t.buildNumber,
    workspace_agent_id: nu(t.agentId, hasAgent),
    workspace_agent_lifecycle: lifecycle,
    workspace_agent_health: health,
    workspace_app_id: nu(t.appId, t.status === "active" || t.status === "paused"),
    initial_prompt: t.prompt,
    status: t.status,
    current_state: current,
    created_at: w.time(t.createdAt),
    updated_at: w.time(t.updatedAt),
  };
}

/** The log entries as Coder serializes them. */
export function taskLogJson(w: World, t: TaskRec) {
  const fmt = w.profile === "old" ? nanoZ : isoZ;
  return t.logs.map((l, id) => ({ id, content: l.content, type: l.type, time: fmt(l.at) }));
}

/** The workspace build a pause or resume answers with. */
export function taskBuild(w: World, t: TaskRec, transition: "start" | "stop") {
  const now = w.clock.now();
  const id = t.rng.uuid();
  return {
    id,
    build_number: t.buildNumber,
    created_at: w.time(now),
    updated_at: w.time(now),
    workspace_id: t.workspaceId,
    workspace_name: `task-${t.name}`.slice(0, 32),
    workspace_owner_id: t.owner.id,
    workspace_owner_name: t.owner.username,
    template_version_id: t.template.activeVersionId,
    template_version_name: t.template.versionName,
    transition,
    initiator_id: w.me.id,
    initiator_name: w.me.username,
    reason: "initiator",
    status: "pending",
    job: {
      id: t.rng.uuid(),
      status: "pending",
      created_at: w.time(now),
      error: "",
      file_id: t.template.id,
      tags: { scope: "organization" },
      type: "workspace_build",
    },
    resources: [],
    deadline: null,
    max_deadline: null,
    daily_cost: 0,
  };
}
