/**
 * The simulated Coder deployment used by tests, benchmarks and `--demo`: one `Deno.serve` on
 * 127.0.0.1 with token auth, Coder's error shapes, a per-route rate limit, injectable faults and
 * latency, a request log, and ground-truth helpers.
 */
import { ChatStore } from "./chats.ts";
import { buildWorld, type Profile, registerDeployment } from "./deployment.ts";
import { coderError, HttpAnswer, json, routeNotFound } from "./http.ts";
import { Router } from "./router.ts";
import { TaskStore } from "./tasks.ts";
import { chatState, taskState } from "./truth.ts";
import { Rng, sleep } from "./util.ts";

/** Options of {@link startSim}. */
export interface SimOptions {
  /**
   * Which Coder to imitate (default "tasks"). old = v2.27-like: only /api/experimental/tasks and
   * /api/experimental/chats, buildinfo v2.27.1, 502 on busy send, plain-string ids,
   * WorkspaceStatus words in task status, no snapshot fields.
   */
  profile?: "tasks" | "chats" | "both" | "old";
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
}

/** One served request. */
export interface SimRequest {
  /** HTTP method. */
  method: string;
  /** URL path (no query). */
  path: string;
  /** Raw query string without the `?` (empty when none). */
  query: string;
  /** Status answered. */
  status: number;
  /** When the request arrived (epoch ms). */
  at: number;
}

/** A fault to inject. */
export interface SimFault {
  /** Answer this status (with `body`); without it the request only hangs `delayMs`. */
  status?: number;
  /** How many matching requests to affect (default Infinity). */
  times?: number;
  /** Error body (default `{message:"Internal error."}`). */
  body?: unknown;
  /** Hang this long first. */
  delayMs?: number;
  /** `Retry-After` header value, in seconds. */
  retryAfter?: number;
  /** Only requests with this method. */
  method?: string;
}

/** A running simulated Coder. */
export interface Sim {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** The session token the sim accepts. */
  token: string;
  /** The token's user (the first of `users`). */
  username: string;
  /** Every request served, in order. */
  requests: SimRequest[];
  /** Empty the request log. */
  clearRequests(): void;
  /**
   * Inject: the next `times` (default Infinity) matching requests (path matched by regex or exact
   * string; optional method) answer `status` with Coder error `body` (default
   * {message:"Internal error."}), or hang `delayMs` first.
   */
  fault(route: RegExp | string, f: SimFault): void;
  /** Remove every fault. */
  clearFaults(): void;
  /** Add `ms` to every response from now on. */
  setLatency(ms: number): void;
  /** Ground truth with DESIGN.md's normalized state mapping (archived chats excluded). */
  truth(): {
    total: number;
    by_state: Record<string, number>;
    by_kind: { task: number; chat: number };
  };
  /**
   * Force a task's status (TaskStatus or WorkspaceStatus word) and/or `current_state`
   * (`state: null` clears it). Timers restart from the new state.
   */
  setTask(id: string, patch: { status?: string; state?: string | null; message?: string }): void;
  /** Force a chat's status, archived flag, or `last_turn_summary` (`summary`). */
  setChat(id: string, patch: { status?: string; archived?: boolean; summary?: string }): void;
  /** Ids of live (not deleted) tasks, in creation order. */
  taskIds(): string[];
  /** Ids of the fleet's chats (archived excluded, like the default list), in creation order. */
  chatIds(): string[];
  /** Raw wire object of a task. */
  task(id: string): unknown;
  /** Raw wire object of a chat. */
  chat(id: string): unknown;
  /** Stop serving (hanging requests are released first). */
  close(): Promise<void>;
}

/** Requests per minute per user per route. */
const RATE_LIMIT = 512;

interface Fault extends SimFault {
  route: RegExp | string;
  left: number;
}

/** Start a simulated Coder (listening once the promise resolves). */
export function startSim(opts: SimOptions = {}): Promise<Sim> {
  try {
    return Promise.resolve(createSim(opts));
  } catch (err) {
    return Promise.reject(err);
  }
}

