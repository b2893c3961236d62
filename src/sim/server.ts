/**
 * The simulated Coder deployment used by tests, benchmarks and `--demo`: a `Deno.serve` on
 * 127.0.0.1 (behind a TCP front that can refuse and reset connections, with `tcpFaults`), with
 * token auth, Coder's
 * error shapes, a per-route rate limit, injectable faults (faults.ts) and latency, a decoy origin
 * for redirects, a request log, and ground-truth helpers.
 */
import type { Sim, SimOptions, SimRequest } from "./api.ts";
import { ChatRoutes } from "./chats/routes.ts";
import { visible } from "./chats/access.ts";
import { makePr, seedChats } from "./chats/seeding.ts";
import { ChatStore } from "./chats/store.ts";
import { ChatWatchHub } from "./chats/watch.ts";
import { aiGatewayOff, needsAiGateway } from "./chats/gateway.ts";
import { chatWire } from "./chats/wire.ts";
import { SimClock } from "./clock.ts";
import { FORWARDED_HEADER, startDecoy } from "./decoy.ts";
import { buildWorld, type Profile } from "./deployment.ts";
import { registerDeployment } from "./deployment_routes.ts";
import { type ActiveFault, actsFirst, faultAnswer, FaultTable, kindOf, stalled } from "./faults.ts";
import { TcpFront } from "./front.ts";
import { coderError, HttpAnswer, routeNotFound } from "./http.ts";
import { CODER_RATE_LIMIT, RateLimiter } from "./ratelimit.ts";
import { Router } from "./router.ts";
import { TaskRoutes } from "./tasks/routes.ts";
import { TaskStore } from "./tasks/store.ts";
import { taskWire } from "./tasks/wire.ts";
import { startChurn } from "./churn.ts";
import { registerSpend } from "./spend.ts";
import { chatPr, chatReason, chatState, taskReason, taskState } from "./truth.ts";
import { released, Rng, sleep } from "./util.ts";

