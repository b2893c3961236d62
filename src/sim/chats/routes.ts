/**
 * The `/chats` routes of the simulated Coder: list with `q` and `label`, create, get, archive and
 * relabel, messages (paged), send (queue or interrupt), interrupt, cost and models.
 */
import type { SimUser, World } from "../deployment.ts";
import type { ChatRec, ChatStore, MsgRec, ReceiptRec } from "./store.ts";
import type { ChatWatchHub } from "./watch.ts";
import { chatMessageJson, chatQueuedJson, chatWire } from "./wire.ts";
import { createModel, legacyModelsJson, orgModelsJson } from "./models.ts";
import {
  coderError,
  empty,
  HttpAnswer,
  invalidQuery,
  invalidUuid,
  json,
  parseQuery,
  readBody,
  requiredField,
  resourceNotFound,
} from "../http.ts";
import type { Router } from "../router.ts";
import { type Part, textOf } from "../seed.ts";
import { isUuid, squash } from "../util.ts";

const Q_KEYS = new Set([
  "title",
  "archived",
  "search",
  "has_unread",
  "source",
  "pr_status",
  "diff_url",
  "pr",
  "repo",
  "pr_title",
]);

/** The Chats API over one chat store. */
export class ChatRoutes {
  readonly store: ChatStore;
  readonly world: World;
  /** The chat watch (current profile). */
  readonly watch?: ChatWatchHub;

  constructor(store: ChatStore, watch?: ChatWatchHub) {
    this.store = store;
    this.world = store.world;
    this.watch = watch;
  }

