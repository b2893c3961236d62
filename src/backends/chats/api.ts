/**
 * The Coder Chats ("Coder Agents") API: `/api/v2/chats` (or `/api/experimental/chats` on older
 * servers). Every function takes the client and the API prefix the back end was detected at, and
 * passes Coder's documented success status. The schemas are in `wire.ts`.
 */
import { z } from "zod";
import { CoderError } from "../../coder/http.ts";
import type { CoderClient } from "../../coder/http.ts";
import { parseItems } from "../../coder/lists.ts";
import { segment } from "../../coder/paths.ts";
import { shared } from "../../coder/coalesce.ts";
import {
  Chat,
  ChatCost,
  ChatMessagesResponse,
  ChatSubmission,
  ChatWire,
  CreateChatMessageResponse,
  isReceipt,
  normalizeChat,
} from "./wire.ts";
import { ChatModelsResponse } from "./models_wire.ts";

export * from "./wire.ts";
export * from "./models_wire.ts";

/** codersdk.ChatInputPart, as we send it. */
export interface ChatInputPart {
  type: "text" | "file" | "file-reference";
  text?: string;
  file_id?: string;
}

/** codersdk.CreateChatRequest, the fields we send. */
export interface CreateChatRequest {
  organization_id?: string;
  content: ChatInputPart[];
  labels?: Record<string, string>;
  model_config_id?: string;
  workspace_id?: string;
  /** v2.39: the chat's title (no auto-title then); older Coder ignores it. */
  title?: string;
  /** Newer Coder: makes the create idempotent; the answer then carries a receipt. */
  request_id?: string;
}

/** codersdk.UpdateChatRequest, the fields we send. */
export interface UpdateChatRequest {
  archived?: boolean;
  title?: string;
  labels?: Record<string, string>;
}

/** What a chat does with a message that arrives while it is busy. */
export type BusyBehavior = "queue" | "interrupt";

/** codersdk.CreateChatMessageRequest, the fields we send. */
export interface SendChatMessageRequest {
  content: ChatInputPart[];
  busy_behavior?: BusyBehavior;
  /** Newer Coder: makes the send idempotent; the answer then carries a receipt. */
  request_id?: string;
}

/** Filters of the chat list. */
export interface ChatListQuery {
  /** Search terms, e.g. `["owner:alice", 'title:"fix the build"']` (see {@link qTerm}). */
  terms?: string[];
  /** Labels that must all match, sent as repeated `label=k:v` parameters. */
  labels?: Record<string, string>;
}

/** A page request on a chat's messages. */
export interface ChatMessagesQuery {
  before_id?: number;
  after_id?: number;
  /** 1 to 200; Coder's default is 50. */
  limit?: number;
}

/** One text part. */
export function textContent(text: string): ChatInputPart[] {
  return [{ type: "text", text }];
}

/**
 * One `key:value` term of the list `q`, quoted when the value has spaces, colons or commas.
 * Returns `undefined` when the value cannot be expressed (it holds a double quote, or is empty):
 * the caller then leaves that filter to local filtering.
 */
export function qTerm(key: string, value: string): string | undefined {
  if (value === "" || value.includes('"')) return undefined;
  return /[\s:,]/.test(value) ? `${key}:"${value}"` : `${key}:${value}`;
}

/**
 * The search string (`?q=...&label=k:v&label=...`) of a chat list request, or `""` when there is
 * nothing to filter. Labels whose key holds a colon cannot be expressed and are skipped.
 */
