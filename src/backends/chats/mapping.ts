/**
 * Chats seen as fleet agents: a Coder chat mapped to an {@link Agent} (sanitised), model configs
 * flattened, message roles mapped, ownership decided. Pure functions, no I/O.
 */
import type { Chat, ChatModel, ChatModelProvider, ChatModelsResponse } from "./api.ts";
import type { Agent, AgentState, AgentSummary, PrState, WaitingFor } from "../../model/agent.ts";
import type { BackendContext, LogMessage } from "../../model/backend.ts";
import type { ModelInfo, UnsupportedProvider } from "../../model/models.ts";
import { chatPr, chatStateWord, chatWaitingFor, prStateOf, USAGE_LIMIT_DETAIL } from "./state.ts";
import { ownsChat } from "./owner.ts";
import { msOf } from "../../model/time.ts";
import { oneLine } from "../../model/text.ts";

/** Longest chat title kept in an agent's `name`. */
export const NAME_MAX = 200;

/**
 * Coder's models answer as the fleet's model list (sanitised), from either shape: current
 * Coder's flat `models[]`, each joined to its provider by `ai_provider_id` (the provider's kind is
 * its `type`), or older Coder's models nested under their provider. Usable = the model enabled,
 * its provider enabled and available (reference 9); a model whose provider Coder does not
 * describe is judged by its own `enabled` alone. A config id seen twice is listed once.
 */
export function modelInfos(res: ChatModelsResponse): ModelInfo[] {
  const providers = new Map<string, ChatModelProvider>();
  for (const p of res.providers.items) if (p.id) providers.set(p.id.toLowerCase(), p);
  const out: ModelInfo[] = [];
  const seen = new Set<string>();
  const add = (m: ChatModel, p: ChatModelProvider | undefined) => {
    if (seen.has(m.id)) return;
    seen.add(m.id);
    out.push(modelInfo(m, p));
  };
  for (const m of res.models.items) {
    add(m, m.ai_provider_id ? providers.get(m.ai_provider_id.toLowerCase()) : undefined);
  }
  for (const p of res.providers.items) for (const m of p.models.items) add(m, p);
  return out;
}

/** One model config, with what its provider says about it. */
function modelInfo(m: ChatModel, p: ChatModelProvider | undefined): ModelInfo {
  const reason = m.enabled === false
    ? "disabled"
    : p?.enabled === false
    ? "provider_disabled"
    : p?.available === false
    ? oneLine(p.unavailable_reason ?? "", 60) || "provider_unavailable"
    : undefined;
  const info: ModelInfo = {
    id: oneLine(m.id, 100),
    model: oneLine(m.model ?? "", 100),
    provider: oneLine(m.provider ?? p?.type ?? p?.provider ?? "", 100),
    display_name: oneLine(m.display_name ?? m.model ?? "", 100),
    default: m.is_default === true,
    enabled: m.enabled !== false && p?.enabled !== false,
    available: reason === undefined,
  };
  if (reason) info.unavailable_reason = reason;
  // A whole number of tokens, at least 1 (none, null or a fraction of one: no limit said).
  const limit = Number(m.context_limit);
  if (limit >= 1) info.context_limit = Math.floor(limit);
  return info;
}

/** The configured providers Coder Agents cannot use (sanitised). */
export function unsupportedProviders(res: ChatModelsResponse): UnsupportedProvider[] {
  return res.unsupported_providers.items.flatMap((u) => {
    const provider = oneLine(u.provider ?? "", 60);
    const display_name = oneLine(u.display_name ?? "", 100);
    return provider || display_name ? [{ provider, display_name }] : [];
  });
}

/** One line for each malformed model config, provider or unsupported provider left out. */
export function skippedModels(res: ChatModelsResponse): string[] {
  return [
    ...res.models.skipped,
    ...res.providers.skipped,
    ...res.providers.items.flatMap((p) => {
      const name = p.provider ?? p.type;
      return p.models.skipped.map((s) => name ? `provider ${oneLine(name, 60)}: ${s}` : s);
    }),
    ...res.unsupported_providers.skipped,
  ];
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

/** What mapping a chat needs of the back end's context (`me`: to tell a shared chat). */
export type MappingContext = Pick<BackendContext, "dashboardUrl" | "now"> & {
  me?: BackendContext["me"];
};

/**
 * A chat's summary: state, owner and `since` with each timestamp parsed once; the full agent is
 * built only when asked for. `onAgent` is told of every agent built. With `ctx.me`, another
 * user's chat (shared with the caller) is marked `shared`.
 */
export function chatSummary(
  chat: Chat,
  ctx: MappingContext,
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
  readonly #ctx: MappingContext;
  readonly #onAgent?: (agent: Agent, chat: Chat) => void;

  constructor(
    chat: Chat,
    ctx: MappingContext,
    onAgent?: (agent: Agent, chat: Chat) => void,
  ) {
    this.#chat = chat;
    this.#ctx = ctx;
    this.#onAgent = onAgent;
    const { state, detail } = chatStateWord(chat.status, chat.queued_for_capacity);
    this.state = state;
    this.prState = prStateOf(chat.diff_status);
    this.waitingFor = chatWaitingFor(chat.status, chat.queued_for_capacity, this.prState);
    // A ChatError's kind (a bare string error has none).
    const kind = (Object(chat.last_error) as { kind?: unknown }).kind;
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
    const updated = new Date(this.since).toISOString();
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
    if (this.#ctx.me && !ownsChat(chat, this.#ctx.me)) agent.shared = true;
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
