/**
 * Coder's in-process AI Gateway, which Coder Agents needs (reference 0, `requireChatDaemon`):
 * while it is off, every chat write and the chat watch stream answer 503 with the setting to
 * change; plain reads (a chat, its messages, the list, the models) still work.
 */
import { coderError } from "../http.ts";

/** Whether a chat route needs the AI Gateway: a write under `/chats`, or the watch stream. */
export function needsAiGateway(method: string, template: string): boolean {
  if (!/\/chats(\/|$)/.test(template) || template.includes("/organizations/")) return false;
  return method !== "GET" || template.endsWith("/chats/watch");
}

/** Coder's answer to a chat write while the AI Gateway is off. */
export function aiGatewayOff(): Response {
  return coderError(
    503,
    "AI Gateway must be enabled for Coder Agents functionality.",
    "Set CODER_AI_GATEWAY_ENABLED=true and restart Coder to use Coder Agents.",
  );
}
