/**
 * Soak: many tool calls over one stdio connection against a large simulated fleet (its own
 * process, `bench/sim_process.ts`), to see that the server stays correct, quick and bounded in
 * memory. Not part of CI.
 *
 *   deno task bench:memory     # the memory soak: 10,000 reads at 1000 agents, one at a time
 *   deno task soak             # every tool, 16 at a time (SOAK_MIX=all SOAK_CONCURRENCY=16)
 *   SOAK_CALLS=2000 SOAK_V8_FLAGS="--max-old-space-size=256" deno task bench:memory
 *   SOAK_V8_SETS="|--max-old-space-size=256|--max-semi-space-size=4" deno task bench:memory
 *   SOAK_BASELINE=/tmp/old-checkout deno task bench:memory   # beside an older commit's server
 *   SOAK_AGENTS=20000 SOAK_CALLS=0 deno task soak   # only the concurrent-waits phase, 20,000 agents
 *
 * Mixes: `read` (what the memory target of issue 8 is measured on: fleet_overview and
 * list_agents 45% each, get_agent by UUID 10%) and `all` (the eleven tools, writes mostly
 * dry-run, waits never waiting, so the fleet stays about the same size).
 *
 * RSS is read from /proc every 100 calls (and every 250 ms for the peak); "steady" is the median
 * of the second half's samples. Latency p50/p99 per tool. `SOAK_V8_SETS` starts one server per
 * flag set (`|`-separated; an empty set is V8's defaults), all on one sim, and sends each call of
 * one seeded sequence to every server in turn (interleaved: a change of machine load touches every
 * set alike), then prints one table: what each set costs in latency beside what it saves in
 * memory.
 * Writes bench/results/soak.json (read by `deno task bench:readme`).
 *
 * Then the concurrent-waits phase (`deno task soak` runs it; `SOAK_WAITS=0` skips it): on each
 * server in turn, `SOAK_WAITS` whole-fleet `wait_for_agents` at once (default 1,000, or 100 above
 * 5,000 agents), each for `SOAK_WAIT_S` seconds (default 10), with the server's own poll interval:
 * RSS before, steady (median of the samples while the waits run) and peak, how many waits ended,
 * timed out, were refused ("too many concurrent waits") or failed otherwise, and whether the
 * server survived (issue 17: 600 such waits on 1,000 agents ran a 512 MiB heap out of memory).
 *
 * The sim's own 512-a-minute limit is off, and the server's limiter is raised to 10,000 a minute
 * per route: this measures the server, not Coder's rate limit.
 */
import { Client } from "@modelcontextprotocol/client";
import { connectServer } from "../tests/e2e/harness.ts";
import { Rng } from "../src/sim/util.ts";
import { startArgs } from "./cold_start.ts";
import { pidOf, rssMb } from "./fleet_bench.ts";
import { type SimProcess, startSimProcess } from "./sim_process.ts";

const env = (k: string) => Deno.env.get(k);
const CALLS = Number(env("SOAK_CALLS") ?? 10_000);
const AGENTS = Number(env("SOAK_AGENTS") ?? 1000);
const MIX = (env("SOAK_MIX") ?? "read") as "read" | "all";
const CONCURRENCY = Number(env("SOAK_CONCURRENCY") ?? (MIX === "all" ? 16 : 1));
const SETS = env("SOAK_V8_SETS")?.split("|") ?? [env("SOAK_V8_FLAGS") ?? ""];
/** Another checkout of this repository (an older commit, say), run beside the sets, as is. */
const BASELINE = env("SOAK_BASELINE");
/** The baseline server's V8 flags (default none). */
const BASELINE_FLAGS = env("SOAK_BASELINE_FLAGS") ?? "";
/** Whole-fleet waits sent at once in the concurrent-waits phase (0: no such phase). */
const WAITS = Number(env("SOAK_WAITS") ?? (MIX === "all" ? (AGENTS > 5000 ? 100 : 1000) : 0));
/** How long each of those waits waits (s). */
const WAIT_S = Number(env("SOAK_WAIT_S") ?? 10);

/** The figures of the concurrent-waits phase on one server. */
export interface WaitsPhase {
  waits: number;
  timeout_s: number;
  /** Ended because something settled. */
  done: number;
  timed_out: number;
  /** Refused by the server's cap on concurrent waits (a clean isError). */
  refused: number;
  /** Any other isError, or a call that threw (the server died, say). */
  errors: number;
  error_samples: string[];
  wall_s: number;
  rss_before_mb: number;
  /** Median of the samples taken while the waits ran. */
  rss_steady_mb: number;
  rss_peak_mb: number;
  /** The server still answered a call after the phase. */
  survived: boolean;
}

