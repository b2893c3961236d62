/**
 * Simulated Coder Chats ("Coder Agents"): the chat store, turns that end over (paced) time, the
 * licence's slots, and queued messages delivered when a turn ends. The store is the bottom of the
 * sim's chats: seeding (`seeding.ts`), who may see and change a chat (`access.ts`), the wire
 * shapes (`wire.ts`), the `/chats` routes (`routes.ts`, `list.ts`, `writes.ts`) and the watch
 * socket (`watch.ts`) are built on it.
 */
import { allModels, type SimUser, type World } from "../deployment.ts";
import { assistantTurn, type Part, pickSummary, textOf } from "../seed.ts";
import { Rng } from "../util.ts";

/** A stored chat message. */
export interface MsgRec {
  id: number;
  role: "user" | "assistant" | "tool" | "system";
  parts: Part[];
  at: number;
}

/** A stored queued message. */
export interface QueuedRec {
  id: number;
  parts: Part[];
  at: number;
}

/** A chat's pull request (what Coder keeps as `diff_status`, current profile). */
export interface PrRec {
  number: number;
  state: "draft" | "open" | "merged" | "closed";
  title: string;
  additions: number;
  deletions: number;
  changedFiles: number;
  commits: number;
  approved: boolean;
  changesRequested: boolean;
  reviewers: number;
  headBranch: string;
  refreshedAt: number;
}

/** A stored chat. */
export interface ChatRec {
  id: string;
  owner: SimUser;
  /** Ids of the users the chat is shared with (its ACL; current profile). */
  sharedWith: Set<string>;
  /** Its pull request, if it opened one (current profile). */
  pr: PrRec | null;
  /** `api` or `ui`: where the chat was started. */
  clientType: "api" | "ui";
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
  /** Waits for a licence slot (`queued_for_capacity`): its turn does not advance. */
  capacityQueued: boolean;
  rng: Rng;
}

/** A submission receipt (codersdk.ChatSubmission), kept per request_id (current profile). */
export interface ReceiptRec {
  id: string;
  request_id: string;
  chat_id: string | null;
  state: "reserved" | "accepted" | "uncertain" | "rejected";
  message_id: number | null;
  queued_message_id: number | null;
  error: string | null;
  /** Which write it answers. */
  kind: "create" | "send";
  /** The write's input, to tell a retry from another request under the same id. */
  fingerprint: string;
}

/** The chat store of one simulated deployment. */
export class ChatStore {
  readonly world: World;
  #rng: Rng;
  #list: ChatRec[] = [];
  #byId = new Map<string, ChatRec>();
  #msgSeq = 1;
  #queueSeq = 1;
  /** Chats waiting for a licence slot, first come first served. */
  #slotQueue: ChatRec[] = [];
  /** Receipts by request_id (writes that carried one, current profile). */
  readonly receipts = new Map<string, ReceiptRec>();

  constructor(world: World, rng: Rng) {
    this.world = world;
    this.#rng = rng;
  }

  /** The store's generator: seeding draws from it, as every new record forks from it. */
  get rng(): Rng {
    return this.#rng;
  }

  /** The next queued-message id. */
  nextQueueId(): number {
    return this.#queueSeq++;
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

  /** Append a message. */
  push(c: ChatRec, role: MsgRec["role"], parts: Part[], at: number): MsgRec {
    const m = { id: this.#msgSeq++, role, parts, at };
    c.messages.push(m);
    return m;
  }

  /** Append one finished assistant turn answering `asked`, ending at `at`. */
  turn(c: ChatRec, asked: string, at: number, summary = pickSummary(c.rng)): void {
    const from = c.messages.length ? c.messages[c.messages.length - 1].at : at - 4000;
    for (const m of assistantTurn(c.rng, asked, summary, at, this.world.time, from)) {
      this.push(c, m.role, m.parts, m.at);
    }
    c.summary = summary;
    c.requests += 2;
  }

  /** A fresh chat record (not stored yet). */
  newRec(owner: SimUser, title: string, at: number): ChatRec {
    const rng = this.#rng.fork();
    return {
      id: rng.uuid(),
      owner,
      sharedWith: new Set(),
      pr: null,
      clientType: "api",
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
      capacityQueued: false,
      rng,
    };
  }

  /**
   * Over the licence's slots, running chats wait for capacity, in the order they were stored
   * (after seeding).
   */
  queueOverflow(): void {
    let active = 0;
    for (const c of this.#list) {
      if (c.archived || c.status !== "running") continue;
      if (active < this.world.slots) active++;
      else this.#queueForSlot(c);
    }
  }

  /** Chats running a turn now (holding a licence slot). */
  #active(): number {
    let n = 0;
    for (const c of this.#list) {
      if (
        !c.archived && !c.capacityQueued && (c.status === "running" || c.status === "interrupting")
      ) n++;
    }
    return n;
  }

  #queueForSlot(c: ChatRec): void {
    c.capacityQueued = true;
    c.nextAt = Infinity;
    this.#slotQueue.push(c);
  }

