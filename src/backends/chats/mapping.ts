/**
 * Chats seen as fleet agents: a Coder chat mapped to an {@link Agent} (sanitised), model configs
 * flattened, message roles mapped, ownership decided. Pure functions, no I/O.
 */
import type { Chat, ChatModelsResponse } from "./api.ts";
import type { Agent, AgentState, AgentSummary, PrState, WaitingFor } from "../../model/agent.ts";
import type { BackendContext, LogMessage, ModelInfo } from "../../model/backend.ts";
import { chatPr, chatStateWord, chatWaitingFor, prStateOf, USAGE_LIMIT_DETAIL } from "./state.ts";
import { msOf } from "../../model/time.ts";
import { oneLine } from "../../model/text.ts";

/** Longest chat title kept in an agent's `name`. */
export const NAME_MAX = 200;

/** Flatten Coder's models-by-provider answer into the fleet's model list (sanitised). */
export function modelInfos(res: ChatModelsResponse): ModelInfo[] {
  const out: ModelInfo[] = [];
  for (const p of res.providers) {
    for (const m of p.models.items) {
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

/** One line for each malformed model config left out of `res`. */
export function skippedModels(res: ChatModelsResponse): string[] {
  return res.providers.flatMap((p) =>
    p.models.skipped.map((s) => p.provider ? `provider ${oneLine(p.provider, 60)}: ${s}` : s)
  );
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
  return chatSummary(chat, ctx).agent();
}

/**
 * A chat's summary: state, owner and `since` with each timestamp parsed once; the full agent is
 * built only when asked for. `onAgent` is told of every agent built.
 */
export function chatSummary(
  chat: Chat,
  ctx: Pick<BackendContext, "dashboardUrl" | "now">,
  onAgent?: (agent: Agent, chat: Chat) => void,
): AgentSummary {
  return new ChatSummary(chat, ctx, onAgent);
}

class ChatSummary implements AgentSummary {
  readonly kind = "chat" as const;
  readonly state: AgentState;
  readonly owner: string;
  readonly since: number;
  readonly waitingFor: WaitingFor | null;
  readonly prState: PrState | null;
  readonly #chat: Chat;
  readonly #detail: string;
  readonly #created: number;
  readonly #ctx: Pick<BackendContext, "dashboardUrl">;
  readonly #onAgent?: (agent: Agent, chat: Chat) => void;

  constructor(
    chat: Chat,
    ctx: Pick<BackendContext, "dashboardUrl" | "now">,
    onAgent?: (agent: Agent, chat: Chat) => void,
  ) {
    this.#chat = chat;
    this.#ctx = ctx;
    this.#onAgent = onAgent;
    const { state, detail } = chatStateWord(chat.status, chat.queued_for_capacity);
    this.state = state;
    this.prState = prStateOf(chat.diff_status);
    this.waitingFor = chatWaitingFor(chat.status, chat.queued_for_capacity, this.prState);
    const kind = typeof chat.last_error === "object" ? chat.last_error?.kind : undefined;
    this.#detail = state === "error" && kind === "usage_limit"
      ? `${detail}; ${USAGE_LIMIT_DETAIL}`
      : detail;
    this.owner = oneLine(firstText(chat.owner_username, chat.owner_name, chat.owner_id), 100);
    // created_at, else updated_at, else now; updated (and since) is updated_at, else created.
    const updated = msOf(chat.updated_at);
    this.#created = msOf(chat.created_at) ?? updated ?? ctx.now();
    this.since = updated ?? this.#created;
  }

  agent(): Agent {
    const chat = this.#chat;
    const created = new Date(this.#created).toISOString();
    const updated = this.since === this.#created ? created : new Date(this.since).toISOString();
    const labels: Record<string, string> = {};
    for (const k in chat.labels) labels[oneLine(k, 100)] = oneLine(chat.labels[k], 200);
    const lastError = typeof chat.last_error === "string"
      ? chat.last_error
      : chat.last_error?.message;
    const agent: Agent = {
      id: chat.id,
      kind: "chat",
      name: oneLine(chat.title ?? "", NAME_MAX),
      owner: this.owner,
      state: this.state,
      detail: this.#detail,
      message: oneLine(firstText(chat.last_turn_summary, chat.summary, lastError)),
      workspace: chat.workspace_id,
      created_at: created,
      updated_at: updated,
      state_since: updated,
      url: `${this.#ctx.dashboardUrl}/agents/${encodeURIComponent(chat.id)}`,
      labels,
      pr: this.prState ? chatPr(chat.diff_status) : null,
      waiting_for: this.waitingFor,
    };
    if (chat.organization_id) agent.organization_id = chat.organization_id;
    if (chat.archived) agent.archived = true;
    if (chat.queued_for_capacity === true) agent.queued_for_capacity = true;
    this.#onAgent?.(agent, chat);
    return agent;
  }
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