export function chatListSearch(query: ChatListQuery = {}): string {
  const params = new URLSearchParams();
  const q = (query.terms ?? []).filter((t) => t.trim() !== "").join(" ");
  if (q) params.set("q", q);
  for (const [k, v] of Object.entries(query.labels ?? {})) {
    if (k === "" || k.includes(":")) continue;
    params.append("label", `${k}:${v}`);
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** `C/chats/{chat}{rest}`, the id validated and encoded. */
function chatPath(prefix: string, id: string, rest = ""): string {
  return `${prefix}/chats/${segment(id, "chat id")}${rest}`;
}

/** The chat list: the chats that parsed, and a reason for each malformed one left out. */
export interface ChatList {
  chats: Chat[];
  skipped: string[];
}

/** The chat list as sent: an array (or null), its items validated one by one afterwards. */
const ChatListSchema = z.array(z.unknown()).nullish();

/** `GET C/chats?q=...&label=k:v`: chats visible to the caller (archived ones hidden unless
 * `archived:true` is among the terms). Chats are parsed one by one; malformed ones are skipped.
 * Concurrent calls with the same query share one request in flight (`coalesce.ts`). */
export function listChats(
  client: CoderClient,
  prefix: string,
  query: ChatListQuery = {},
  signal?: AbortSignal,
): Promise<ChatList> {
  const path = `${prefix}/chats${chatListSearch(query)}`;
  return shared(client, `GET ${path}`, `GET ${prefix}/chats`, signal, async (s) => {
    const raw = await client.get(path, ChatListSchema, { signal: s });
    const { items, skipped } = parseItems(raw, ChatWire, normalizeChat, "chat");
    return { chats: items, skipped };
  });
}

/**
 * What a create answered: the chat, with its receipt where Coder sent one (a `request_id` on newer
 * Coder: `Chat.submission`, reference §12), or a bare receipt (a server that answers only that).
 */
export type CreateChatAnswer = { chat: Chat; receipt?: ChatSubmission } | {
  chat?: undefined;
  receipt: ChatSubmission;
};

const CreateAnswerSchema = z.unknown().transform((v, ctx): CreateChatAnswer => {
  // A failed parse has at least one issue: the first says why.
  const fail = (message: string) => {
    ctx.addIssue(message);
    return z.NEVER;
  };
  if (isReceipt(v)) {
    const r = ChatSubmission.safeParse(v);
    return r.success ? { receipt: r.data } : fail(r.error.issues[0].message);
  }
  const chat = Chat.safeParse(v);
  if (!chat.success) return fail(chat.error.issues[0].message);
  const receipt = submissionOf(v);
  if (receipt instanceof Error) return fail(receipt.message);
  return receipt ? { chat: chat.data, receipt } : { chat: chat.data };
});

/** The `submission` receipt an answer carries, undefined when none, an Error when malformed. */
function submissionOf(v: unknown): ChatSubmission | undefined | Error {
  const raw = v && typeof v === "object" ? (v as Record<string, unknown>).submission : undefined;
  if (raw === undefined || raw === null) return undefined;
  const r = ChatSubmission.safeParse(raw);
  return r.success ? r.data : new Error(`submission: ${r.error.issues[0].message}`);
}

/**
 * `POST C/chats`: start a chat (201, status `running`). With a `request_id` the write is
 * idempotent on newer Coder, which answers with the chat and its submission receipt (or a bare
 * receipt; 200, 201 or 202); `retrySafe` (the server is known to honour `request_id`) lets the
 * client retry it.
 */
export function createChat(
  client: CoderClient,
  prefix: string,
  req: CreateChatRequest,
  signal?: AbortSignal,
  retrySafe = false,
): Promise<CreateChatAnswer> {
  return client.request("POST", `${prefix}/chats`, {
    body: req,
    schema: CreateAnswerSchema,
    expect: req.request_id ? [200, 201, 202] : [201],
    idempotent: retrySafe && req.request_id !== undefined,
    signal,
  });
}

/** `GET C/chats/{chat}`: one chat, archived or not. */
export async function getChat(
  client: CoderClient,
  prefix: string,
  id: string,
  signal?: AbortSignal,
): Promise<Chat> {
  return await client.get(chatPath(prefix, id), Chat, { signal });
}

/** `PATCH C/chats/{chat}`: archive/unarchive, retitle, relabel (204). */
export async function updateChat(
  client: CoderClient,
  prefix: string,
  id: string,
  patch: UpdateChatRequest,
  signal?: AbortSignal,
): Promise<void> {
  await client.request("PATCH", chatPath(prefix, id), { body: patch, expect: [204], signal });
}

/** `GET C/chats/{chat}/messages`: a page of messages, newest first as Coder sends them. */
export async function listChatMessages(
  client: CoderClient,
  prefix: string,
  id: string,
  query: ChatMessagesQuery = {},
  signal?: AbortSignal,
): Promise<ChatMessagesResponse> {
  return await client.get(chatPath(prefix, id, "/messages"), ChatMessagesResponse, {
    query: { before_id: query.before_id, after_id: query.after_id, limit: query.limit },
    signal,
  });
}

/** What a send answered: Coder's message response, with the receipt when Coder sent one. */
export type SendChatAnswer = CreateChatMessageResponse & { receipt?: ChatSubmission };

const SendAnswerSchema = z.unknown().transform((v, ctx): SendChatAnswer => {
  if (isReceipt(v)) {
    const r = ChatSubmission.safeParse(v);
    if (r.success) {
      return { receipt: r.data, queued: r.data.queued_message_id != null };
    }
    ctx.addIssue(r.error.issues[0].message);
    return z.NEVER;
  }
  const r = CreateChatMessageResponse.safeParse(v);
  const receipt = submissionOf(v);
  if (r.success && !(receipt instanceof Error)) return receipt ? { ...r.data, receipt } : r.data;
  ctx.addIssue(r.success ? (receipt as Error).message : r.error.issues[0].message);
  return z.NEVER;
});

/**
 * `POST C/chats/{chat}/messages` (200): send a message; a busy chat queues it (or is
 * interrupted). With a `request_id` (newer Coder) the send is idempotent and the answer carries
 * its `submission` receipt (or is a bare receipt; 200 or 202); `retrySafe` lets the client retry
 * it.
 */
export async function sendChatMessage(
  client: CoderClient,
  prefix: string,
  id: string,
  req: SendChatMessageRequest,
  signal?: AbortSignal,
  retrySafe = false,
): Promise<SendChatAnswer> {
  const body: SendChatMessageRequest = { content: req.content };
  if (req.busy_behavior) body.busy_behavior = req.busy_behavior;
  if (req.request_id) body.request_id = req.request_id;
  return await client.request("POST", chatPath(prefix, id, "/messages"), {
    body,
    schema: SendAnswerSchema,
    expect: req.request_id ? [200, 202] : [200],
    idempotent: retrySafe && req.request_id !== undefined,
    signal,
  });
}

/** `POST C/chats/{chat}/interrupt` (200): stop the current turn. Returns the chat when Coder
 * sends it (an empty 200 is accepted). */
export async function interruptChat(
  client: CoderClient,
  prefix: string,
  id: string,
  signal?: AbortSignal,
): Promise<Chat | undefined> {
  return await client.request("POST", chatPath(prefix, id, "/interrupt"), {
    schema: Chat.optional(),
    expect: [200],
    allowEmpty: true,
    signal,
  });
}

/** Where a deployment serves chat model configs: org-scoped (current Coder) or the old route. */
export type ModelsRoute = "org" | "legacy";

/**
 * `GET /api/v2/organizations/{org}/chats/models` (`route: "org"`, current Coder: flat models and
 * provider descriptors) or `GET C/chats/models` (`route: "legacy"`, up to v2.36: models by
 * provider); {@link ChatModelsResponse} reads both. Concurrent calls for the same route share one
 * request in flight (`coalesce.ts`): a batch of creates asks once.
 */
export async function listChatModels(
  client: CoderClient,
  prefix: string,
  where: { route: ModelsRoute; org?: string } = { route: "legacy" },
  signal?: AbortSignal,
): Promise<ChatModelsResponse> {
  const path = where.route === "org"
    ? `/api/v2/organizations/${segment(where.org ?? "", "organization id")}/chats/models`
    : `${prefix}/chats/models`;
  return await shared(
    client,
    `GET ${path}`,
    `GET ${path}`,
    signal,
    (s) => client.get(path, ChatModelsResponse, { signal: s }),
  );
}

/** `GET C/chats/{chat}/cost`, or `null` when the deployment does not report cost (404). */
export async function getChatCost(
  client: CoderClient,
  prefix: string,
  id: string,
  signal?: AbortSignal,
): Promise<ChatCost | null> {
  try {
    return await client.get(chatPath(prefix, id, "/cost"), ChatCost, { signal });
  } catch (err) {
    if (err instanceof CoderError && err.status === 404) return null;
    throw err;
  }
}
