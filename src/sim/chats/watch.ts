/**
 * The chat watch of the simulated Coder (`GET C/chats/watch`, current profile): a one-way
 * WebSocket of JSON frames `{kind, chat}` for the token owner's chats only, with no replay. While
 * any socket is open, a timer advances the store and diffs each chat against what was last sent,
 * so changes reach watchers without any request. `drop()` closes every socket (tests).
 */
import type { ChatRec, ChatStore } from "./store.ts";
import { chatWire } from "./wire.ts";

/** How often watchers are brought up to date (ms). */
const SCAN_MS = 50;

/** The watch sockets of one simulated deployment. */
export class ChatWatchHub {
  readonly #store: ChatStore;
  readonly #tick: () => void;
  readonly #sockets = new Set<WebSocket>();
  #timer?: ReturnType<typeof setInterval>;
  #seen = new Map<string, string>();
  /** Sockets accepted so far. */
  accepted = 0;

  constructor(store: ChatStore, tick: () => void) {
    this.#store = store;
    this.#tick = tick;
  }

  /** Open sockets now. */
  get open(): number {
    return this.#sockets.size;
  }

  /** Upgrade a request to a watch socket. */
  accept(req: Request): Response {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response(JSON.stringify({ message: "Expected a WebSocket upgrade." }), {
        status: 400,
        headers: { "content-type": "application/json" },
      });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    this.accepted++;
    socket.onopen = () => {
      this.#sockets.add(socket);
      if (this.#sockets.size === 1) this.#start();
    };
    socket.onclose = () => this.#forget(socket);
    socket.onerror = () => this.#forget(socket);
    // One-way: whatever a client writes is ignored.
    socket.onmessage = () => {};
    return response;
  }

  /** Close every socket (a dropped connection, as a proxy or a restart would). */
  drop(): void {
    for (const s of [...this.#sockets]) {
      try {
        s.close(1012, "restarting");
      } catch {
        // already closing
      }
      this.#forget(s);
    }
  }

  /** Close everything (sim shutdown). */
  close(): void {
    this.drop();
  }

  #forget(s: WebSocket): void {
    this.#sockets.delete(s);
    if (this.#sockets.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #start(): void {
    this.#seen = new Map(this.#store.all.map((c) => [c.id, fingerprint(c)]));
    this.#timer = setInterval(() => this.#scan(), SCAN_MS);
  }

  #scan(): void {
    this.#tick();
    const me = this.#store.world.me;
    for (const c of this.#store.all) {
      const fp = fingerprint(c);
      const before = this.#seen.get(c.id);
      if (before === fp) continue;
      this.#seen.set(c.id, fp);
      if (c.owner !== me) continue; // the watch carries only the token owner's chats
      const was = before?.split("\u0000");
      const kind = was === undefined
        ? "created"
        : was[0] !== c.status
        ? "status_change"
        : was[2] !== c.title
        ? "title_change"
        : was[5] !== prKey(c)
        ? "diff_status_change"
        : "summary_change";
      this.#send({ kind, chat: chatWire(this.#store.world, c) });
    }
  }

  #send(frame: unknown): void {
    const text = JSON.stringify(frame);
    for (const s of this.#sockets) {
      if (s.readyState === WebSocket.OPEN) s.send(text);
    }
  }
}

function fingerprint(c: ChatRec): string {
  return [c.status, c.archived, c.title, c.summary, c.updatedAt, prKey(c)].join("\u0000");
}

function prKey(c: ChatRec): string {
  return c.pr ? `${c.pr.number}/${c.pr.state}` : "";
}