  /** Give free licence slots to waiting chats, first come first served. */
  #admit(now: number): void {
    this.#slotQueue = this.#slotQueue.filter((c) =>
      c.capacityQueued && !c.archived && c.status === "running"
    );
    let free = this.world.slots - this.#active();
    while (free > 0 && this.#slotQueue.length > 0) {
      const c = this.#slotQueue.shift()!;
      c.capacityQueued = false;
      c.phase = "turn";
      c.nextAt = now + this.#dur(c, 15, 90);
      free--;
    }
  }

  /** Store a new chat. */
  add(c: ChatRec): void {
    this.#list.push(c);
    this.#byId.set(c.id, c);
  }

  /** Advance every chat whose timer is due. */
  tick(now: number): void {
    for (const c of this.#list) {
      let guard = 0;
      while (c.nextAt <= now && guard++ < 32) this.#step(c);
    }
    if (this.#slotQueue.length > 0) this.#admit(now);
  }

  #step(c: ChatRec): void {
    const at = c.nextAt;
    c.nextAt = Infinity;
    const phase = c.phase;
    c.phase = "none";
    if (phase === "turn") {
      this.turn(c, c.asked, at);
      c.hasUnread = true;
    }
    c.status = "waiting";
    c.updatedAt = at;
    if (phase === "turn" && c.queued.length > 0) {
      const q = c.queued.shift()!;
      this.push(c, "user", q.parts, at);
      this.run(c, textOf(q.parts), at);
    }
  }

  /** Start a turn answering `asked`. */
  run(c: ChatRec, asked: string, at: number): void {
    const wasActive = !c.capacityQueued && (c.status === "running" || c.status === "interrupting");
    c.status = "running";
    c.lastError = null;
    c.asked = asked;
    c.phase = "turn";
    c.nextAt = at + this.#dur(c, 15, 90);
    c.updatedAt = at;
    if (!wasActive && !c.capacityQueued && this.#active() > this.world.slots) {
      this.#queueForSlot(c);
    }
  }

  /**
   * Interrupt the running turn. Current Coder cancels it and the chat is `interrupting` for a
   * moment before it waits again; a chat still queued for a slot had no run and waits at once.
   * Older profiles wait at once.
   */
  interrupt(c: ChatRec, now: number): void {
    const hadRun = !c.capacityQueued;
    this.release(c);
    c.updatedAt = now;
    if (this.world.profile === "current" && hadRun) {
      c.status = "interrupting";
      c.phase = "interrupt";
      c.nextAt = now + this.#dur(c, 1, 3);
    } else {
      c.status = "waiting";
      c.phase = "none";
      c.nextAt = Infinity;
    }
  }

  /** A chat stopped running (interrupt, archive, a forced status): its slot is free. */
  release(c: ChatRec): void {
    c.capacityQueued = false;
  }

  /** Test control: force a status, archive flag or turn summary. */
  set(id: string, patch: { status?: string; archived?: boolean; summary?: string }): void {
    const c = this.#byId.get(id);
    if (!c) throw new Error(`sim: no chat ${id}`);
    const now = this.world.clock.now();
    if (patch.status !== undefined) {
      c.capacityQueued = false;
      c.status = patch.status;
      c.phase = "none";
      c.nextAt = Infinity;
      if (patch.status === "running") this.run(c, c.asked || "Continue.", now);
      if (patch.status === "interrupting") {
        c.phase = "interrupt";
        c.nextAt = now + this.#dur(c, 1, 3);
      }
    }
    if (patch.archived !== undefined) c.archived = patch.archived;
    if (patch.summary !== undefined) c.summary = patch.summary;
    c.updatedAt = now;
  }
}