function createSim(opts: SimOptions): Sim {
  const profile: Profile = opts.profile ?? "tasks";
  const rng = new Rng(opts.seed ?? 1);
  const pace = opts.pace && opts.pace > 0 ? opts.pace : 1;
  const users = opts.users && opts.users.length > 0
    ? opts.users
    : ["admin", "alice", "bob", "carol"];
  const token = opts.token ?? `sim-${crypto.randomUUID().replaceAll("-", "")}`;
  const world = buildWorld(profile, users, rng.fork(), pace);
  const hasTasks = profile !== "chats";
  const hasChats = profile !== "tasks";
  const tasks = new TaskStore(world, rng.fork());
  const chats = new ChatStore(world, rng.fork());
  if (hasTasks) tasks.seed(opts.tasks ?? 20);
  if (hasChats) chats.seed(opts.chats ?? 20);

  const router = new Router();
  registerDeployment(router, world);
  if (profile === "old") {
    tasks.register(router, "/api/experimental");
    chats.register(router, "/api/experimental");
  } else {
    if (hasTasks) tasks.register(router, "/api/v2");
    if (hasChats) {
      chats.register(router, "/api/v2");
      chats.register(router, "/api/experimental");
    }
  }

  const requests: SimRequest[] = [];
  let faults: Fault[] = [];
  let latency = opts.latencyMs ?? 0;
  const limits = new Map<string, { start: number; count: number }>();
  const closing = new AbortController();
  const tick = () => {
    const now = Date.now();
    tasks.tick(now);
    chats.tick(now);
  };

  const common = (res: Response): Response => {
    res.headers.set("X-Coder-Build-Version", world.version);
    res.headers.set("X-Ratelimit-Limit", String(RATE_LIMIT));
    return res;
  };

  const handle = async (req: Request, url: URL): Promise<Response> => {
    if (latency > 0) await sleep(latency, closing.signal);
    const path = url.pathname;
    const fault = faults.find((f) =>
      f.left > 0 && (!f.method || f.method.toUpperCase() === req.method) &&
      (typeof f.route === "string" ? f.route === path : f.route.test(path))
    );
    if (fault) {
      fault.left--;
      if (fault.delayMs) await sleep(fault.delayMs, closing.signal);
      if (fault.status) {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers["Retry-After"] = String(fault.retryAfter);
        return json(fault.status, fault.body ?? { message: "Internal error." }, headers);
      }
    }
    const match = router.match(req.method, path);
    if (match.kind === "none") return routeNotFound();
    if (match.kind === "method") return coderError(405, "Method not allowed.");
    const anonymous = req.method === "GET" && path === "/api/v2/buildinfo";
    const given = req.headers.get("Coder-Session-Token");
    if (!anonymous && given !== token) {
      return coderError(
        401,
        "You must be logged in to use this endpoint.",
        given
          ? "The session token is invalid or has expired."
          : `Cookie "coder_session_token" or header "Coder-Session-Token" must be provided.`,
      );
    }
    const key = `${anonymous && given !== token ? "anon" : "user"} ${req.method} ${match.template}`;
    const now = Date.now();
    let bucket = limits.get(key);
    if (!bucket || now - bucket.start >= 60_000) {
      bucket = { start: now, count: 0 };
      limits.set(key, bucket);
    }
    bucket.count++;
    if (bucket.count > RATE_LIMIT) {
      const wait = Math.max(1, Math.ceil((bucket.start + 60_000 - now) / 1000));
      return coderError(
        429,
        `You've been rate limited for sending more than ${RATE_LIMIT} requests in 1m0s.`,
        undefined,
        undefined,
        { "Retry-After": String(wait) },
      );
    }
    tick();
    try {
      return await match.handler({
        req,
        params: match.params,
        query: url.searchParams,
        template: match.template,
      });
    } catch (err) {
      if (err instanceof HttpAnswer) return err.response;
      return coderError(500, "Internal error.", String(err));
    }
  };

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: opts.port ?? 0,
    onListen() {},
  }, async (req) => {
    const url = new URL(req.url);
    const at = Date.now();
    const res = common(await handle(req, url));
    requests.push({
      method: req.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      status: res.status,
      at,
    });
    return res;
  });
  const addr = server.addr as Deno.NetAddr;
  const simUrl = `http://127.0.0.1:${addr.port}`;
  world.dashboard = simUrl;

  const truth = () => {
    tick();
    const by_state: Record<string, number> = {};
    const by_kind = { task: 0, chat: 0 };
    const now = Date.now();
    const count = (s: string) => (by_state[s] = (by_state[s] ?? 0) + 1);
    if (hasTasks) {
      for (const t of tasks.all) {
        count(taskState(tasks.wire(t), now));
        by_kind.task++;
      }
    }
    if (hasChats) {
      for (const c of chats.all) {
        if (c.archived) continue;
        count(chatState(chats.wire(c)));
        by_kind.chat++;
      }
    }
    return { total: by_kind.task + by_kind.chat, by_state, by_kind };
  };

  let closed: Promise<void> | undefined;
  return {
    url: simUrl,
    token,
    username: world.me.username,
    requests,
    clearRequests() {
      requests.length = 0;
    },
    fault(route, f) {
      faults.push({ ...f, route, left: f.times ?? Infinity });
    },
    clearFaults() {
      faults = [];
    },
    setLatency(ms) {
      latency = ms;
    },
    truth,
    setTask(id, patch) {
      tick();
      tasks.set(id, patch);
    },
    setChat(id, patch) {
      tick();
      chats.set(id, patch);
    },
    taskIds() {
      tick();
      return tasks.all.map((t) => t.id);
    },
    chatIds() {
      tick();
      return chats.all.filter((c) => !c.archived).map((c) => c.id);
    },
    task(id) {
      tick();
      const t = tasks.get(id);
      return t ? tasks.wire(t) : undefined;
    },
    chat(id) {
      tick();
      const c = chats.get(id);
      return c ? chats.wire(c) : undefined;
    },
    close() {
      if (!closed) {
        closing.abort();
        closed = server.shutdown();
      }
      return closed;
    },
  };
}
