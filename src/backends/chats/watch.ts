/**
 * Coder's chat watch (`GET C/chats/watch`, a one-way WebSocket of JSON frames
 * `{kind, chat, ...}`), shared: one socket serves every listener in the process, opens with the
 * first and closes when the last one leaves. A dropped socket is reopened with backoff while
 * anyone listens. The watch carries only the token owner's chats and has no replay, so
 * listeners are told when it opens (reconcile then) and when it drops (poll meanwhile).
 */
import type { CoderClient } from "../../coder/http.ts";
import type { Agent } from "../../model/agent.ts";
import type { AgentWatch } from "../../model/backend.ts";
import { Chat } from "./wire.ts";

/** One frame of the watch: what happened, and the chat as it is now. */
export interface WatchFrame {
  /** `status_change`, `created`, `deleted`, `title_change`, ... (kept as sent). */
  kind: string;
  chat: Chat;
}

/** What a listener hears. */
export interface WatchListener {
  frame(f: WatchFrame): void;
  /** The socket opened (after a connect or a reconnect), or dropped. */
  state(s: "open" | "closed"): void;
}

/** Largest frame read; bigger ones are ignored. */
const FRAME_MAX = 1024 * 1024;
/** Failed opens in a row (never having opened) before the watch counts as unavailable. */
const GIVE_UP_AFTER = 3;
/** How long an unavailable watch is not tried again. */
const UNAVAILABLE_MS = 60_000;

/** The shared chat watch of one Coder deployment and API prefix. */
export class ChatWatch {
  readonly #open: () => WebSocket;
  readonly #listeners = new Set<WatchListener>();
  #ws?: WebSocket;
  #isOpen = false;
  #failures = 0;
  #everOpened = false;
  #unavailableUntil = 0;
  #retry?: ReturnType<typeof setTimeout>;
  /** Sockets opened so far (for tests and figures). */
  opened = 0;

  constructor(client: CoderClient, prefix: string, open?: () => WebSocket) {
    this.#open = open ?? (() => client.openWebSocket(`${prefix}/chats/watch`));
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  /** False when the deployment has no watch (it never opened, a few times in a row). */
  get available(): boolean {
    return Date.now() >= this.#unavailableUntil;
  }

  /** Listen; returns the function that stops listening (the last one closes the socket). */
  subscribe(l: WatchListener): () => void {
    this.#listeners.add(l);
    if (!this.#ws && !this.#retry && this.available) this.#connect();
    else if (this.#isOpen) queueMicrotask(() => l.state("open"));
    return () => {
      this.#listeners.delete(l);
      if (this.#listeners.size === 0) this.#shut();
    };
  }

  #connect(): void {
    let ws: WebSocket;
    try {
      ws = this.#open();
    } catch {
      this.#dropped(false);
      return;
    }
    this.#ws = ws;
    this.opened++;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#isOpen = true;
      this.#everOpened = true;
      this.#failures = 0;
      for (const l of [...this.#listeners]) l.state("open");
    };
    ws.onmessage = (e) => {
      const f = parseFrame(e.data);
      if (f) { for (const l of [...this.#listeners]) l.frame(f); }
    };
    ws.onerror = () => {}; // onclose follows
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      this.#dropped(opened);
    };
  }

  #dropped(wasOpen: boolean): void {
    this.#isOpen = false;
    if (wasOpen) { for (const l of [...this.#listeners]) l.state("closed"); }
    if (this.#listeners.size === 0) return;
    if (!wasOpen) this.#failures++;
    if (!this.#everOpened && this.#failures >= GIVE_UP_AFTER) {
      this.#unavailableUntil = Date.now() + UNAVAILABLE_MS;
      this.#failures = 0;
      for (const l of [...this.#listeners]) l.state("closed");
      return;
    }
    const delay = Math.min(5_000, 200 * 2 ** Math.min(this.#failures, 5));
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#listeners.size > 0 && !this.#ws) this.#connect();
    }, delay);
  }

  #shut(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    const ws = this.#ws;
    this.#ws = undefined;
    this.#isOpen = false;
    try {
      ws?.close();
    } catch {
      // already closing
    }
  }

  /** Close the socket whatever listens (shutdown). */
  close(): void {
    this.#listeners.clear();
    this.#shut();
  }
}

/** Parse one text frame; anything malformed is ignored (undefined). */
export function parseFrame(data: unknown): WatchFrame | undefined {
  if (typeof data !== "string" || data.length > FRAME_MAX) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  const chat = Chat.safeParse(o.chat);
  if (!chat.success || typeof o.kind !== "string") return undefined;
  return { kind: o.kind.slice(0, 64), chat: chat.data };
}

/** The chat watch as the fleet sees it: each frame's chat read as an agent. */
export function agentWatch(watch: ChatWatch, toAgent: (chat: Chat) => Agent): AgentWatch {
  return {
    get isOpen() {
      return watch.isOpen;
    },
    get available() {
      return watch.available;
    },
    subscribe: (l) =>
      watch.subscribe({
        frame: (f) => l.event({ kind: f.kind, agent: toAgent(f.chat) }),
        state: (s) => l.state(s),
      }),
    close: () => watch.close(),
  };
}
