/**
 * The writes of the simulated Chats API: create, send (queue or interrupt), update (archive,
 * title, labels) and interrupt, with request_id receipts (reference §3, §4, §5, §7, §12).
 *
 * What differs by profile:
 * - current (v2.39): create needs `organization_id` (400 "organization_id is required.", 403 for
 *   an organization the caller is not in), takes `title` (1 to 200 characters, trimmed) and
 *   `owner_id` (another user then owns the chat, and the caller cannot see it), and may have no
 *   content (the chat then waits); only the owner may send (403), update or interrupt (404, as
 *   Coder answers a caller without update permission); archiving an active chat is 409, and the
 *   same archived value twice is 400; an interrupt leaves the chat `interrupting` for a moment,
 *   and a chat with no run to interrupt answers 409; a write with a `request_id` answers as usual
 *   plus its `submission` receipt, replays it for the same request, and is 409 for another input
 *   under the same id.
 * - older profiles: create takes content (required) and an optional organization (400 when
 *   another), ignores `title` and `owner_id`; anyone may write; archive and interrupt always
 *   succeed, and an interrupt waits at once; `request_id` is ignored.
 */
import { findUser, type World } from "../deployment.ts";
import { createModel } from "./models.ts";
import {
  badField,
  coderError,
  empty,
  json,
  readBody,
  requiredField,
  resourceNotFound,
} from "../http.ts";
import { type Part, textOf } from "../seed.ts";
import { isUuid, NIL_UUID, squash } from "../util.ts";
import { accessOf, OWNER_ONLY_SEND } from "./access.ts";
import { Receipts, receiptWire } from "./receipts.ts";
import type { ChatRec, ChatStore } from "./store.ts";
import { chatMessageJson, chatQueuedJson, chatWire } from "./wire.ts";

/** Coder's cap on a chat's queued messages (`DefaultChatMaxQueuedMessagesPerChat`). */
const MAX_QUEUED = 20;

/** Statuses of a chat that holds a run (Coder refuses to archive it). */
const ACTIVE = new Set(["running", "interrupting"]);

/** The writes over one chat store. */
export class ChatWrites {
  readonly store: ChatStore;
  readonly world: World;
  readonly #receipts: Receipts;

  constructor(store: ChatStore) {
    this.store = store;
    this.world = store.world;
    this.#receipts = new Receipts(store);
  }

