/**
 * Simulated Coder Chats ("Coder Agents"): the chat store, turns that end over (paced) time,
 * message queueing and interrupts, and the `/chats` routes.
 */
import { allModels, type SimUser, type World } from "./deployment.ts";
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
} from "./http.ts";
import type { Router } from "./router.ts";
import {
  assistantTurn,
  type Part,
  pickFollowUp,
  pickLabels,
  pickSummary,
  pickTopic,
} from "./seed.ts";
import { isUuid, Rng, squash } from "./util.ts";

interface MsgRec {
  id: number;
  role: "user" | "assistant" | "tool" | "system";
  parts: Part[];
  at: number;
}

interface QueuedRec {
  id: number;
  parts: Part[];
  at: number;
}

/** A stored chat. */
export interface ChatRec {
  id: string;
  owner: SimUser;
  title: string;
  status: string;
  labels: Record<string, string>;
  summary: string;
  archived: boolean;
  modelId: string;
  workspaceId: string | null;
  createdAt: number;
  updatedAt: number;
  messages: MsgRec[];
  queued: QueuedRec[];
  hasUnread: boolean;
  lastError: Record<string, unknown> | null;
  phase: "none" | "turn" | "interrupt";
  nextAt: number;
  /** The user text the running turn answers. */
  asked: string;
  requests: number;
  rng: Rng;
}

const KINDS = [
  "running",
  "waiting",
  "requires_action",
  "error",
  "archived",
  "queued",
  "waiting",
  "waiting",
  "running",
];
const WEIGHTED = [...KINDS, "waiting", "waiting", "running"];
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

/** The chat store of one simulated deployment. */
export class ChatStore {
  readonly world: World;
  #rng: Rng;
  #list: ChatRec[] = [];
  #byId = new Map<string, ChatRec>();
  #msgSeq = 1;
  #queueSeq = 1;

  constructor(world: World, rng: Rng) {
    this.world = world;
    this.#rng = rng;
  }

  /** All chats (archived included) in creation order. */
  get all(): readonly ChatRec[] {
    return this.#list;
  }

  /** A chat by id. */
  get(id: string): ChatRec | undefined {
    return this.#byId.get(id);
  }