  #find(ref: string): ChatRec {
    if (!isUuid(ref)) throw new HttpAnswer(invalidUuid(ref));
    const c = this.store.get(ref.toLowerCase());
    if (!c) throw new HttpAnswer(resourceNotFound());
    return c;
  }

  #listChats(query: URLSearchParams): Response {
    const w = this.world;
    let archived = false;
    let owner: SimUser | null | undefined;
    let title: string | undefined;
    let search: string[] | undefined;
    let unread: boolean | undefined;
    let statuses: Set<string> | undefined;
    let none = false;
    const current = w.profile === "current";
    for (const { key, value } of parseQuery(query.get("q") ?? "")) {
      if (key === "") {
        return invalidQuery(
          `Bare terms are not supported; use title:<value> or search:<value> (got "${value}")`,
        );
      }
      if (key === "status" && current) {
        // Newer Coder: comma-separated or repeated, OR semantics.
        statuses ??= new Set();
        for (const s of value.split(",")) if (s.trim()) statuses.add(s.trim());
        continue;
      }
      if (!Q_KEYS.has(key)) return invalidQuery(`Query param "${key}" is not a valid query param`);
      if (key === "archived" || key === "has_unread") {
        if (value !== "true" && value !== "false") {
          return invalidQuery(`Query param "${key}" must be a valid boolean`);
        }
        if (key === "archived") archived = value === "true";
        else unread = value === "true";
      } else if (key === "title") title = value.toLowerCase();
      else if (key === "search") search = value.toLowerCase().split(/\s+/).filter(Boolean);
      else if (key === "source") {
        if (value === "created_by_me") owner = w.me;
        else none = true;
      } else none = true; // PR filters: no simulated chat has a pull request.
    }
    const labels: [string, string][] = [];
    for (const l of query.getAll("label")) {
      const i = l.indexOf(":");
      if (i <= 0) {
        return coderError(400, "Invalid label filter.", undefined, [{
          field: "label",
          detail: `label "${l}" must be key:value`,
        }]);
      }
      labels.push([l.slice(0, i), l.slice(i + 1)]);
    }
    const out: ChatRec[] = [];
    if (!none && owner !== null) {
      for (const c of this.store.all) {
        if (c.archived !== archived) continue;
        if (owner && c.owner !== owner) continue;
        if (unread !== undefined && c.hasUnread !== unread) continue;
        if (statuses && !statuses.has(c.status)) continue;
        if (title && !c.title.toLowerCase().includes(title)) continue;
        if (labels.some(([k, v]) => c.labels[k] !== v)) continue;
        if (search && search.length === 0) continue;
        if (search) {
          const hay = (c.title + " " + c.summary + " " +
            c.messages.map((m) => textOf(m.parts)).join(" ")).toLowerCase();
          if (!search.every((s) => hay.includes(s))) continue;
        }
        out.push(c);
      }
    }
    out.sort((a, b) => b.updatedAt - a.updatedAt);
    return json(200, out.map((c) => chatWire(this.world, c)));
  }

  /** The request_id of a write, where this Coder takes one (current profile). */
  #requestId(body: Record<string, unknown>): string | undefined {
    if (this.world.profile !== "current") return undefined; // older Coder ignores the field
    const v = body.request_id;
    return typeof v === "string" && v !== "" ? v.slice(0, 128) : undefined;
  }

  /** Record and answer a submission receipt. */
  #receipt(
    status: number,
    requestId: string,
    chatId: string,
    ids: { message_id?: number; queued_message_id?: number },
  ): Response {
    const r: ReceiptRec = {
      id: crypto.randomUUID(),
      request_id: requestId,
      chat_id: chatId,
      state: "accepted",
      message_id: ids.message_id ?? null,
      queued_message_id: ids.queued_message_id ?? null,
      error: null,
    };
    this.store.receipts.set(requestId, r);
    return json(status, r);
  }

  #create(body: Record<string, unknown>): Response {
    const w = this.world;
    const rid = this.#requestId(body);
    const seen = rid ? this.store.receipts.get(rid) : undefined;
    if (seen) return json(200, seen); // the same request again: its first answer
    const parts = inputParts(body.content);
    if (!parts) return requiredField("content");
    const model = createModel(w, body.model_config_id);
    if (model instanceof Response) return model;
    if (body.organization_id !== undefined && body.organization_id !== w.org.id) {
      return coderError(400, "Organization not found.");
    }
    const labels = labelsOf(body.labels);
    if (labels === undefined) {
      return coderError(400, "Validation failed.", undefined, [{
        field: "labels",
        detail: "labels must map strings to strings",
      }]);
    }
    const now = this.world.clock.now();
    const text = textOf(parts);
    const c = this.store.newRec(w.me, squash(text.split("\n")[0], 60) || "New chat", now);
    c.labels = labels;
    c.modelId = model.id;
    if (typeof body.workspace_id === "string" && isUuid(body.workspace_id)) {
      c.workspaceId = body.workspace_id;
    }
    const first = this.store.push(c, "user", parts, now);
    this.store.add(c);
    this.store.run(c, text, now);
    if (rid) return this.#receipt(201, rid, c.id, { message_id: first.id });
    return json(201, chatWire(this.world, c));
  }

  #send(c: ChatRec, body: Record<string, unknown>): Response {
    const rid = this.#requestId(body);
    const seen = rid ? this.store.receipts.get(rid) : undefined;
    if (seen) return json(200, seen); // the same request again: its first answer
    if (c.archived) return coderError(400, "Cannot send messages to an archived chat.");
    const parts = inputParts(body.content);
    if (!parts) return requiredField("content");
    const busy = body.busy_behavior ?? "queue";
    if (busy !== "queue" && busy !== "interrupt") {
      return coderError(400, "Validation failed.", undefined, [{
        field: "busy_behavior",
        detail: `busy_behavior must be "queue" or "interrupt"`,
      }]);
    }
    const now = this.world.clock.now();
    const running = c.status === "running" || c.status === "interrupting";
    if (running && busy === "queue") {
      const q = { id: this.store.nextQueueId(), parts, at: now };
      c.queued.push(q);
      c.updatedAt = now;
      if (rid) return this.#receipt(200, rid, c.id, { queued_message_id: q.id });
      return json(200, {
        messages: [],
        queued: true,
        queued_message: chatQueuedJson(this.world, c, q),
        warnings: [],
      });
    }
    if (running) {
      this.store.push(c, "assistant", [{ type: "text", text: "(interrupted)" }], now);
      c.requests++;
    }
    const m = this.store.push(c, "user", parts, now);
    this.store.run(c, textOf(parts), now);
    if (rid) return this.#receipt(200, rid, c.id, { message_id: m.id });
    const mj = chatMessageJson(this.world, c, m);
    return json(200, { message: mj, messages: [mj], queued: false, warnings: [] });
  }

  #messages(c: ChatRec, query: URLSearchParams): Response {
    const num = (k: string, min: number, max: number): number | undefined | Response => {
      const v = query.get(k);
      if (v === null || v === "") return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        return coderError(400, "Invalid query parameters.", undefined, [{
          field: k,
          detail: min === 1 && max === 200
            ? "must be between 1 and 200"
            : "must be a non-negative integer",
        }]);
      }
      return n;
    };
    const limit = num("limit", 1, 200);
    const before = num("before_id", 0, Number.MAX_SAFE_INTEGER);
    const after = num("after_id", 0, Number.MAX_SAFE_INTEGER);
    for (const x of [limit, before, after]) if (x instanceof Response) return x;
    const n = (limit as number | undefined) ?? 50;
    const b = before as number | undefined;
    const a = after as number | undefined;
    const inRange = c.messages.filter((m) =>
      (b === undefined || m.id < b) && (a === undefined || m.id > a)
    );
    let page: MsgRec[];
    let hasMore: boolean;
    if (a !== undefined && b === undefined) {
      page = inRange.slice(0, n); // forward paging: the oldest ones just after the cursor
      hasMore = inRange.length > n;
    } else {
      page = inRange.slice(Math.max(0, inRange.length - n));
      hasMore = inRange.length > n;
    }
    return json(200, {
      messages: page.slice().reverse().map((m) => chatMessageJson(this.world, c, m)),
      queued_messages: c.queued.map((q) => chatQueuedJson(this.world, c, q)),
      has_more: hasMore,
    });
  }

  /** Register the Chats routes under `prefix` (`/api/v2` or `/api/experimental`). */
  register(router: Router, prefix: string): void {
    const C = `${prefix}/chats`;
    const w = this.world;
    router.add("GET", C, ({ query }) => this.#listChats(query));
    router.add("POST", C, async ({ req }) => this.#create(await readBody(req)));
    if (w.profile === "current") {
      // Current Coder: model configs are organization-scoped, flat, with provider descriptors
      // (reference 9); the old route answers 404.
      router.add("GET", "/api/v2/organizations/{organization}/chats/models", ({ params }) => {
        const org = params.organization;
        return org === w.org.id || org === w.org.name
          ? json(200, orgModelsJson(w))
          : resourceNotFound();
      });
      router.add("GET", `${C}/models`, () => resourceNotFound());
      if (this.watch) {
        const hub = this.watch;
        router.add("GET", `${C}/watch`, ({ req }) => hub.accept(req));
      }
    } else router.add("GET", `${C}/models`, () => json(200, legacyModelsJson(w)));
    router.add(
      "GET",
      `${C}/{chat}`,
      ({ params }) => json(200, chatWire(this.world, this.#find(params.chat), true)),
    );
    router.add("PATCH", `${C}/{chat}`, async ({ req, params }) => {
      const c = this.#find(params.chat);
      const body = await readBody(req);
      if (body.archived !== undefined && typeof body.archived !== "boolean") {
        return badField("archived", "archived must be a boolean");
      }
      if (body.title !== undefined && typeof body.title !== "string") {
        return badField("title", "title must be a string");
      }
      const labels = body.labels === undefined ? c.labels : labelsOf(body.labels);
      if (labels === undefined) return badField("labels", "labels must map strings to strings");
      if (typeof body.archived === "boolean") c.archived = body.archived;
      if (c.archived) this.store.release(c);
      if (typeof body.title === "string" && body.title.trim()) c.title = body.title.trim();
      c.labels = labels;
      c.updatedAt = this.world.clock.now();
      return empty(204);
    });
    router.add("GET", `${C}/{chat}/messages`, ({ params, query }) => {
      return this.#messages(this.#find(params.chat), query);
    });
    router.add("POST", `${C}/{chat}/messages`, async ({ req, params }) => {
      const c = this.#find(params.chat);
      return this.#send(c, await readBody(req));
    });
    router.add("POST", `${C}/{chat}/interrupt`, ({ params }) => {
      const c = this.#find(params.chat);
      if (c.status === "running" || c.status === "interrupting") {
        const now = this.world.clock.now();
        this.store.release(c);
        c.status = "waiting";
        c.phase = "none";
        c.nextAt = Infinity;
        c.updatedAt = now;
      }
      return json(200, chatWire(this.world, c));
    });
    router.add("GET", `${C}/{chat}/cost`, ({ params }) => {
      const c = this.#find(params.chat);
      const requests = c.requests;
      return json(200, {
        chat_id: c.id,
        total_cost_micros: requests * 4_250 + (c.messages.length % 7) * 130,
        request_count: requests,
        unpriced_request_count: 0,
      });
    });
  }
}

function badField(field: string, detail: string): Response {
  return coderError(400, "Validation failed.", undefined, [{ field, detail }]);
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
