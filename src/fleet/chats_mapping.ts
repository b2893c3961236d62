/**
 * Chats seen as fleet agents: a Coder chat mapped to an {@link Agent} (sanitised), model configs
 * flattened, message roles mapped, ownership decided. Pure functions, no I/O.
 */
import type { Chat, ChatModelsResponse } from "../coder/chats.ts";
import type { Agent } from "./agent.ts";
import type { BackendContext, LogMessage, ModelInfo } from "./backend.ts";
import { chatState } from "./chat_state.ts";
import { isoTime } from "./time.ts";
import { oneLine } from "./text.ts";

/** Longest chat title kept in an agent's `name`. */
export const NAME_MAX = 200;

/** Flatten Coder's models-by-provider answer into the fleet's model list (sanitised). */
export function modelInfos(res: ChatModelsResponse): ModelInfo[] {
  const out: ModelInfo[] = [];
  for (const p of res.providers) {
    for (const m of p.models) {
      out.push({
        id: oneLine(m.id, 100),
        model: oneLine(m.model ?? "", 100),
        provider: oneLine(m.provider ?? p.provider ?? "", 100),
        display_name: oneLine(m.display_name ?? m.model ?? "", 100),
        available: p.available ?? true,
      });
    }
  }
  return out;
}

/** Map a Coder message role to a log role. */
export function logRole(role: string | null | undefined): LogMessage["role"] {
  switch (role) {
    case "user":
      return "user";
    case "assistant":
      return "agent";
    case "tool":
      return "tool";
    default:
      return "system";
  }
}

/** Map a Coder chat to a fleet agent (sanitised). */
export function chatToAgent(chat: Chat, ctx: Pick<BackendContext, "dashboardUrl" | "now">): Agent {
  const now = new Date(ctx.now()).toISOString();
  const created = isoTime(chat.created_at, isoTime(chat.updated_at, now));
  const updated = isoTime(chat.updated_at, created);
  const { state, detail, since } = chatState(chat, updated);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(chat.labels)) labels[oneLine(k, 100)] = oneLine(v, 200);
  const lastError = typeof chat.last_error === "string"
    ? chat.last_error
    : chat.last_error?.message;
  const agent: Agent = {
    id: chat.id,
    kind: "chat",
    name: oneLine(chat.title ?? "", NAME_MAX),
    owner: oneLine(firstText(chat.owner_username, chat.owner_name, chat.owner_id), 100),
    state,
    detail,
    message: oneLine(firstText(chat.last_turn_summary, chat.summary, lastError)),
    workspace: chat.workspace_id,
    created_at: created,
    updated_at: updated,
    state_since: since,
    url: `${ctx.dashboardUrl}/agents/${encodeURIComponent(chat.id)}`,
    labels,
  };
  if (chat.organization_id) agent.organization_id = chat.organization_id;
  if (chat.archived) agent.archived = true;
  return agent;
}

/** The first non-blank text. */
export function firstText(...values: (string | null | undefined)[]): string {
  for (const v of values) if (v && v.trim() !== "") return v;
  return "";
}

/** True when `owner` (a username or id) owns the chat. */
export function ownedBy(chat: Chat, owner: string, me: { id: string; username: string }): boolean {
  const o = owner.toLowerCase();
  if (chat.owner_id && (chat.owner_id.toLowerCase() === o)) return true;
  if (chat.owner_username && chat.owner_username.toLowerCase() === o) return true;
  if (!chat.owner_username && chat.owner_name && chat.owner_name.toLowerCase() === o) return true;
  // Coder answered for the caller but named no owner: a chat of one's own.
  if (!chat.owner_username && !chat.owner_name && !chat.owner_id) {
    return o === me.username.toLowerCase() || o === me.id.toLowerCase();
  }
  return false;
}