  #dur(c: ChatRec, minS: number, maxS: number): number {
    return c.rng.int(minS * 1000, maxS * 1000) / this.world.pace;
  }

  #push(c: ChatRec, role: MsgRec["role"], parts: Part[], at: number): MsgRec {
    const m = { id: this.#msgSeq++, role, parts, at };
    c.messages.push(m);
    return m;
  }

  #turn(c: ChatRec, asked: string, at: number, summary = pickSummary(c.rng)): void {
    const from = c.messages.length ? c.messages[c.messages.length - 1].at : at - 4000;
    for (const m of assistantTurn(c.rng, asked, summary, at, this.world.time, from)) {
      this.#push(c, m.role, m.parts, m.at);
    }
    c.summary = summary;
    c.requests += 2;
  }

  #newRec(owner: SimUser, title: string, at: number): ChatRec {
    const rng = this.#rng.fork();
    return {
      id: rng.uuid(),
      owner,
      title,
      status: "waiting",
      labels: {},
      summary: "",
      archived: false,
      modelId: allModels(this.world)[0].id,
      workspaceId: null,
      createdAt: at,
      updatedAt: at,
      messages: [],
      queued: [],
      hasUnread: false,
      lastError: null,
      phase: "none",
      nextAt: Infinity,
      asked: "",
      requests: 0,
      rng,
    };
  }

  /** Seed `n` chats spread over owners and statuses. */
  seed(n: number): void {
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const kind = i < KINDS.length ? KINDS[i] : this.#rng.pick(WEIGHTED);
      const owner = this.world.users[i % this.world.users.length];
      const topic = pickTopic(this.#rng);
      const c = this.#newRec(owner, topic.title, now);
      const r = c.rng;
      c.labels = pickLabels(r);
      if (r.chance(0.5)) c.workspaceId = r.uuid();
      const live = kind === "running" || kind === "queued";
      c.updatedAt = live ? now - r.int(5_000, 60_000) : now - r.int(60_000, 2 * 86_400_000);
      const turns = r.int(1, 6);
      const step = r.int(2, 30) * 60_000;
      c.createdAt = c.updatedAt - turns * step;
      let at = c.createdAt;
      for (let k = 0; k < turns; k++) {
        const text = k === 0 ? topic.prompt : pickFollowUp(r);
        this.#push(c, "user", [{ type: "text", text }], at);
        const last = k === turns - 1;
        if (last && live) {
          c.asked = text;
          c.messages[c.messages.length - 1].at = c.updatedAt;
          break;
        }
        const end = last ? c.updatedAt : at + step / 2;
        this.#turn(c, text, end);
        at += step;
      }
      c.hasUnread = !live && r.chance(0.5);
      switch (kind) {
        case "running":
        case "queued":
          c.status = "running";
          c.phase = "turn";
          c.nextAt = now + this.#dur(c, 15, 120);
          if (kind === "queued") {
            for (let k = 0; k < 2; k++) {
              c.queued.push({
                id: this.#queueSeq++,
                parts: [{ type: "text", text: pickFollowUp(r) }],
                at: now - (2 - k) * 1000,
              });
            }
          }
          break;
        case "requires_action":
          c.status = "requires_action";
          this.#push(c, "assistant", [{
            type: "tool-call",
            tool_call_id: `toolu_${r.hex(20)}`,
            tool_name: "ask_user",
            args: { question: "Which environment should I deploy to?" },
            created_at: this.world.time(c.updatedAt),
          }], c.updatedAt);
          c.summary = "Asked which environment to deploy to";
          break;
        case "error":
          c.status = "error";
          c.lastError = {
            message: "The model provider is overloaded. Try again later.",
            kind: "overloaded",
            provider: "anthropic",
            retryable: true,
            status_code: 529,
          };
          break;
        case "archived":
          c.archived = true;
          break;
      }
      this.#add(c);
    }
  }

  #add(c: ChatRec): void {
    this.#list.push(c);
    this.#byId.set(c.id, c);
  }

  /** Advance every chat whose timer is due. */
  tick(now: number): void {
    for (const c of this.#list) {
      let guard = 0;
      while (c.nextAt <= now && guard++ < 32) this.#step(c);
    }
  }

  #step(c: ChatRec): void {
    const at = c.nextAt;
    c.nextAt = Infinity;
    const phase = c.phase;
    c.phase = "none";
    if (phase === "turn") {
      this.#turn(c, c.asked, at);
      c.hasUnread = true;
    }
    c.status = "waiting";
    c.updatedAt = at;
    if (phase === "turn" && c.queued.length > 0) {
      const q = c.queued.shift()!;
      this.#push(c, "user", q.parts, at);
      this.#run(c, textOf(q.parts), at);
    }
  }

  #run(c: ChatRec, asked: string, at: number): void {
    c.status = "running";
    c.lastError = null;
    c.asked = asked;
    c.phase = "turn";
    c.nextAt = at + this.#dur(c, 15, 90);
    c.updatedAt = at;
  }

  /** Test control: force a status, archive flag or turn summary. */
  set(id: string, patch: { status?: string; archived?: boolean; summary?: string }): void {
    const c = this.#byId.get(id);
    if (!c) throw new Error(`sim: no chat ${id}`);
    const now = Date.now();
    if (patch.status !== undefined) {
      c.status = patch.status;
      c.phase = "none";
      c.nextAt = Infinity;
      if (patch.status === "running") this.#run(c, c.asked || "Continue.", now);
      if (patch.status === "interrupting") {
        c.phase = "interrupt";
        c.nextAt = now + this.#dur(c, 1, 3);
      }
    }
    if (patch.archived !== undefined) c.archived = patch.archived;
    if (patch.summary !== undefined) c.summary = patch.summary;
    c.updatedAt = now;
  }

  /** codersdk.Chat as served. */
  wire(c: ChatRec): Record<string, unknown> {
    const w = this.world;
    const out: Record<string, unknown> = {
      id: c.id,
      owner_id: c.owner.id,
      owner_username: c.owner.username,
      owner_name: c.owner.name,
      organization_id: w.org.id,
      title: c.title,
      status: c.status,
      last_model_config_id: c.modelId,
      last_reasoning_effort: "",
      labels: c.labels,
      last_turn_summary: c.summary,
      archived: c.archived,
      pin_order: 0,
      has_unread: c.hasUnread,
      queued_for_capacity: false,
      shared: false,
      client_type: "api",
      mcp_server_ids: [],
      children: [],
      files: [],
      last_error: c.lastError,
      created_at: w.time(c.createdAt),
      updated_at: w.time(c.updatedAt),
    };
    if (c.workspaceId) out.workspace_id = c.workspaceId;
    return out;
  }

  #msgJson(c: ChatRec, m: MsgRec): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: m.id,
      chat_id: c.id,
      role: m.role,
      content: m.parts,
      created_at: this.world.time(m.at),
      model_config_id: c.modelId,
    };
    if (m.role === "user") out.created_by = c.owner.id;
    if (m.role === "assistant") {
      const input = 1200 + (m.id * 37) % 900;
      const output = 80 + (m.id * 13) % 400;
      out.usage = {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input + output,
        reasoning_tokens: 0,
        cache_read_tokens: 0,
        cache_creation_tokens: 0,
        context_limit: 200000,
      };
    }
    return out;
  }

  #queuedJson(c: ChatRec, q: QueuedRec): Record<string, unknown> {
    return {
      id: q.id,
      chat_id: c.id,
      content: q.parts,
      created_at: this.world.time(q.at),
      model_config_id: c.modelId,
    };
  }

  #find(ref: string): ChatRec {
    if (!isUuid(ref)) throw new HttpAnswer(invalidUuid(ref));
    const c = this.#byId.get(ref.toLowerCase());
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
    let none = false;
    for (const { key, value } of parseQuery(query.get("q") ?? "")) {
      if (key === "") {
        return invalidQuery(
          `Bare terms are not supported; use title:<value> or search:<value> (got "${value}")`,
        );
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
      for (const c of this.#list) {
        if (c.archived !== archived) continue;
        if (owner && c.owner !== owner) continue;
        if (unread !== undefined && c.hasUnread !== unread) continue;
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
    return json(200, out.map((c) => this.wire(c)));
  }

  #create(body: Record<string, unknown>): Response {
    const w = this.world;
    const parts = inputParts(body.content);
    if (!parts) return requiredField("content");
    let modelId = allModels(w)[0].id;
    if (body.model_config_id !== undefined && body.model_config_id !== "") {
      const m = allModels(w).find((x) => x.id === body.model_config_id);
      if (!m) return coderError(400, "Model config not found.");
      modelId = m.id;
    }
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
    const now = Date.now();
    const text = textOf(parts);
    const c = this.#newRec(w.me, squash(text.split("\n")[0], 60) || "New chat", now);
    c.labels = labels;
    c.modelId = modelId;
    if (typeof body.workspace_id === "string" && isUuid(body.workspace_id)) {
      c.workspaceId = body.workspace_id;
    }
    this.#push(c, "user", parts, now);
    this.#run(c, text, now);
    this.#add(c);
    return json(201, this.wire(c));
  }

  #send(c: ChatRec, body: Record<string, unknown>): Response {
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
    const now = Date.now();
    const running = c.status === "running" || c.status === "interrupting";
    if (running && busy === "queue") {
      const q = { id: this.#queueSeq++, parts, at: now };
      c.queued.push(q);
      c.updatedAt = now;
      return json(200, {
        messages: [],
        queued: true,
        queued_message: this.#queuedJson(c, q),
        warnings: [],
      });
    }
    if (running) {
      this.#push(c, "assistant", [{ type: "text", text: "(interrupted)" }], now);
      c.requests++;
    }
    const m = this.#push(c, "user", parts, now);
    this.#run(c, textOf(parts), now);
    const mj = this.#msgJson(c, m);
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
      messages: page.slice().reverse().map((m) => this.#msgJson(c, m)),
      queued_messages: c.queued.map((q) => this.#queuedJson(c, q)),
      has_more: hasMore,
    });
  }

  /** Register the Chats routes under `prefix` (`/api/v2` or `/api/experimental`). */
  register(router: Router, prefix: string): void {
    const C = `${prefix}/chats`;
    const w = this.world;
    router.add("GET", C, ({ query }) => this.#listChats(query));
    router.add("POST", C, async ({ req }) => this.#create(await readBody(req)));
    router.add("GET", `${C}/models`, () =>
      json(200, {
        providers: w.providers.map((p) => ({
          provider: p.provider,
          available: p.available,
          ...(p.unavailable_reason ? { unavailable_reason: p.unavailable_reason } : {}),
          models: p.models,
        })),
        unsupported_providers: [],
      }));
    router.add("GET", `${C}/{chat}`, ({ params }) => json(200, this.wire(this.#find(params.chat))));
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
      if (typeof body.title === "string" && body.title.trim()) c.title = body.title.trim();
      c.labels = labels;
      c.updatedAt = Date.now();
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
        const now = Date.now();
        c.status = "waiting";
        c.phase = "none";
        c.nextAt = Infinity;
        c.updatedAt = now;
      }
      return json(200, this.wire(c));
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

/** Plain text of message parts. */
function textOf(parts: Part[]): string {
  return parts.map((p) => (typeof p.text === "string" ? p.text : "")).filter(Boolean).join("\n");
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
