/**
 * The wire shapes of simulated chats: codersdk.Chat, chat messages and queued messages, and the
 * plain text of message parts.
 */
import type { World } from "../deployment.ts";
import type { ChatRec, MsgRec, QueuedRec } from "./store.ts";

/**
 * codersdk.Chat as served. `single`: a single-chat read, which derives `queued_for_capacity`;
 * lists (and watch frames) leave it false, as Coder's swagger says.
 */
export function chatWire(w: World, c: ChatRec, single = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: c.id,
    owner_id: c.owner.id,
    owner_username: c.owner.username,
    owner_name: c.owner.name,
    organization_id: w.org.id,
    title: c.title,
    status: c.status,
    last_model_config_id: c.modelId,
    last_reasoning_effort: "",
    labels: c.labels,
    last_turn_summary: c.summary,
    archived: c.archived,
    pin_order: 0,
    has_unread: c.hasUnread,
    queued_for_capacity: single && c.capacityQueued,
    shared: false,
    client_type: "api",
    mcp_server_ids: [],
    children: [],
    files: [],
    last_error: c.lastError,
    created_at: w.time(c.createdAt),
    updated_at: w.time(c.updatedAt),
  };
  if (c.workspaceId) out.workspace_id = c.workspaceId;
  return out;
}

/** codersdk.ChatMessage as served. */
export function chatMessageJson(w: World, c: ChatRec, m: MsgRec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: m.id,
    chat_id: c.id,
    role: m.role,
    content: m.parts,
    created_at: w.time(m.at),
    model_config_id: c.modelId,
  };
  if (m.role === "user") out.created_by = c.owner.id;
  if (m.role === "assistant") {
    const input = 1200 + (m.id * 37) % 900;
    const output = 80 + (m.id * 13) % 400;
    out.usage = {
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
      reasoning_tokens: 0,
      cache_read_tokens: 0,
      cache_creation_tokens: 0,
      context_limit: 200000,
    };
  }
  return out;
}

/** A queued message as served. */
export function chatQueuedJson(w: World, c: ChatRec, q: QueuedRec): Record<string, unknown> {
  return {
    id: q.id,
    chat_id: c.id,
    content: q.parts,
    created_at: w.time(q.at),
    model_config_id: c.modelId,
  };
}
