/**
 * Coder's chat watch (`GET C/chats/watch`, a one-way WebSocket of JSON frames
 * `{kind, chat, ...}`), shared: one socket serves every listener in the process, opens with the
 * first and closes when the last one leaves. A dropped socket is reopened with backoff while
 * anyone listens. Sockets that do not stay open (no watch route, a proxy that refuses WebSockets
 * or cuts them at once, Coder down) are given up after a few tries in a row, for a minute:
 * waits poll meanwhile. The watch carries only the token owner's chats and has no replay, so
 * listeners are told when it opens (reconcile then) and when it drops or is given up (poll).
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
/**
 * Failed tries in a row before the watch counts as unavailable. A try fails when its socket does
 * not open, or drops within the stable time (default {@link STABLE_MS}).
 */
const GIVE_UP_AFTER = 3;
/** A socket open this long worked: failed tries count from 0 again. */
export const STABLE_MS = 10_000;
/** How long an unavailable watch is not tried again. */
const UNAVAILABLE_MS = 60_000;

/** The shared chat watch of one Coder deployment and API prefix. */
export class ChatWatch {
  readonly #open: () => WebSocket;
  readonly #listeners = new Set<WatchListener>();
  #ws?: WebSocket;
  #isOpen = false;
  #failures = 0;
  readonly #stableMs: number;
  readonly #unavailableMs: number;
  #unavailableUntil = 0;
  #retry?: ReturnType<typeof setTimeout>;
  /** Sockets opened so far (for tests and figures). */
  opened = 0;

  /**
   * `open` stands in for opening the socket, `stableMs` for {@link STABLE_MS}, `unavailableMs`
   * for how long a watch given up stays unavailable (a minute) (tests).
   */
  constructor(
    client: CoderClient,
    prefix: string,
    opts: { open?: () => WebSocket; stableMs?: number; unavailableMs?: number } = {},
  ) {
    this.#open = opts.open ?? (() => client.openWebSocket(`${prefix}/chats/watch`));
    this.#stableMs = opts.stableMs ?? STABLE_MS;
    this.#unavailableMs = opts.unavailableMs ?? UNAVAILABLE_MS;
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#isOpen;
  }

  /** False when the deployment has no usable watch (given up after a few failed tries). */
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
      this.#dropped(undefined);
      return;
    }
    this.#ws = ws;
    this.opened++;
    let openedAt: number | undefined;
    ws.onopen = () => {
      openedAt = Date.now();
      this.#isOpen = true;
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
      this.#dropped(openedAt === undefined ? undefined : Date.now() - openedAt);
    };
  }

  /** A socket ended, or did not open: `openMs` is how long it was open (undefined: never). */
  #dropped(openMs: number | undefined): void {
    const wasOpen = openMs !== undefined;
    this.#isOpen = false;
    if (wasOpen) { for (const l of [...this.#listeners]) l.state("closed"); }
    if (this.#listeners.size === 0) return;
    // A socket that stayed open worked (a Coder restart, a proxy's idle timeout): reopen it
    // soon. One that did not open, or dropped at once, is a failed try: back off, give up.
    this.#failures = wasOpen && openMs >= this.#stableMs ? 0 : this.#failures + 1;
    if (this.#failures >= GIVE_UP_AFTER) {
      this.#unavailableUntil = Date.now() + this.#unavailableMs;
      this.#failures = 0;
      if (!wasOpen) { for (const l of [...this.#listeners]) l.state("closed"); }
      return;
    }
    // 200 ms after a socket that worked, then 400 and 800 ms (it is given up at the third).
    const delay = 200 * 2 ** this.#failures;
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
