/**
 * The public face of the simulated Coder: its options, its request log and its control surface
 * (faults, latency, ground truth, test controls). server.ts implements it.
 */
import type { SimClock } from "./clock.ts";
import type { Decoy } from "./decoy.ts";
import type { FaultKind, SimFault } from "./faults.ts";

export type { SimClock } from "./clock.ts";
export type { Decoy, DecoyRequest } from "./decoy.ts";
export type { FaultKind, SimFault } from "./faults.ts";

/** Options of `startSim`. */
export interface SimOptions {
  /**
   * Which Coder to imitate (default "tasks"). old = v2.27-like: only /api/experimental/tasks and
   * /api/experimental/chats, buildinfo v2.27.1, 502 on busy send, plain-string ids,
   * WorkspaceStatus words in task status, no snapshot fields, no task pause or resume routes.
   * current = v2.39: chats only under /api/v2, org-scoped model configs in the v2.39 shape (flat
   * models with a default and a disabled one, a provider without an API key, an unsupported
   * provider; `model_config_id` checked as v2.39 does), `paused`, at most 5
   * chats running (the rest `queued_for_capacity`, derived on single-chat reads only), the
   * `status:` and `pr_status:` list filters, the chat watch WebSocket, request_id receipts on
   * create and send, and v2.39's rules of whose chats the caller sees and drives (its own, and
   * those shared with it; the other users' never; only the owner writes; 409 on archiving an
   * active chat): see `chats/access.ts`, `chats/list.ts` and `chats/writes.ts` for each
   * difference from the older profiles. chats = v2.37 (400 on `status:` and on a
   * comma-separated `source:`), both = v2.35, tasks = v2.34.
   */
  profile?: "tasks" | "chats" | "both" | "old" | "current";
  /** Seeded task count (default 20). */
  tasks?: number;
  /** Seeded chat count (default 0 for "tasks", 20 otherwise). */
  chats?: number;
  /** Usernames (default ["admin","alice","bob","carol"]); the token's user is the first. */
  users?: string[];
  /** Session token (default random). */
  token?: string;
  /** Deterministic PRNG seed (default 1). */
  seed?: number;
  /** Added to every response (default 0). */
  latencyMs?: number;
  /** Simulated time speed factor for state evolution (default 1; tests use larger). */
  pace?: number;
  /** Port (default 0: any free port); always binds 127.0.0.1. */
  port?: number;
  /**
   * Put a TCP front before the sim (default off), so it can refuse connections (`refuse()`) and
   * reset them (`reset` faults). It relays every byte in JavaScript: leave it off unless needed.
   */
  tcpFaults?: boolean;
  /** Requests per minute per user per route before 429 (default 512, Coder's; 0: no limit). */
  rateLimit?: number;
  /**
   * Start with the clock frozen (default false): nothing in the fleet moves until the test
   * advances `clock` (or unfreezes it). See {@link SimClock}.
   */
  frozen?: boolean;
  /** Called with each request once it is answered (the sim's CLI logs them with `--log`). */
  onAnswered?: (r: SimRequest) => void;
}

/** One request that reached the sim. */
export interface SimRequest {
  /** HTTP method. */
  method: string;
  /** URL path (no query), as received (not decoded). */
  path: string;
  /** Raw query string without the `?` (empty when none). */
  query: string;
  /** Status answered; 0 while unanswered, or when the connection was reset. */
  status: number;
  /** When the request arrived (epoch ms). */
  at: number;
  /** The fault that took it, if any. */
  fault?: FaultKind | "delay";
  /** True when the decoy forwarded it (a client followed a redirect to the decoy). */
  forwarded?: boolean;
}