/** One soak's figures. */
export interface SoakResult {
  v8_flags: string;
  /** Set when this server ran from another checkout (SOAK_BASELINE). */
  baseline?: string;
  calls: number;
  errors: number;
  /** Errors by tool, with up to three samples each. */
  error_samples: Record<string, { count: number; samples: string[] }>;
  wall_s: number;
  rss_first_mb: number;
  /** Median of the second half's samples: the steady state. */
  rss_steady_mb: number;
  rss_max_mb: number;
  latency: Record<string, { n: number; p50: number; p99: number }>;
  load_average: number[];
  /** The concurrent-waits phase, when it ran. */
  waits?: WaitsPhase;
}

interface Ids {
  mine: string[];
  tasks: string[];
  chats: string[];
}

/** The fleet's ids, asked of the sim over HTTP (it is another process). */
async function fleetIds(sim: SimProcess): Promise<Ids> {
  const headers = { "Coder-Session-Token": sim.token };
  const get = async (p: string) => await (await fetch(sim.url + p, { headers })).json();
  const me = await get("/api/v2/users/me");
  const { tasks } = await get("/api/v2/tasks") as { tasks: { id: string; owner_name: string }[] };
  const chats = await get("/api/v2/chats") as { id: string }[];
  return {
    mine: tasks.filter((t) => t.owner_name === me.username).map((t) => t.id),
    tasks: tasks.map((t) => t.id),
    chats: chats.map((c) => c.id),
  };
}

type Call = { name: string; args: Record<string, unknown> };

