/**
 * The Coder Chats API's schemas ("Coder Agents", `/api/v2/chats` or `/api/experimental/chats`).
 * Tolerant: extra fields pass through, optional fields may be absent or null, and a few shapes
 * that differ between versions (ids as `{uuid, valid}` objects, tool arguments as raw JSON or as
 * byte arrays) are all accepted. The model catalog's schemas are in `models_wire.ts`, the
 * endpoints in `api.ts`.
 */
import { z } from "zod";
import { idOf, WireId } from "../../coder/ids.ts";

/** Turn a label map as sent into strings: non-strings JSON-encoded, null values dropped. */
export function stringMap(m: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m) return out;
  for (const [k, v] of Object.entries(m)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}

/** A string map (chat labels). Non-string values are turned into strings; null means empty. */
export const StringMap = z.record(z.string(), z.unknown()).nullish().transform(stringMap);

/** codersdk.ChatError: why the chat's last turn failed. */
export const ChatError = z.object({
  message: z.string().nullish(),
  detail: z.string().nullish(),
  kind: z.string().nullish(),
  provider: z.string().nullish(),
  retryable: z.boolean().nullish(),
  status_code: z.number().nullish(),
});
/** A chat error. */
export type ChatError = z.infer<typeof ChatError>;

const Str = z.string().nullish();

/**
 * codersdk.Chat as sent, the fields we read: a plain object schema with no per-field transform
 * (zod compiles it into one fast check); unknown fields are dropped. {@link normalizeChat} turns
 * it into a {@link Chat}.
 */
export const ChatWire = z.object({
  id: z.string(),
  title: Str,
  /** `waiting|running|error|requires_action|interrupting|paused`; any other word is kept. */
  status: Str,
  /** Current Coder: the chat waits for a licence slot. Single-chat reads derive it; list
   * responses leave it false (swagger, codersdk.Chat). Anything but a boolean is ignored. */
  queued_for_capacity: z.unknown().optional(),
  archived: z.boolean().nullish(),
  owner_id: Str,
  owner_username: Str,
  owner_name: Str,
  organization_id: Str,
  workspace_id: WireId,
  agent_id: WireId,
  parent_chat_id: WireId,
  root_chat_id: WireId,
  labels: z.record(z.string(), z.unknown()).nullish(),
  last_turn_summary: Str,
  summary: Str,
  /** An object per the swagger; a bare string is accepted too. */
  last_error: z.union([ChatError, z.string()]).nullish(),
  last_model_config_id: Str,
  /**
   * codersdk.ChatDiffStatus, the primary pull request (reference section 2): read field by field
   * by `prStateOf`/`chatPr` (state.ts), so that an odd one never drops the chat.
   */
  diff_status: z.unknown().optional(),
  has_unread: z.boolean().nullish(),
  created_at: Str,
  updated_at: Str,
  children: z.array(z.unknown()).nullish(),
});
/** A chat as sent, validated. */
export type ChatWire = z.infer<typeof ChatWire>;

/** A chat (codersdk.Chat), normalised: ids as strings (or absent), labels as strings. */
export type Chat =
  & Omit<
    ChatWire,
    | "workspace_id"
    | "agent_id"
    | "parent_chat_id"
    | "root_chat_id"
    | "labels"
    | "queued_for_capacity"
  >
  & {
    queued_for_capacity?: boolean;
    workspace_id?: string;
    agent_id?: string;
    parent_chat_id?: string;
    root_chat_id?: string;
    labels: Record<string, string>;
  };

/** Normalise a validated chat: ids of either shape to strings (or absent), labels to strings. */
export function normalizeChat(c: ChatWire): Chat {
  return {
    ...c,
    workspace_id: idOf(c.workspace_id),
    agent_id: idOf(c.agent_id),
    parent_chat_id: idOf(c.parent_chat_id),
    root_chat_id: idOf(c.root_chat_id),
    labels: stringMap(c.labels),
    queued_for_capacity: typeof c.queued_for_capacity === "boolean"
      ? c.queued_for_capacity
      : undefined,
  };
}

/**
 * codersdk.Chat, normalised on parse (see {@link normalizeChat}). Unknown fields pass through
 * here (one chat); the list validates with {@link ChatWire}, which drops them at half the cost.
 */
export const Chat = ChatWire.loose().transform(normalizeChat);

