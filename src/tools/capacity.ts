/**
 * Licence capacity of a chat deployment, as the fleet's tools tell it: how many chats run, how
 * many wait for a licence slot (`queued_for_capacity`), and one line on why and what to do. Where
 * Coder's list does not carry the flag, it says so instead of guessing.
 */
import type { Agent } from "../model/agent.ts";

/** A chat deployment's capacity: running chats, and those waiting for a licence slot. */
export function capacityOf(
  agents: readonly Agent[],
  listed: boolean | undefined,
): { running: number; queued_for_capacity: number | null; note?: string } {
  const chats = agents.filter((a) => a.kind === "chat");
  const running = chats.filter((a) => a.state === "working").length;
  const queued = chats.filter((a) => a.queued_for_capacity).length;
  if (listed === false) {
    return {
      running,
      queued_for_capacity: null,
      ...(running > LICENCE_SLOTS
        ? {
          note:
            `Capacity: ${running} chats show running, but Coder's chat list does not say which of them wait for a licence slot (lists leave queued_for_capacity false; a single-chat read derives it: get_agent shows it per chat). On a Community licence at most ${LICENCE_SLOTS} chats run at once, deployment-wide, so the others wait: stop_agents or delete_agents chats that need not run, or ask a Coder admin about a licence with more capacity.`,
        }
        : {}),
    };
  }
  return {
    running,
    queued_for_capacity: queued,
    ...(queued > 0
      ? {
        note:
          `Capacity: ${running} chats run, ${queued} wait for a licence slot: Coder's licence lets only so many chats run at once (${LICENCE_SLOTS} on Community, deployment-wide). To start them sooner, stop_agents or delete_agents chats that need not run now, or ask a Coder admin about a licence with more capacity.`,
      }
      : {}),
  };
}

/** Chats a Community licence runs at once, deployment-wide. */
const LICENCE_SLOTS = 5;