export type {
  Decoy,
  DecoyRequest,
  FaultKind,
  Sim,
  SimFault,
  SimOptions,
  SimRequest,
} from "./api.ts";

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
  const clock = new SimClock(opts.frozen === true);
  const world = buildWorld(profile, users, rng.fork(), pace, clock);
  // Tasks is gone from v2.38 on: the current profile serves chats only.
  const hasTasks = profile !== "chats" && profile !== "current";
  const hasChats = profile !== "tasks";
  const tasks = new TaskStore(world, rng.fork());
  const chats = new ChatStore(world, rng.fork());
  if (hasTasks) tasks.seed(opts.tasks ?? 20);
  if (hasChats) seedChats(chats, chats.rng, opts.chats ?? 20);

  const router = new Router();
  registerDeployment(router, world);
  // The chat watch: current profile only.
  const chatWatch = profile === "current"
    ? new ChatWatchHub(chats, () => chats.tick(clock.now()))
    : undefined;
  const serveTasks = (prefix: string) => new TaskRoutes(tasks).register(router, prefix);
  const serveChats = (prefix: string) => new ChatRoutes(chats, chatWatch).register(router, prefix);
  if (profile === "old") {
    serveTasks("/api/experimental");
    serveChats("/api/experimental");
  } else if (profile === "current") {
    serveChats("/api/v2"); // the experimental chat mounts are gone
    registerSpend(router, world, chats); // the AI Gateway reports spend
  } else {
    if (hasTasks) serveTasks("/api/v2");
    if (hasChats) {
      serveChats("/api/v2");
      serveChats("/api/experimental");
    }
  }

  const requests: SimRequest[] = [];
  const stoppers: (() => void)[] = [];
  const faults = new FaultTable();
  let latency = opts.latencyMs ?? 0;
  let aiGateway = true;
  const limiter = new RateLimiter(opts.rateLimit ?? CODER_RATE_LIMIT);
  const closing = new AbortController();
  const tick = () => {
    const now = clock.now();
    tasks.tick(now);
    chats.tick(now);
  };

  const common = (res: Response): Response => {
    res.headers.set("X-Coder-Build-Version", world.version);
    if (limiter.limit > 0) res.headers.set("X-Ratelimit-Limit", String(limiter.limit));
    return res;
  };

  const handle = async (req: Request, url: URL): Promise<Response> => {
    if (latency > 0) await sleep(latency, closing.signal);
    const path = url.pathname;
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
    const limited = limiter.check(key);
    if (limited) return limited;
    tick();
    if (!aiGateway && needsAiGateway(req.method, match.template)) return aiGatewayOff();
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

  /** Carry out a fault; undefined when the connection was reset (nothing to answer). */
  const applyFault = async (
    f: ActiveFault,
    req: Request,
    url: URL,
    peerPort: number,
  ): Promise<Response | undefined> => {
    const kind = kindOf(f);
    const stop = [f.release.signal, closing.signal];
    if (f.delayMs) await sleep(f.delayMs, ...stop);
    if (kind === "hang") await released(...stop);
    if (kind === "delay" || kind === "hang") return await handle(req, url);
    const real = actsFirst(f) ? await handle(req, url) : undefined;
    if (kind === "reset") {
      await real?.body?.cancel();
      front!.reset(peerPort);
      return undefined;
    }
    if (kind === "stall") {
      return await stalled(common(real ?? await handle(req, url)), ...stop);
    }
    await real?.body?.cancel();
    return faultAnswer(f, {
      pathAndQuery: url.pathname + url.search,
      decoyUrl: decoy.url,
      givenToken: req.headers.get("Coder-Session-Token") ?? "",
    });
  };

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: opts.tcpFaults ? 0 : opts.port ?? 0,
    onListen() {},
  }, async (req, info) => {
    const url = new URL(req.url);
    const rec: SimRequest = {
      method: req.method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      status: 0,
      at: Date.now(),
    };
    requests.push(rec);
    const forwarded = req.headers.get(FORWARDED_HEADER) === "1";
    if (forwarded) rec.forwarded = true;
    const fault = forwarded ? undefined : faults.take(req.method, url.pathname);
    let res: Response | undefined;
    if (fault) {
      rec.fault = kindOf(fault);
      res = await applyFault(fault, req, url, (info.remoteAddr as Deno.NetAddr).port);
      if (!res) return new Response(null, { status: 204 }); // the connection is gone
    } else {
      res = await handle(req, url);
    }
    rec.status = res.status;
    opts.onAnswered?.(rec);
    // A WebSocket upgrade answer goes out as Deno made it.
    return rec.fault === "stall" || res.status === 101 ? res : common(res);
  });
  const serverPort = (server.addr as Deno.NetAddr).port;
  const front = opts.tcpFaults ? new TcpFront(serverPort) : undefined;
  front?.listen(opts.port ?? 0);
  const simUrl = `http://127.0.0.1:${front?.port ?? serverPort}`;
  const needFront = (what: string): TcpFront => {
    if (!front) throw new Error(`sim: ${what} needs startSim({ tcpFaults: true })`);
    return front;
  };
  world.dashboard = simUrl;
  const decoy = startDecoy(() => `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`);

  const truth = () => {
    tick();
    const by_state: Record<string, number> = {};
    const by_kind = { task: 0, chat: 0 };
    const by_id: Record<string, string> = {};
    const waiting_for: Record<string, string | null> = {};
    const pr: Record<string, string | null> = {};
    const now = clock.now();
    const count = (id: string, s: string, reason: string | null, prState: string | null) => {
      by_state[s] = (by_state[s] ?? 0) + 1;
      by_id[id] = s;
      waiting_for[id] = reason;
      pr[id] = prState;
    };
    if (hasTasks) {
      for (const t of tasks.all) {
        const s = taskState(taskWire(world, t), now);
        count(t.id, s, taskReason(s), null);
        by_kind.task++;
      }
    }
    if (hasChats) {
      for (const c of chats.all) {
        // The fleet's chats: what the caller may see (v2.39: its own and those shared with it).
        if (c.archived || !visible(world, c)) continue;
        const raw = chatWire(world, c, true);
        count(c.id, chatState(raw), chatReason(raw), chatPr(raw));
        by_kind.chat++;
      }
    }
    return { total: by_kind.task + by_kind.chat, by_state, by_kind, by_id, waiting_for, pr };
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
      if (f.kind === "reset") needFront("a reset fault");
      return faults.add(route, f);
    },
    clearFaults() {
      faults.clear();
    },
    refuse() {
      return needFront("refuse()").refuse();
    },
    restore() {
      needFront("restore()").restore();
    },
    decoy,
    setLatency(ms) {
      latency = ms;
    },
    clock,
    truth,
    setTask(id, patch) {
      tick();
      tasks.set(id, patch);
    },
    setChat(id, patch) {
      tick();
      const { pr, ...rest } = patch;
      chats.set(id, rest);
      const c = chats.get(id)!;
      if (pr !== undefined) c.pr = pr === null ? null : makePr(c.rng, pr, clock.now());
    },
    setAiGateway(enabled) {
      aiGateway = enabled;
    },
    setModel(ref, patch) {
      const lower = ref.toLowerCase();
      const m = world.models.find((x) =>
        x.id === lower || x.model === ref || x.display_name.toLowerCase() === lower
      );
      if (!m) throw new Error(`sim: no chat model ${ref}`);
      if (patch.enabled !== undefined) m.enabled = patch.enabled;
    },
    taskIds() {
      tick();
      return tasks.all.map((t) => t.id);
    },
    chatIds(scope = "fleet") {
      tick();
      const me = world.me;
      return chats.all.filter((c) => {
        if (c.archived) return false;
        switch (scope) {
          case "own":
            return c.owner === me;
          case "shared":
            return c.owner !== me && visible(world, c);
          case "hidden":
            return !visible(world, c);
          default:
            return visible(world, c);
        }
      }).map((c) => c.id);
    },
    task(id) {
      tick();
      const t = tasks.get(id);
      return t ? taskWire(world, t) : undefined;
    },
    chat(id) {
      tick();
      const c = chats.get(id);
      return c ? chatWire(world, c, true) : undefined;
    },
    chatMessages(id) {
      tick();
      return chats.get(id)?.messages.length ?? 0;
    },
    watch: {
      open: () => chatWatch?.open ?? 0,
      accepted: () => chatWatch?.accepted ?? 0,
      drop: () => chatWatch?.drop(),
    },
    receipts() {
      return [...chats.receipts.keys()];
    },
    churn(everyMs, target) {
      const stop = startChurn(chats, rng.fork(), {
        everyMs,
        target: target ?? chats.all.filter((c) => !c.archived).length,
        tick,
      });
      stoppers.push(stop);
      return stop;
    },
    close() {
      if (!closed) {
        for (const stop of stoppers) stop();
        chatWatch?.close();
        closing.abort();
        faults.clear();
        closed = Promise.all([front?.close(), server.shutdown(), decoy.close()]).then(() => {});
      }
      return closed;
    },
  };
}
