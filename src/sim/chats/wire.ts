/**
 * The wire shapes of simulated chats: codersdk.Chat, chat messages and queued messages, and the
 * plain text of message parts.
 */
import type { World } from "../deployment.ts";
import type { ChatRec, MsgRec, PrRec, QueuedRec } from "./store.ts";

/**
 * codersdk.Chat as served. `single`: a single-chat read, which derives `queued_for_capacity`;
 * lists (and watch frames) leave it false. The current profile serves v2.39's shape (reference
 * §2: `omitempty` fields left out when empty, `summary` and `last_turn_summary` null until there
 * is one, `shared`, `diff_status` when the chat has a pull request); older profiles serve the
 * shape the sim always served them.
 */
export function chatWire(w: World, c: ChatRec, single = false): Record<string, unknown> {
  if (w.profile !== "current") return olderChatWire(w, c, single);
  const out: Record<string, unknown> = {
    id: c.id,
    organization_id: w.org.id,
    owner_id: c.owner.id,
    owner_username: c.owner.username,
    owner_name: c.owner.name,
    last_model_config_id: c.modelId,
    title: c.title,
    status: c.status,
    last_turn_summary: c.summary || null,
    summary: null,
    created_at: w.time(c.createdAt),
    updated_at: w.time(c.updatedAt),
    archived: c.archived,
    shared: c.sharedWith.size > 0,
    pin_order: 0,
    mcp_server_ids: [],
    labels: c.labels,
    has_unread: c.hasUnread,
    client_type: c.clientType,
    children: [],
  };
  if (c.workspaceId) out.workspace_id = c.workspaceId;
  if (c.lastError) out.last_error = c.lastError;
  if (c.pr) out.diff_status = diffStatusWire(w, c, c.pr);
  if (single && c.capacityQueued) out.queued_for_capacity = true;
  return out;
}

/** codersdk.ChatDiffStatus of a chat's pull request (reference §2). */
export function diffStatusWire(w: World, c: ChatRec, pr: PrRec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    chat_id: c.id,
    url: `https://github.com/acme/webapp/pull/${pr.number}`,
    pull_request_state: pr.state === "draft" ? "open" : pr.state,
    pull_request_title: pr.title,
    pull_request_draft: pr.state === "draft",
    changes_requested: pr.changesRequested,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
    author_login: "coder-agent[bot]",
    base_branch: "main",
    head_branch: pr.headBranch,
    pr_number: pr.number,
    commits: pr.commits,
    approved: pr.approved,
    reviewer_count: pr.reviewers,
    refreshed_at: w.time(pr.refreshedAt),
    stale_at: w.time(pr.refreshedAt + 5 * 60_000),
  };
  return out;
}

/** The state words the list's `pr_status:` filter matches a chat's pull request with. */
export function prStatusOf(c: ChatRec): string {
  return c.pr ? c.pr.state : "none";
}

/** codersdk.Chat as the sim serves it on profiles older than v2.39. */
function olderChatWire(w: World, c: ChatRec, single: boolean): Record<string, unknown> {
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
