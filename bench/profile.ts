/**
 * Where a fleet-wide answer's CPU goes, stage by stage, in one process: Coder's two lists are
 * fetched once from the simulated Coder, then each stage of `fleet_overview` is run on them many
 * times and its median reported.
 *
 *   deno run -A bench/profile.ts                 # 1000 agents (600 tasks, 400 chats)
 *   PROFILE_AGENTS=5000 deno run -A bench/profile.ts
 *
 * Stages (each includes the ones before it): `JSON.parse` of both bodies; validation and
 * normalisation of the items (the list schemas); the light summaries (state, owner, since) the
 * counts need; full agents for every item instead (what `list_agents` needs); the whole overview
 * handler on an in-process fleet whose list requests are answered from memory. Then a 2 s loop
 * of overview calls: calls per second, RSS and heap growth (garbage left behind).
 */
import { startSim } from "../src/sim/server.ts";
import { listTasks } from "../src/backends/tasks/api.ts";
import { listChats } from "../src/backends/chats/api.ts";
import { TasksBackend } from "../src/backends/tasks/backend.ts";
import { ChatsBackend } from "../src/backends/chats/backend.ts";
import { Fleet } from "../src/fleet/fleet.ts";
import { fleetOverview } from "../src/tools/fleet_overview.ts";
import type { CoderClient } from "../src/coder/http.ts";

const AGENTS = Number(Deno.env.get("PROFILE_AGENTS") ?? 1000);
const ROUNDS = Number(Deno.env.get("PROFILE_ROUNDS") ?? 40);

/** The median of `ROUNDS` timed runs of `fn` (after 5 unmeasured ones), in ms. */
async function median(fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

/** A client that answers the two list paths from memory, through the same parse code. */
function replayClient(real: CoderClient, bodies: Map<string, string>): CoderClient {
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === "get") {
        // deno-lint-ignore no-explicit-any
        return (path: string, schema: any) => {
          const key = path.split("?")[0];
          const body = bodies.get(key);
          if (body === undefined) {
            return Reflect.get(target, prop, receiver).call(target, path, schema);
          }
          const parsed = schema.safeParse(JSON.parse(body));
          if (!parsed.success) throw new Error(`replay ${key}: ${parsed.error.message}`);
          return Promise.resolve(parsed.data);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** The profile of one fleet size: stage name -> median ms per call. */
export async function profile(agents: number): Promise<Record<string, number>> {
  const tasks = Math.round(agents * 0.6);
  const sim = await startSim({ profile: "both", tasks, chats: agents - tasks, seed: 11 });
  try {
    const headers = { "Coder-Session-Token": sim.token };
    const text = async (p: string) => await (await fetch(sim.url + p, { headers })).text();
    const bodies = new Map([
      ["/api/v2/tasks", await text("/api/v2/tasks")],
      ["/api/v2/chats", await text("/api/v2/chats")],
    ]);
    const fleet = new Fleet({ url: sim.url, token: sim.token });
    const d = await fleet.deployment();
    const client = replayClient(fleet.client, bodies);
    const ctx = { client, dashboardUrl: sim.url, me: d.me, now: Date.now };
    const tb = new TasksBackend({ ...ctx, prefix: "/api/v2" });
    const cb = new ChatsBackend({ ...ctx, prefix: "/api/v2" });
    // Fleet with the replaying back ends: the handler's own cost, no I/O.
    d.backends.splice(0, d.backends.length, tb, cb);

    const out: Record<string, number> = {};
    out["JSON.parse"] = await median(() => {
      for (const b of bodies.values()) JSON.parse(b);
    });
    out["JSON.parse + validate + normalise"] = await median(async () => {
      await listTasks(client, "/api/v2");
      await listChats(client, "/api/v2");
    });
    out["+ summaries (what fleet_overview counts)"] = await median(async () => {
      await tb.summaries({});
      await cb.summaries({});
    });
    out["+ full agents (what list_agents filters)"] = await median(async () => {
      await tb.list({});
      await cb.list({});
    });
    const signal = new AbortController().signal;
    const progress = () => Promise.resolve();
    out["fleet_overview handler, whole"] = await median(() =>
      fleetOverview.handler({}, { fleet, signal, progress })
    );
    const before = Deno.memoryUsage();
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      await fleetOverview.handler({}, { fleet, signal, progress });
      calls++;
    }
    const after = Deno.memoryUsage();
    out["overview calls/s (2 s loop)"] = calls / 2;
    out["rss MB after loop"] = Math.round(after.rss / 1e6);
    out["heap MB growth in loop"] = Math.round((after.heapUsed - before.heapUsed) / 1e6);
    return out;
  } finally {
    await sim.close();
  }
}

if (import.meta.main) {
  const p = await profile(AGENTS);
  const tasks = Math.round(AGENTS * 0.6);
  console.log(`\n## Profile: ${AGENTS} agents (${tasks} tasks, ${AGENTS - tasks} chats)\n`);
  console.log("| stage | median |");
  console.log("|---|---|");
  for (const [k, v] of Object.entries(p)) {
    console.log(`| ${k} | ${k.includes("ms") || !/MB|calls/.test(k) ? `${v.toFixed(2)} ms` : v} |`);
  }
}
