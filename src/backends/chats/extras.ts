/**
 * What `get_agent` shows of a chat beyond the agent: its cost (`GET C/chats/{chat}/cost`, when
 * the deployment reports it) and its model by name rather than by config id.
 */
import { type Chat, type ChatCost, type ChatModelsResponse, getChat } from "./api.ts";
import { modelInfos } from "./mapping.ts";
import { modelLabel } from "./models.ts";
import { oneLine } from "../../model/text.ts";
import { CoderError } from "../../coder/http.ts";
import type { Agent } from "../../model/agent.ts";
import type { BackendContext } from "../../model/backend.ts";

/**
 * The extras of `agent`, from the answers already asked for; `known` is the chat the agent was
 * made from, when the back end kept it (else it is fetched again).
 */
export async function chatExtras(
  ctx: BackendContext,
  agent: Agent,
  known: Chat | undefined,
  costAnswer: Promise<ChatCost | null>,
  modelsAnswer: Promise<ChatModelsResponse | null>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  // Cost, and the chat's model by name rather than by config id, at once. The chat itself is
  // fetched again only when this agent was not made from it here.
  const [cost, chat, models] = await Promise.allSettled([
    costAnswer,
    known ?? getChat(ctx.client, ctx.prefix, agent.id, signal),
    modelsAnswer,
  ]);
  for (const r of [cost, chat, models]) {
    if (
      r.status === "rejected" && !(r.reason instanceof CoderError && r.reason.kind !== "aborted")
    ) {
      throw r.reason;
    }
  }
  const out: Record<string, unknown> = {};
  if (cost.status === "fulfilled" && cost.value) {
    out.cost = {
      total_usd: Math.round(cost.value.total_cost_micros) / 1_000_000,
      requests: cost.value.request_count,
      unpriced_requests: cost.value.unpriced_request_count,
    };
  }
  const modelId = chat.status === "fulfilled" ? chat.value.last_model_config_id : undefined;
  if (modelId) {
    const m = models.status === "fulfilled" && models.value
      ? modelInfos(models.value).find((x) => x.id === modelId)
      : undefined;
    out.model = m ? modelLabel(m) : oneLine(modelId, 100);
  }
  return out;
}