/** codersdk.ChatMessagePart: one part of a message (text, reasoning, tool call, ...). */
export const ChatMessagePart = z.looseObject({
  type: z.string().nullish(),
  text: z.string().nullish(),
  /** Tool name of tool-call and tool-result parts. */
  tool_name: z.string().nullish(),
  tool_call_id: z.string().nullish(),
  name: z.string().nullish(),
  /** Raw JSON on the wire (the swagger shows Go's json.RawMessage as a byte array). */
  args: z.unknown().optional(),
  args_delta: z.string().nullish(),
  result: z.unknown().optional(),
  result_delta: z.string().nullish(),
  is_error: z.boolean().nullish(),
  url: z.string().nullish(),
  title: z.string().nullish(),
  media_type: z.string().nullish(),
  file_name: z.string().nullish(),
  start_line: z.number().nullish(),
  end_line: z.number().nullish(),
  content: z.string().nullish(),
  context_file_path: z.string().nullish(),
  skill_name: z.string().nullish(),
  created_at: z.string().nullish(),
});
/** A message part. */
export type ChatMessagePart = z.infer<typeof ChatMessagePart>;

/** Message content: an array of parts; a bare string is taken as one text part. */
const Parts = z
  .union([z.array(ChatMessagePart), z.string()])
  .nullish()
  .transform((v): ChatMessagePart[] => {
    if (v === null || v === undefined) return [];
    if (typeof v === "string") return [{ type: "text", text: v }];
    return v;
  });

/** A message id: an integer, or a numeric string. */
const MessageId = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

/** codersdk.ChatMessage. */
export const ChatMessage = z.looseObject({
  id: MessageId,
  chat_id: z.string().nullish(),
  /** `system|user|assistant|tool`. */
  role: z.string().nullish(),
  content: Parts,
  created_at: z.string().nullish(),
  created_by: z.string().nullish(),
  model_config_id: z.string().nullish(),
});
/** A chat message. */
export type ChatMessage = z.infer<typeof ChatMessage>;

/** codersdk.ChatQueuedMessage: a message waiting for the chat to become idle. */
export const ChatQueuedMessage = z.looseObject({
  id: MessageId.nullish(),
  chat_id: z.string().nullish(),
  content: Parts,
  created_at: z.string().nullish(),
});
/** A queued message. */
export type ChatQueuedMessage = z.infer<typeof ChatQueuedMessage>;

/** codersdk.ChatMessagesResponse. A bare array of messages is accepted too (`has_more` then
 * stays undefined). */
export const ChatMessagesResponse = z.preprocess(
  (v) => (Array.isArray(v) ? { messages: v } : v),
  z.looseObject({
    messages: z.array(ChatMessage).nullish().transform((m) => m ?? []),
    queued_messages: z.array(ChatQueuedMessage).nullish().transform((m) => m ?? []),
    has_more: z.boolean().nullish().transform((b) => b ?? undefined),
  }),
);
/** A page of chat messages. */
export type ChatMessagesResponse = z.infer<typeof ChatMessagesResponse>;

/** codersdk.CreateChatMessageResponse (the client requires a JSON body). */
export const CreateChatMessageResponse = z.preprocess(
  (v) => v ?? {},
  z.looseObject({
    message: ChatMessage.nullish(),
    messages: z.array(ChatMessage).nullish(),
    queued: z.boolean().nullish(),
    queued_message: ChatQueuedMessage.nullish(),
    warnings: z.array(z.string()).nullish(),
  }),
);
/** The answer to a sent message. */
export type CreateChatMessageResponse = z.infer<typeof CreateChatMessageResponse>;

/** codersdk.ChatCost: spend of the whole chat tree. */
export const ChatCost = z.looseObject({
  chat_id: z.string().nullish(),
  total_cost_micros: z.number().nullish().transform((n) => n ?? 0),
  request_count: z.number().nullish().transform((n) => n ?? 0),
  unpriced_request_count: z.number().nullish().transform((n) => n ?? 0),
});
/** A chat's cost. */
export type ChatCost = z.infer<typeof ChatCost>;

/** The states of a submission receipt (`codersdk.ChatSubmission`). */
export type SubmissionState = "reserved" | "accepted" | "uncertain" | "rejected";

/**
 * codersdk.ChatSubmission: the receipt of a create or send that carried a `request_id` (newer
 * Coder). `state` is reserved|accepted|uncertain|rejected; any other word is kept as is.
 */
export const ChatSubmission = z.looseObject({
  id: z.string().nullish(),
  request_id: z.string(),
  chat_id: z.string().nullish(),
  state: z.string(),
  message_id: MessageId.nullish().catch(undefined),
  queued_message_id: MessageId.nullish().catch(undefined),
  error: z.union([z.string(), ChatError]).nullish().catch(undefined),
  /** A server may embed the chat it created. */
  chat: Chat.nullish().catch(undefined),
});
/** A submission receipt. */
export type ChatSubmission = z.infer<typeof ChatSubmission>;

/** True when an answer body is a submission receipt (it names the request and a state). */
export function isReceipt(v: unknown): boolean {
  return !!v && typeof v === "object" &&
    typeof (v as Record<string, unknown>).request_id === "string" &&
    typeof (v as Record<string, unknown>).state === "string";
}