/** A running simulated Coder. */
export interface Sim {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The session token the sim accepts. */
  token: string;
  /** The token's user (the first of `users`). */
  username: string;
  /** Every request received, in order of arrival (logged on arrival, status filled in later). */
  requests: SimRequest[];
  /** Empty the request log. */
  clearRequests(): void;
  /**
   * Inject a fault for requests whose path matches `route` (exact string or regex) and, when
   * given, `f.method`: see {@link SimFault} for the kinds (status bursts, 429 with Retry-After,
   * hang, stall, reset, malformed, wrong shape, oversized, HTML, redirect, revoke). Returns a
   * function that removes this fault alone (releasing what it holds), for tests that run
   * several faults at once on different routes.
   */
  fault(route: RegExp | string, f: SimFault): () => void;
  /** Remove every fault; hung and stalled requests are released. */
  clearFaults(): void;
  /**
   * Refuse connections: the listener closes and live connections break (until `restore`).
   * Needs `tcpFaults`.
   */
  refuse(): Promise<void>;
  /** Accept connections again on the same port (needs `tcpFaults`). */
  restore(): void;
  /** The other origin that redirect faults point at; it logs everything it receives. */
  decoy: Decoy;
  /** Add `ms` to every response from now on. */
  setLatency(ms: number): void;
  /**
   * The sim's clock (timestamps and paced changes; not the request log, which keeps real time).
   * `freeze()` it to compare a tool's answer with `truth()` at the same instant; `advance(ms)` it
   * to make minutes of agent work happen at once.
   */
  clock: SimClock;
  /**
   * Ground truth with DESIGN.md's normalized state mapping (archived chats excluded, and on the
   * current profile the chats the caller cannot see): counts, and each agent's state by id
   * (`by_id`), what it waits on (`waiting_for`) and its pull request's state (`pr`), to compare a
   * tool's answer agent by agent.
   */
  truth(): {
    total: number;
    by_state: Record<string, number>;
    by_kind: { task: number; chat: number };
    by_id: Record<string, string>;
    /** Each agent's `waiting_for` by id (DESIGN.md's table; null while busy or unknown). */
    waiting_for: Record<string, string | null>;
    /** Each agent's pull-request state by id (null: none). */
    pr: Record<string, string | null>;
  };
  /**
   * Force a task's status (TaskStatus or WorkspaceStatus word) and/or `current_state`
   * (`state: null` clears it). Timers restart from the new state.
   */
  setTask(id: string, patch: { status?: string; state?: string | null; message?: string }): void;
  /**
   * Force a chat's status, archived flag, `last_turn_summary` (`summary`), or pull request
   * (`pr`: a new one in that state, or null for none; served as `diff_status`).
   */
  setChat(
    id: string,
    patch: {
      status?: string;
      archived?: boolean;
      summary?: string;
      pr?: "draft" | "open" | "merged" | "closed" | null;
    },
  ): void;
  /**
   * Turn Coder's AI Gateway off (`false`) or on again: while off, every chat write and the chat
   * watch answer 503 "AI Gateway must be enabled for Coder Agents functionality." naming
   * `CODER_AI_GATEWAY_ENABLED` (reference 0); reads still work. On by default.
   */
  setAiGateway(enabled: boolean): void;
  /** Enable or disable a chat model config (by id, model name or display name). */
  setModel(ref: string, patch: { enabled?: boolean }): void;
  /** Ids of live (not deleted) tasks, in creation order. */
  taskIds(): string[];
  /**
   * Ids of chats (archived excluded, like the default list), in creation order: by default the
   * fleet's (those the caller can see); `own`: the caller's; `shared`: other users' shared with
   * it; `hidden`: other users' it never sees (current profile).
   */
  chatIds(scope?: "fleet" | "own" | "shared" | "hidden"): string[];
  /** Raw wire object of a task. */
  task(id: string): unknown;
  /** Raw wire object of a chat (as a single-chat read serves it), whoever may see it. */
  chat(id: string): unknown;
  /** Chat messages stored so far (all roles), to count what writes did. */
  chatMessages(id: string): number;
  /** The chat watch (current profile): sockets open now and accepted so far; `drop` closes all. */
  watch: { open(): number; accepted(): number; drop(): void };
  /** request_ids that got a receipt (current profile), in order. */
  receipts(): string[];
  /**
   * Keep the fleet living (as `--demo` does): every `everyMs` new work arrives, settled chats
   * get follow-ups, old settled ones are archived around `target` chats. Returns the stopper.
   */
  churn(everyMs: number, target?: number): () => void;
  /** Stop serving (hanging requests are released first). */
  close(): Promise<void>;
}
