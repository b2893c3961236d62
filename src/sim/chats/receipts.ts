/**
 * Request-id receipts of the simulated Chats API (current profile, reference §12): a create or
 * send that carries a `request_id` is answered as usual plus its `submission` receipt; the same
 * request again (same input) replays the first write's result; another input under the same id,
 * or a receipt not accepted, is 409 with the receipt. Older profiles ignore `request_id`.
 */
import type { World } from "../deployment.ts";
import { badField, coderError, json } from "../http.ts";
import { isUuid, NIL_UUID } from "../util.ts";
import type { ChatRec, ChatStore, ReceiptRec } from "./store.ts";
import { chatWire } from "./wire.ts";

/** The receipts of one chat store. */
export class Receipts {
  readonly store: ChatStore;
  readonly world: World;

  constructor(store: ChatStore) {
    this.store = store;
    this.world = store.world;
  }

  /** The request_id of a write where this Coder takes one (current profile), or its 400. */
  requestId(body: Record<string, unknown>): string | undefined | Response {
    if (this.world.profile !== "current") return undefined; // older Coder ignores the field
    const v = body.request_id;
    if (v === undefined || v === null || v === "") {
      return body.exact_settings === true
        ? coderError(400, "exact_settings requires request_id")
        : undefined;
    }
    if (v === NIL_UUID) return coderError(400, "request_id must be a nonzero UUID");
    if (typeof v !== "string" || !isUuid(v)) return badField("request_id", "must be a UUID");
    return v.toLowerCase();
  }

  /**
   * The answer to a request id seen before: the first write's result again for the same input,
   * 409 with the receipt for another input (or a receipt not accepted); undefined when new.
   */
  replay(
    rid: string,
    kind: ReceiptRec["kind"],
    body: Record<string, unknown>,
    chat?: ChatRec,
  ): Response | undefined {
    const seen = this.store.receipts.get(rid);
    if (!seen) return undefined;
    const same = seen.kind === kind && seen.fingerprint === fingerprint(kind, body, chat);
    if (!same || seen.state !== "accepted") {
      return json(409, {
        message: "A submission with this request_id already exists for a different request.",
        submission: receiptWire(seen),
      });
    }
    const c = seen.chat_id ? this.store.get(seen.chat_id) : undefined;
    if (kind === "create" && c) {
      return json(201, { ...chatWire(this.world, c), submission: receiptWire(seen) });
    }
    return json(200, {
      queued: seen.queued_message_id !== null && seen.queued_message_id !== 0,
      submission: receiptWire(seen),
    });
  }

  /** Record an accepted receipt. */
  record(
    rid: string,
    kind: ReceiptRec["kind"],
    body: Record<string, unknown>,
    chatId: string,
    ids: { message_id?: number; queued_message_id?: number },
  ): ReceiptRec {
    const r: ReceiptRec = {
      id: crypto.randomUUID(),
      request_id: rid,
      chat_id: chatId,
      state: "accepted",
      message_id: ids.message_id ?? null,
      queued_message_id: ids.queued_message_id ?? null,
      error: null,
      kind,
      fingerprint: fingerprint(kind, body, kind === "send" ? this.store.get(chatId) : undefined),
    };
    this.store.receipts.set(rid, r);
    return r;
  }
}

/** codersdk.ChatSubmissionReceipt as served (reference §12: empty fields left out). */
export function receiptWire(r: ReceiptRec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    request_id: r.request_id,
    chat_id: r.chat_id,
    state: r.state,
  };
  if (r.message_id !== null) out.message_id = r.message_id;
  if (r.queued_message_id !== null) out.queued_message_id = r.queued_message_id;
  if (r.error !== null) out.error = r.error;
  return out;
}

/** What makes two writes under one request id the same input (for a send: the chat too). */
function fingerprint(kind: string, body: Record<string, unknown>, chat?: ChatRec): string {
  return JSON.stringify([kind, chat?.id ?? null, body]);
}
