/**
 * A chat's conversation as the fleet's log pages: Coder's message pages (`GET C/chats/{chat}/
 * messages`, newest first, or ascending after an `after_id`) turned into ascending pages of
 * sanitised messages, with the chat's queued messages.
 */
import { type ChatMessagesResponse, listChatMessages } from "./api.ts";
import { logRole } from "./mapping.ts";
import { renderParts } from "./state.ts";
import type { Agent } from "../../model/agent.ts";
import type { BackendContext, LogMessage, LogPage, LogQuery } from "../../model/backend.ts";
import { oneLine } from "../../model/text.ts";
import { isoTime } from "../../model/time.ts";

/** Coder's page-size bounds for chat messages. */
const MAX_PAGE = 200;

/** The page size asked of Coder: the query's limit within Coder's bounds. */
function pageLimit(query: LogQuery): number {
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(query.limit) || 1));
}

/** Ask Coder for the page of chat `id`'s messages that `query` names. */
export function fetchMessages(
  ctx: BackendContext,
  id: string,
  query: LogQuery,
  signal?: AbortSignal,
): Promise<ChatMessagesResponse> {
  return listChatMessages(ctx.client, ctx.prefix, id, {
    before_id: query.before_id,
    after_id: query.after_id,
    limit: pageLimit(query),
  }, signal);
}

/** Coder's answer as a log page of `agent`: ascending, within the query's cursors and limit. */
export async function logPage(
  agent: Agent,
  query: LogQuery,
  answer: Promise<ChatMessagesResponse>,
): Promise<LogPage> {
  const limit = pageLimit(query);
  const res = await answer;
  const forward = query.after_id !== undefined && query.before_id === undefined;
  let msgs = res.messages
    .filter((m) => query.after_id === undefined || m.id > query.after_id)
    .filter((m) => query.before_id === undefined || m.id < query.before_id)
    .sort((a, b) => a.id - b.id);
  let more = res.has_more ?? res.messages.length >= limit;
  if (msgs.length > limit) {
    msgs = forward ? msgs.slice(0, limit) : msgs.slice(msgs.length - limit);
    more = true;
  }
  const fallback = agent.updated_at;
  const messages: LogMessage[] = msgs.map((m) => ({
    id: m.id,
    role: logRole(m.role),
    time: isoTime(m.created_at, fallback),
    text: renderParts(m.content),
  }));
  return {
    messages,
    snapshot: false,
    has_older: forward ? (query.after_id ?? 0) > 0 : more,
    has_newer: forward ? more : query.before_id !== undefined,
    queued: res.queued_messages.map((q) => oneLine(renderParts(q.content), 200)),
  };
}
