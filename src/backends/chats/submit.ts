/**
 * What the caller submits to Coder: new chats and messages. Both carry a `request_id` where
 * Coder makes them idempotent (see `writes.ts`); a create sends its title along (v2.39 takes
 * it; an older Coder that ignores it gets it by `PATCH`, and one that refuses it gets the create
 * again without it); a send to an archived chat, or one Coder refuses as not the owner's, is a
 * FleetError saying so.
 */
import {
  type Chat,
  type ChatSubmission,
  createChat,
  type CreateChatAnswer,
  getChat,
  sendChatMessage,
  textContent,
  updateChat,
} from "./api.ts";
import type { ChatModels } from "./models.ts";
import { ownerRefusalOf } from "./owner.ts";
import {
  checkReceipt,
  idempotent,
  namesField,
  receiptNote,
  type RequestIdSupport,
} from "./writes.ts";
import { CoderError } from "../../coder/http.ts";
import type { Agent } from "../../model/agent.ts";
import {
  type BackendContext,
  type CreateSpec,
  FleetError,
  type SendResult,
} from "../../model/backend.ts";
import { isHttp } from "../../model/backend_errors.ts";
import { oneLine } from "../../model/text.ts";

/** A created chat, with Coder's receipt where it sent one, and the model it runs. */
export interface Created {
  chat: Chat;
  receipt?: ChatSubmission;
  /** The model the chat runs, `display name (provider)` (see `models.ts`), when known. */
  model?: string;
}

/** Creates and sends of one back end, and what its Coder was found to take. */
export class ChatSubmit {
  readonly #ctx: BackendContext;
  readonly #models: ChatModels;
  /** What this deployment does with `request_id` on writes (learned from its first answer). */
  readonly #requestIds: RequestIdSupport = {};
  /** Whether Coder's create takes `title` (false once a create was refused for it). */
  #titleOnCreate?: boolean;

  constructor(ctx: BackendContext, models: ChatModels) {
    this.#ctx = ctx;
    this.#models = models;
  }

  /**
   * Start a chat in the caller's default organization, with the model and title asked for. The
   * title goes in the create request (v2.39 takes it); only a Coder that ignored it gets a
   * second request (`PATCH`) to set it.
   */
  async create(spec: CreateSpec, signal?: AbortSignal): Promise<Created> {
    const model = this.#models.choose(spec.model, signal);
    const [organizationId, modelId] = await Promise.all([
      this.#models.defaultOrganization(signal),
      model.id,
    ]);
    const title = spec.name?.trim() || undefined;
    const post = (withTitle: boolean) =>
      idempotent(
        this.#requestIds,
        spec.requestId,
        (request_id, retrySafe) =>
          createChat(
            this.#ctx.client,
            this.#ctx.prefix,
            {
              organization_id: organizationId,
              content: textContent(spec.prompt),
              ...(spec.labels && Object.keys(spec.labels).length > 0
                ? { labels: spec.labels }
                : {}),
              ...(modelId ? { model_config_id: modelId } : {}),
              ...(title && withTitle ? { title } : {}),
              ...(request_id ? { request_id } : {}),
            },
            signal,
            retrySafe,
          ),
      );
    let answer: CreateChatAnswer;
    try {
      answer = await post(this.#titleOnCreate !== false);
    } catch (err) {
      // A Coder that refuses the field (400 naming it) created nothing: ask again without it.
      if (!title || this.#titleOnCreate !== undefined || !namesField(err, "title")) {
        return await model.refused(err);
      }
      this.#titleOnCreate = false;
      answer = await post(false).catch(model.refused);
    }
    const receipt = answer.receipt;
    let chat: Chat;
    if (receipt) {
      checkReceipt(receipt, `POST ${this.#ctx.prefix}/chats`, "chat");
      chat = answer.chat ?? receipt.chat ??
        await this.#createdChat(receipt.chat_id, receipt.request_id, signal);
    } else chat = answer.chat!;
    if (title && (chat.title ?? "").trim() !== title) {
      // This Coder ignored the title (older than v2.39): set it now.
      try {
        await updateChat(this.#ctx.client, this.#ctx.prefix, chat.id, { title }, signal);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new FleetError(
          `Chat ${chat.id} was created and is running, but its title could not be set: ${why}`,
          `do not create it again; refer to it by id ${chat.id} (get_agent)`,
        );
      }
      chat.title = title;
    }
    return { chat, receipt, model: await model.label(chat.last_model_config_id ?? modelId) };
  }

  /** The chat an accepted receipt names (one GET); uncertain when the receipt names none. */
  async #createdChat(id: string | null | undefined, requestId: string, signal?: AbortSignal) {
    if (!id) {
      throw new CoderError({
        status: 200,
        route: `POST ${this.#ctx.prefix}/chats`,
        kind: "uncertain",
        detail: `Coder accepted request ${oneLine(requestId, 40)} but named no chat`,
      });
    }
    return await getChat(this.#ctx.client, this.#ctx.prefix, id, signal);
  }

  /**
   * Send a message; a busy chat queues it (default) or is interrupted (`busy: "interrupt"`).
   * `requestId` makes it idempotent where Coder supports it (see `writes.ts`).
   */
  async send(
    agent: Agent,
    input: string,
    busy?: "queue" | "interrupt",
    requestId?: string,
  ): Promise<SendResult> {
    let res;
    try {
      res = await idempotent(
        this.#requestIds,
        requestId,
        (request_id, retrySafe) =>
          sendChatMessage(
            this.#ctx.client,
            this.#ctx.prefix,
            agent.id,
            {
              content: textContent(input),
              ...(busy ? { busy_behavior: busy } : {}),
              ...(request_id ? { request_id } : {}),
            },
            undefined,
            retrySafe,
          ),
      );
    } catch (err) {
      if (isHttp(err, 400) && /archived/i.test(err.coderMessage ?? "")) {
        throw new FleetError(
          `Chat ${agent.id} is archived and takes no messages.`,
          "start a new chat with create_task, or restore this one in the Coder dashboard",
        );
      }
      throw ownerRefusalOf(err, agent, "send") ?? err;
    }
    if (res.receipt) {
      checkReceipt(res.receipt, `POST ${this.#ctx.prefix}/chats/{chat}/messages`, "message");
    }
    const note = receiptNote(res.receipt);
    if (res.queued) {
      return {
        outcome: "queued",
        detail: `queued: the chat is busy and will take it next${note}`,
      };
    }
    const interrupted = busy === "interrupt" && agent.state === "working";
    return {
      outcome: "sent",
      detail: `${interrupted ? "sent (interrupted the current turn)" : "sent"}${note}`,
    };
  }
}
