/**
 * Whose chat it is (DESIGN, "Whose agents"). Coder lists the caller's own chats and the chats
 * shared with it, but only the owner may send to a chat (403 "Only the chat owner may send
 * messages.", admins included), and only a caller with update permission may interrupt or archive
 * it (404 otherwise). So a write to a chat the caller does not own is refused here, before any
 * request, with the reason; and Coder's own refusal, should one come anyway, reads the same.
 */
import type { Chat } from "./api.ts";
import type { Agent } from "../../model/agent.ts";
import { type AgentWrite, FleetError } from "../../model/backend.ts";
import { isHttp, isNotFound } from "../../model/backend_errors.ts";
import { oneLine } from "../../model/text.ts";

/** A write to a chat. */
export type ChatWrite = AgentWrite;

const WHAT: Record<ChatWrite, string> = {
  send: "send to it",
  stop: "interrupt it",
  remove: "archive it",
};

/**
 * True when `me` owns the chat: its owner id or username is the caller's; a chat that names no
 * owner at all is the caller's (Coder answered for it).
 */
export function ownsChat(chat: Chat, me: { id: string; username: string }): boolean {
  const id = chat.owner_id?.toLowerCase();
  const name = chat.owner_username?.toLowerCase();
  if (!id && !name) return true;
  return id === me.id.toLowerCase() || name === me.username.toLowerCase();
}

/** Why the caller may not make this write, before any request; undefined when it may. */
export function ownerRefusal(agent: Agent, write: ChatWrite): FleetError | undefined {
  if (!agent.shared) return undefined;
  return refusal(agent, write, "");
}

/**
 * Coder's refusal of a write to a chat the caller can read but does not own, as a FleetError:
 * 403 "Only the chat owner ..." on a send, 404 on an interrupt or an archive. Undefined for any
 * other failure.
 */
export function ownerRefusalOf(
  err: unknown,
  agent: Agent,
  write: ChatWrite,
): FleetError | undefined {
  if (write === "send") {
    return isHttp(err, 403) && /only the chat owner/i.test(err.coderMessage ?? "")
      ? refusal(agent, write, " (Coder answered 403)")
      : undefined;
  }
  return isNotFound(err)
    ? refusal(
      agent,
      write,
      " (Coder answered 404: it hides a chat from those who may not change it)",
    )
    : undefined;
}

function refusal(agent: Agent, write: ChatWrite, how: string): FleetError {
  const owner = oneLine(agent.owner, 64) || "another user";
  return new FleetError(
    `Chat ${JSON.stringify(oneLine(agent.name, 80))} (${agent.id}) belongs to ${owner} and is ` +
      `shared with you: only its owner can ${WHAT[write]}${how}.`,
    `ask ${owner} to do it, or start a chat of your own with create_task`,
  );
}