  get #current(): boolean {
    return this.world.profile === "current";
  }

  /** `POST C/chats`. */
  async create(req: Request): Promise<Response> {
    const w = this.world;
    const body = await readBody(req);
    const rid = this.#receipts.requestId(body);
    if (rid instanceof Response) return rid;
    if (rid) {
      const replay = this.#receipts.replay(rid, "create", body);
      if (replay) return replay;
    }
    if (this.#current) {
      const org = body.organization_id;
      if (org === undefined || org === null || org === "" || org === NIL_UUID) {
        return coderError(400, "organization_id is required.");
      }
      if (org !== w.org.id) return forbidden();
    }
    const noContent = body.content === undefined || body.content === null ||
      (Array.isArray(body.content) && body.content.length === 0);
    // Current Coder creates a chat with no content idle: it starts on its first message.
    const parts = noContent && this.#current ? [] : inputParts(body.content);
    if (!parts) return requiredField("content");
    const model = createModel(w, body.model_config_id);
    if (model instanceof Response) return model;
    const modelId = model.id;
    if (!this.#current && body.organization_id !== undefined && body.organization_id !== w.org.id) {
      return coderError(400, "Organization not found.");
    }
    const labels = labelsOf(body.labels);
    if (labels === undefined) return badField("labels", "labels must map strings to strings");
    let owner = w.me;
    let title: string | undefined;
    if (this.#current) {
      if (body.owner_id !== undefined && body.owner_id !== null && body.owner_id !== "") {
        const u = typeof body.owner_id === "string" && isUuid(body.owner_id)
          ? findUser(w, body.owner_id.toLowerCase())
          : undefined;
        // Wording of this 400 is the sim's: the reference gives only the status.
        if (!u) return coderError(400, "Chat owner must be an active member of the organization.");
        owner = u;
      }
      if (body.title !== undefined) {
        const t = typeof body.title === "string" ? body.title.trim() : "";
        if (t === "" || [...t].length > 200) {
          return badField("title", "title must be 1 to 200 characters");
        }
        title = t;
      }
      if (
        body.client_type !== undefined && body.client_type !== "ui" && body.client_type !== "api"
      ) {
        return badField("client_type", `client_type must be "ui" or "api"`);
      }
    }
    const now = w.clock.now();
    const text = textOf(parts);
    const c = this.store.newRec(
      owner,
      title ?? (squash(text.split("\n")[0], 60) || "New chat"),
      now,
    );
    c.labels = labels;
    c.modelId = modelId;
    if (body.client_type === "ui") c.clientType = "ui";
    if (typeof body.workspace_id === "string" && isUuid(body.workspace_id)) {
      c.workspaceId = body.workspace_id;
    }
    const first = parts.length > 0 ? this.store.push(c, "user", parts, now) : undefined;
    this.store.add(c);
    if (first) this.store.run(c, text, now);
    const chat = chatWire(w, c);
    if (!rid) return json(201, chat);
    const r = this.#receipts.record(rid, "create", body, c.id, { message_id: first?.id });
    return json(201, { ...chat, submission: receiptWire(r) });
  }

  /** `POST C/chats/{chat}/messages`. */
  async send(c: ChatRec, req: Request): Promise<Response> {
    const body = await readBody(req);
    if (this.#current && accessOf(this.world, c) !== "own") {
      return coderError(403, OWNER_ONLY_SEND);
    }
    const rid = this.#receipts.requestId(body);
    if (rid instanceof Response) return rid;
    if (rid) {
      const replay = this.#receipts.replay(rid, "send", body, c);
      if (replay) return replay;
    }
    if (c.archived) return coderError(400, "Cannot send messages to an archived chat.");
    const parts = inputParts(body.content);
    if (!parts) return requiredField("content");
    const busy = body.busy_behavior ?? "queue";
    if (busy !== "queue" && busy !== "interrupt") {
      return this.#current
        ? coderError(400, "Invalid busy_behavior value.")
        : badField("busy_behavior", `busy_behavior must be "queue" or "interrupt"`);
    }
    const now = this.world.clock.now();
    const running = ACTIVE.has(c.status);
    if (running && busy === "queue") {
      if (this.#current && c.queued.length >= MAX_QUEUED) {
        return coderError(
          429,
          "Message queue is full.",
          `Maximum ${MAX_QUEUED} messages can be queued.`,
        );
      }
      const q = { id: this.store.nextQueueId(), parts, at: now };
      c.queued.push(q);
      c.updatedAt = now;
      const answer: Record<string, unknown> = {
        queued: true,
        queued_message: chatQueuedJson(this.world, c, q),
        warnings: [],
      };
      if (!this.#current) answer.messages = [];
      if (!rid) return json(200, answer);
      const r = this.#receipts.record(rid, "send", body, c.id, { queued_message_id: q.id });
      return json(200, { ...answer, submission: receiptWire(r) });
    }
    if (running) {
      this.store.push(c, "assistant", [{ type: "text", text: "(interrupted)" }], now);
      c.requests++;
    }
    const m = this.store.push(c, "user", parts, now);
    this.store.run(c, textOf(parts), now);
    const mj = chatMessageJson(this.world, c, m);
    const answer = { message: mj, messages: [mj], queued: false, warnings: [] };
    if (!rid) return json(200, answer);
    const r = this.#receipts.record(rid, "send", body, c.id, { message_id: m.id });
    return json(200, { ...answer, submission: receiptWire(r) });
  }

  /** `PATCH C/chats/{chat}`: title, then labels, then archived (Coder's order). */
  async update(c: ChatRec, req: Request): Promise<Response> {
    const body = await readBody(req);
    if (this.#current && accessOf(this.world, c) !== "own") return resourceNotFound();
    if (body.archived !== undefined && typeof body.archived !== "boolean") {
      return badField("archived", "archived must be a boolean");
    }
    if (body.title !== undefined && typeof body.title !== "string") {
      return badField("title", "title must be a string");
    }
    const labels = body.labels === undefined ? c.labels : labelsOf(body.labels);
    if (labels === undefined) return badField("labels", "labels must map strings to strings");
    const now = this.world.clock.now();
    if (typeof body.title === "string") {
      const t = body.title.trim();
      if (this.#current && (t === "" || [...t].length > 200)) {
        return badField("title", "title must be 1 to 200 characters");
      }
      if (t) c.title = t;
    }
    c.labels = labels;
    c.updatedAt = now;
    if (typeof body.archived === "boolean") {
      if (this.#current && body.archived === c.archived) {
        return coderError(400, c.archived ? "Chat is already archived." : "Chat is not archived.");
      }
      if (this.#current && body.archived && ACTIVE.has(c.status)) {
        return coderError(
          409,
          "Cannot archive an active chat. Interrupt or wait for the chat to finish first.",
        );
      }
      c.archived = body.archived;
    }
    if (c.archived) this.store.release(c);
    return empty(204);
  }

  /** `POST C/chats/{chat}/interrupt`. */
  interrupt(c: ChatRec): Response {
    const now = this.world.clock.now();
    if (this.#current) {
      if (accessOf(this.world, c) !== "own") return resourceNotFound();
      if (c.archived) return coderError(400, "Cannot interrupt an archived chat.");
      if (!ACTIVE.has(c.status)) return coderError(409, "Chat is not in an interruptible state.");
      if (c.status === "running") this.store.interrupt(c, now);
      return json(200, chatWire(this.world, c));
    }
    if (ACTIVE.has(c.status)) this.store.interrupt(c, now);
    return json(200, chatWire(this.world, c));
  }
}

function forbidden(): Response {
  return coderError(
    403,
    "Forbidden.",
    "You don't have permission to view this content. If you believe this is a mistake, please contact your administrator or try signing in with different credentials.",
  );
}

/** Validate CreateChat/CreateChatMessage `content`: a non-empty list with some non-empty text. */
function inputParts(content: unknown): Part[] | undefined {
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const parts: Part[] = [];
  for (const p of content) {
    if (!p || typeof p !== "object") return undefined;
    const part = p as Record<string, unknown>;
    const type = typeof part.type === "string" ? part.type : "text";
    if (type === "text") {
      if (typeof part.text !== "string") return undefined;
      parts.push({ type: "text", text: part.text });
    } else parts.push({ ...part, type });
  }
  return parts.some((p) => typeof p.text === "string" && p.text.trim() !== "") ? parts : undefined;
}

function labelsOf(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== "string") return undefined;
    out[k] = x;
  }
  return out;
}
