/**
 * Archiving a chat (`delete_agents`). Coder refuses to archive an active chat (409 "Cannot archive
 * an active chat. Interrupt or wait for the chat to finish first.", reference §4), so a running
 * chat is interrupted first, looked at until it is no longer active (an interrupt leaves it
 * `interrupting` for a moment), then archived, all within the call's budget. A chat whose state
 * was stale (it started running since it was listed) gets the same treatment when Coder answers
 * 409. A chat that does not settle in time is a FleetError saying what happened and what to do.
 */
import { type Chat, getChat, interruptChat, updateChat } from "./api.ts";
import { remainingMs } from "../../coder/budget.ts";
import { sleep } from "../../coder/http.ts";
import type { Agent } from "../../model/agent.ts";
import { type ActionResult, type BackendContext, FleetError } from "../../model/backend.ts";
import { isHttp } from "../../model/backend_errors.ts";
import { oneLine } from "../../model/text.ts";

/** Chat statuses that hold a run (Coder will not archive them). */
const ACTIVE = new Set(["running", "interrupting"]);

/** Kept back from the call's budget for the archive request itself (ms). */
const ARCHIVE_RESERVE_MS = 1_500;

/** The longest wait for an interrupt to settle outside any call's budget (ms). */
const SETTLE_MAX_MS = 30_000;

/** First and longest pause between looks at a chat being interrupted (ms). */
const POLL_FIRST_MS = 200;
const POLL_MAX_MS = 1_000;

/** True when the agent is (as far as it was seen) running a turn or waiting for a slot. */
export function isActiveChat(agent: Agent): boolean {
  return agent.state === "working" || agent.state === "starting";
}

/** Archive `agent`'s chat, interrupting it first when it is active. */
export async function archiveChat(ctx: BackendContext, agent: Agent): Promise<ActionResult> {
  const archive = () => updateChat(ctx.client, ctx.prefix, agent.id, { archived: true });
  let interrupted: string | undefined;
  try {
    if (isActiveChat(agent)) interrupted = await settle(ctx, agent);
    try {
      await archive();
    } catch (err) {
      if (!isHttp(err, 409) || interrupted) throw err;
      // It was active after all (it started since it was listed): interrupt it, then archive.
      interrupted = await settle(ctx, agent);
      await archive();
    }
  } catch (err) {
    // "Chat is already archived." (or, to the interrupt, "Cannot interrupt an archived chat.").
    if (isHttp(err, 400) && /already archived|an archived chat/i.test(err.coderMessage ?? "")) {
      return { outcome: "skipped", detail: "already archived" };
    }
    throw err;
  }
  return {
    outcome: "done",
    detail: interrupted ? `${interrupted}, then archived` : "archived",
  };
}

/**
 * Interrupt the chat and look at it until it is no longer active, within the call's budget.
 * Returns what happened, one line.
 */
async function settle(ctx: BackendContext, agent: Agent): Promise<string> {
  const started = Date.now();
  let chat: Chat | undefined;
  try {
    chat = await interruptChat(ctx.client, ctx.prefix, agent.id);
  } catch (err) {
    // 409: nothing to interrupt any more (it finished meanwhile); look at it below.
    if (!isHttp(err, 409)) throw err;
  }
  const budget = Math.min(remainingMs(), SETTLE_MAX_MS) - ARCHIVE_RESERVE_MS;
  let pause = POLL_FIRST_MS;
  for (;;) {
    if (chat && !ACTIVE.has(chat.status ?? "")) return "interrupted";
    const spent = Date.now() - started;
    if (spent + pause > budget) {
      // Only "running" or "interrupting" get here (any other status returned above).
      const status = chat?.status ?? "active";
      throw new FleetError(
        `Chat ${JSON.stringify(oneLine(agent.name, 80))} (${agent.id}) was interrupted but is ` +
          `still ${status} after ${(spent / 1000).toFixed(1)} s, so it was not archived: Coder ` +
          `refuses to archive an active chat.`,
        "wait_for_agents on it until it settles, then delete_agents again",
      );
    }
    await sleep(pause);
    pause = Math.min(POLL_MAX_MS, pause * 2);
    chat = await getChat(ctx.client, ctx.prefix, agent.id);
  }
}