/** The call sequence: the same for every flag set (seeded). */
function callMaker(ids: Ids): () => Call {
  const rng = new Rng(42);
  if (MIX === "read") {
    let i = 0;
    return () => {
      const k = i++ % 20;
      return k < 9
        ? { name: "fleet_overview", args: {} }
        : k < 18
        ? { name: "list_agents", args: { state: ["idle"], limit: 50 } }
        : { name: "get_agent", args: { agent: ids.mine[i % ids.mine.length] } };
    };
  }
  const all = [...ids.tasks, ...ids.chats];
  const mix: [number, string, () => Record<string, unknown>][] = [
    [15, "fleet_overview", () => (rng.chance(0.3) ? { kind: rng.pick(["task", "chat"]) } : {})],
    [25, "list_agents", () => {
      const args: Record<string, unknown> = { limit: rng.pick([10, 50, 200]) };
      if (rng.chance(0.4)) args.state = [rng.pick(["idle", "working", "complete", "paused"])];
      if (rng.chance(0.2)) args.owner = rng.pick(["admin", "alice", "bob", "carol"]);
      if (rng.chance(0.2)) args.kind = rng.pick(["task", "chat"]);
      return args;
    }],
    [20, "get_agent", () => ({ agent: rng.pick(all) })],
    [10, "get_logs", () => ({ agent: rng.pick(all), limit: 20 })],
    [3, "list_templates", () => ({})],
    [7, "wait_for_agents", () => ({
      agents: Array.from({ length: rng.int(1, 20) }, () => rng.pick(all)),
      timeout_s: 0,
    })],
    [8, "send_input", () => ({
      agents: Array.from({ length: rng.int(1, 5) }, () => rng.pick(all)),
      input: "Status update, please.",
      if_busy: rng.pick(["fail", "queue"]),
      wait_s: 0,
    })],
    [4, "stop_agents", () => ({ agents: [rng.pick(all)], dry_run: rng.chance(0.9) })],
    [2, "resume_agents", () => ({ agents: [rng.pick(ids.tasks)] })],
    [3, "create_task", () => ({ prompt: "Soak: write a test.", kind: rng.pick(["task", "chat"]) })],
    [3, "delete_agents", () => ({ agents: [rng.pick(all)], dry_run: true })],
  ];
  const total = mix.reduce((n, [w]) => n + w, 0);
  return () => {
    let x = rng.next() * total;
    for (const [w, name, make] of mix) if ((x -= w) < 0) return { name, args: make() };
    return { name: "fleet_overview", args: {} };
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

/**
 * Run the soak on one server per flag set (empty: V8's defaults), all against one sim, the calls
 * interleaved: call i goes to every server in turn before call i+1, so a change of machine load
 * touches every flag set alike.
 */
export async function soak(
  sets: string[],
  calls = CALLS,
  baseline = BASELINE,
): Promise<SoakResult[]> {
  const tasks = Math.round(AGENTS * 0.6);
  const sim = await startSimProcess({ tasks, chats: AGENTS - tasks, seed: 11, rateLimit: 0 });
  const clients: Client[] = [];
  try {
    const ids = await fleetIds(sim);
    const servers = [
      ...sets.map((flags) => ({ flags, cwd: undefined as string | undefined })),
      ...(baseline ? [{ flags: BASELINE_FLAGS, cwd: baseline }] : []),
    ];
    for (const { flags, cwd } of servers) {
      // The set's flags replace the start task's own (an empty set is V8's defaults).
      const args = (await startArgs()).filter((a) => !a.startsWith("--v8-flags="));
      if (flags) args.splice(1, 0, `--v8-flags=${flags}`);
      const { client } = await connectServer({
        args,
        cwd,
        env: {
          CODER_URL: sim.url,
          CODER_SESSION_TOKEN: sim.token,
          CODER_FLEET_RATE_LIMIT: "10000",
          CODER_FLEET_POLL_MS: env("SOAK_POLL_MS") ?? "200",
        },
      });
      clients.push(client);
    }
    const next = callMaker(ids);
    const sequence = Array.from({ length: calls }, next);
    const pids = clients.map(pidOf);
    const per = servers.map(() => ({
      times: {} as Record<string, number[]>,
      errors: {} as SoakResult["error_samples"],
      rss: [] as number[],
      peak: 0,
    }));
    const note = (k: number, name: string, what: string) => {
      const e = per[k].errors[name] ??= { count: 0, samples: [] };
      e.count++;
      const s = what.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").slice(0, 160);
      if (e.samples.length < 3 && !e.samples.includes(s)) e.samples.push(s);
    };
    const sampler = setInterval(async () => {
      for (const [k, pid] of pids.entries()) {
        per[k].peak = Math.max(per[k].peak, await rssMb(pid).catch(() => 0));
      }
    }, 250);
    const t0 = performance.now();
    let started = 0;
    let done = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (started < calls) {
        const { name, args } = sequence[started++];
        for (const [k, c] of clients.entries()) {
          const t = performance.now();
          try {
            const r = await c.callTool({ name, arguments: args }, { timeout: 120_000 });
            if (r.isError) {
              // deno-lint-ignore no-explicit-any
              note(k, name, (r.content as any[]).map((x) => x.text ?? "").join(" "));
            }
          } catch (err) {
            note(k, name, `threw: ${String(err)}`);
          }
          (per[k].times[name] ??= []).push(performance.now() - t);
        }
        if (++done % 100 === 0) {
          for (const [k, pid] of pids.entries()) per[k].rss.push(await rssMb(pid));
        }
        if (done % 1000 === 0) {
          console.error(`${done} calls, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        }
      }
    }));
    const wall = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const waits: (WaitsPhase | undefined)[] = [];
    for (const [k, c] of clients.entries()) {
      waits.push(WAITS > 0 ? await concurrentWaits(c, pids[k], WAITS, WAIT_S) : undefined);
    }
    return servers.map(({ flags, cwd }, k) => {
      const p = per[k];
      const latency: SoakResult["latency"] = {};
      for (const [t, xs] of Object.entries(p.times).sort(([a], [b]) => a.localeCompare(b))) {
        latency[t] = { n: xs.length, p50: pct(xs, 0.5), p99: pct(xs, 0.99) };
      }
      return {
        v8_flags: flags,
        ...(cwd ? { baseline: cwd } : {}),
        calls,
        errors: Object.values(p.errors).reduce((n, e) => n + e.count, 0),
        error_samples: p.errors,
        wall_s: wall,
        rss_first_mb: p.rss[0] ?? NaN,
        rss_steady_mb: pct(p.rss.slice(Math.floor(p.rss.length / 2)), 0.5),
        rss_max_mb: Math.max(p.peak, ...p.rss),
        latency,
        load_average: Deno.loadavg(),
        ...(waits[k] ? { waits: waits[k] } : {}),
      };
    });
  } finally {
    for (const c of clients) await c.close();
    await sim.close();
  }
}

/**
 * `n` whole-fleet waits at once on one server, each for `timeoutS` seconds: what they cost in
 * memory, and how each ended.
 */
export async function concurrentWaits(
  client: Client,
  pid: number,
  n: number,
  timeoutS: number,
): Promise<WaitsPhase> {
  const rssBefore = await rssMb(pid).catch(() => NaN);
  const samples: number[] = [];
  let peak = rssBefore;
  const sampler = setInterval(async () => {
    const mb = await rssMb(pid).catch(() => NaN);
    if (Number.isFinite(mb)) {
      samples.push(mb);
      peak = Math.max(peak, mb);
    }
  }, 250);
  const out = { done: 0, timed_out: 0, refused: 0, errors: 0 };
  const samplesOf: string[] = [];
  const note = (s: string) => {
    out.errors++;
    const short = s.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").slice(0, 200);
    if (samplesOf.length < 3 && !samplesOf.includes(short)) samplesOf.push(short);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, async () => {
    try {
      const r = await client.callTool(
        { name: "wait_for_agents", arguments: { timeout_s: timeoutS } },
        { timeout: (timeoutS + 120) * 1000 },
      );
      // deno-lint-ignore no-explicit-any
      const text = (r.content as any[]).map((x) => x.text ?? "").join(" ");
      if (r.isError) {
        if (/too many concurrent/i.test(text)) out.refused++;
        else note(text);
        return;
      }
      // deno-lint-ignore no-explicit-any
      const data = r.structuredContent as any;
      if (data?.done) out.done++;
      else out.timed_out++;
    } catch (err) {
      note(`threw: ${String(err)}`);
    }
  }));
  const wall = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  let survived = true;
  try {
    const r = await client.callTool({ name: "fleet_overview", arguments: {} }, { timeout: 60_000 });
    survived = !r.isError;
  } catch {
    survived = false;
  }
  return {
    waits: n,
    timeout_s: timeoutS,
    ...out,
    error_samples: samplesOf,
    wall_s: wall,
    rss_before_mb: rssBefore,
    rss_steady_mb: pct(samples, 0.5),
    rss_peak_mb: Math.max(peak, ...samples),
    survived,
  };
}

if (import.meta.main) {
  const loadBefore = Deno.loadavg();
  const results = await soak(SETS);
  const tools = [...new Set(results.flatMap((r) => Object.keys(r.latency)))];
  if (CALLS > 0) {
    console.log(
      `\n## Soak: ${CALLS} calls (${MIX} mix, ${CONCURRENCY} at a time) at ${AGENTS} agents, ${
        results[0].wall_s.toFixed(0)
      } s, load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")} before, ${
        results[0].load_average.map((x) => x.toFixed(2)).join(" ")
      } after\n`,
    );
    console.log(
      `| V8 flags | RSS after 100 calls | steady | peak | ${
        tools.map((t) => `${t} p50 / p99`).join(" | ")
      } | errors |`,
    );
    console.log(`|---|---|---|---|${tools.map(() => "---|").join("")}---|`);
    for (const r of results) {
      const lat = tools.map((t) =>
        r.latency[t] ? `${r.latency[t].p50.toFixed(1)} / ${r.latency[t].p99.toFixed(1)} ms` : "-"
      );
      console.log(
        `| ${r.baseline ? `baseline ${r.baseline}, ` : ""}${
          r.v8_flags ? `\`${r.v8_flags}\`` : "(defaults)"
        } | ${r.rss_first_mb.toFixed(0)} MB | ${r.rss_steady_mb.toFixed(0)} MB | ${
          r.rss_max_mb.toFixed(0)
        } MB | ${lat.join(" | ")} | ${r.errors} |`,
      );
    }
  }
  if (results.some((r) => r.waits)) {
    const w0 = results.find((r) => r.waits)!.waits!;
    console.log(
      `\n## Concurrent waits: ${w0.waits} whole-fleet wait_for_agents at once, ${w0.timeout_s} s each, at ${AGENTS} agents\n`,
    );
    console.log(
      "| V8 flags | RSS before | steady | peak | done | timed out | refused | errors | survived | wall |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    for (const r of results) {
      const w = r.waits;
      if (!w) continue;
      console.log(
        `| ${r.baseline ? `baseline ${r.baseline}, ` : ""}${
          r.v8_flags ? `\`${r.v8_flags}\`` : "(defaults)"
        } | ${w.rss_before_mb.toFixed(0)} MB | ${w.rss_steady_mb.toFixed(0)} MB | ${
          w.rss_peak_mb.toFixed(0)
        } MB | ${w.done} | ${w.timed_out} | ${w.refused} | ${w.errors} | ${
          w.survived ? "yes" : "no"
        } | ${w.wall_s.toFixed(1)} s |`,
      );
      for (const s of w.error_samples) console.log(`  e.g. ${s}`);
    }
  }
  for (const r of results) {
    for (const [tool, e] of Object.entries(r.error_samples)) {
      console.log(`\n${r.v8_flags || "(defaults)"}: ${tool}: ${e.count} errors`);
      for (const s of e.samples) console.log(`  e.g. ${s}`);
    }
  }
  const dir = new URL("./results/", import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const out = new URL("soak.json", dir);
  await Deno.writeTextFile(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        agents: AGENTS,
        mix: MIX,
        concurrency: CONCURRENCY,
        load_average_before: loadBefore,
        results,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nWrote ${out.pathname}`);
}
