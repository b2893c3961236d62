/**
 * The bench: every fleet-wide answer beside the raw Coder requests it stands on AND beside the
 * floor server (`floor_server.ts`: fetch and `JSON.parse` the same lists through the same SDK,
 * stdio and client), measured in the same run, samples interleaved, against the simulated Coder
 * over real HTTP on 127.0.0.1 with 20 ms of Coder latency.
 *
 *   deno task bench            # 100, 1,000, 5,000 and 20,000 agents; cold start; writes
 *                              # bench/results/latest.json
 *   deno task bench:check      # the same, then exits 1 when a target of issue 8 is missed
 *   BENCH_SIZES=1000 BENCH_N=20 COLD_N=3 BENCH_LATENCY_MS=20 deno task bench
 *
 * Figures: medians (and p95) per operation; ratio to the raw lists; the server's own work per
 * agent, (fleet_overview - floor) / agents; get_agent over its raw GET; cold start (one spawn);
 * the server's RSS after the 1,000-agent runs. The machine's load average is recorded with them:
 * on a shared machine, compare figures of one run, not across runs.
 */
import { connectServer } from "../tests/e2e/harness.ts";
import { type SimProcess, startSimProcess } from "./sim_process.ts";
import type { Client } from "@modelcontextprotocol/client";
import { coldStarts, startArgs } from "./cold_start.ts";
import { coldBreakdown } from "./cold_breakdown.ts";
import { V8_FLAGS } from "../scripts/compile.ts";
import { FLOOR_TOOL } from "./floor_server.ts";
import { type BenchFigures, judge } from "./targets.ts";

const env = (k: string) => Deno.env.get(k);
const SIZES = (env("BENCH_SIZES") ?? "100,1000,5000,20000").split(",").map(Number);
const REFERENCE = 1000;
const LATENCY = Number(env("BENCH_LATENCY_MS") ?? 20);
const COLD_N = Number(env("COLD_N") ?? 5);
const CHECK = Deno.args.includes("--check");

/** Samples per operation: fewer where one call takes long. */
function samplesFor(agents: number): number {
  const n = Number(env("BENCH_N") ?? 0);
  if (n > 0) return n;
  return agents <= 1000 ? 30 : agents <= 5000 ? 12 : 6;
}

interface Stats {
  median: number;
  p95: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95) };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** The RSS of a process, MB (Linux). */
export async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The pid of a connected stdio server. */
export function pidOf(client: Client): number {
  const pid = (client.transport as unknown as { pid?: number | null } | undefined)?.pid;
  if (!pid) throw new Error("no server pid");
  return pid;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const r = await client.callTool({ name, arguments: args }, { timeout: 300_000 });
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content).slice(0, 300)}`);
  return r;
}

/** One row of a size's table. */
interface Row {
  op: string;
  xs: number[];
  /** What it is compared with: raw, and for fleet-wide ones the floor. */
  raw?: number[];
  floor?: number[];
  note: string;
}

interface SizeResult {
  agents: number;
  rows: Row[];
  raw: Stats;
  floor: Stats;
  overview: Stats;
  getAgentOverRaw?: number;
  rss?: number;
  /** The same server started with the binary's V8 flags (scripts/compile.ts), reference only. */
  flagged?: { v8_flags: string; overview: Stats; rss: number };
}

/** The server and the floor server, both connected to `sim`. */
async function connectBoth(sim: SimProcess) {
  const serverEnv = {
    CODER_URL: sim.url,
    CODER_SESSION_TOKEN: sim.token,
    CODER_FLEET_RATE_LIMIT: "10000",
  };
  const server = await connectServer({ args: await startArgs(), env: serverEnv });
  const floor = await connectServer({
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env=CODER_URL,CODER_SESSION_TOKEN",
      new URL("./floor_server.ts", import.meta.url).pathname,
    ],
    env: serverEnv,
  });
  return { server, floor };
}

/** A task of the token's user (the sim's own process holds the fleet: asked over HTTP). */
async function ownTask(sim: SimProcess): Promise<string> {
  const headers = { "Coder-Session-Token": sim.token };
  const me = await (await fetch(`${sim.url}/api/v2/users/me`, { headers })).json();
  const { tasks } = await (await fetch(`${sim.url}/api/v2/tasks`, { headers })).json();
  const own =
    (tasks as { id: string; owner_name: string }[]).find((t) => t.owner_name === me.username) ??
      tasks[0];
  return own.id;
}

/** What one call sent to Coder: its request lines, sorted (status, method, path, query). */
export interface WireCheck {
  floor: string[];
  overview: string[];
  same: boolean;
}

/**
 * Do the floor and `fleet_overview` ask Coder for the same things? One call each (after warm-up
 * calls that do the detection), counted in the sim's own request log.
 */
async function wireCheck(agents: number): Promise<WireCheck> {
  const tasks = Math.round(agents * 0.6);
  const sim = await startSimProcess({ tasks, chats: agents - tasks, log: true });
  const { server, floor } = await connectBoth(sim);
  try {
    const once = async (fn: () => Promise<unknown>) => {
      sim.clearLog();
      await fn();
      // The log line is written once the answer is out: give the sim a moment to write it.
      await new Promise((r) => setTimeout(r, 200));
      return sim.log().sort();
    };
    const overview = () => call(server.client, "fleet_overview");
    const floorCall = () => call(floor.client, FLOOR_TOOL);
    await overview();
    await floorCall();
    const f = await once(floorCall);
    const o = await once(overview);
    return { floor: f, overview: o, same: JSON.stringify(f) === JSON.stringify(o) };
  } finally {
    await server.client.close();
    await floor.client.close();
    await sim.close();
  }
}

async function measureSize(agents: number): Promise<SizeResult> {
  const tasks = Math.round(agents * 0.6);
  // The sim is its own process: the client measured here does not share an event loop with it.
  const sim = await startSimProcess({
    tasks,
    chats: agents - tasks,
    seed: 11,
    latencyMs: LATENCY,
  });
  const { server, floor } = await connectBoth(sim);
  // At the reference size, the server once more with the binary's V8 flags, measured beside it.
  let flagged: Awaited<ReturnType<typeof connectServer>> | undefined;
  try {
    const args = await startArgs();
    // Only while the start task runs without the binary's V8 flags is the flagged server another.
    if (agents === REFERENCE && !args.includes(`--v8-flags=${V8_FLAGS}`)) {
      args.splice(1, 0, `--v8-flags=${V8_FLAGS}`);
      flagged = await connectServer({
        args,
        env: {
          CODER_URL: sim.url,
          CODER_SESSION_TOKEN: sim.token,
          CODER_FLEET_RATE_LIMIT: "10000",
        },
      });
    }
    const headers = { "Coder-Session-Token": sim.token };
    const raw = async (path: string) => {
      const r = await fetch(sim.url + path, { headers });
      await r.arrayBuffer();
    };
    const rawLists = () => Promise.all([raw("/api/v2/tasks"), raw("/api/v2/chats")]);
    const overview = () => call(server.client, "fleet_overview");
    const floorCall = () => call(floor.client, FLOOR_TOOL);
    const listAgents = () => call(server.client, "list_agents", { state: ["idle"] });
    const flaggedOverview = () => call(flagged!.client, "fleet_overview");

    // Warm up every side (detection, JIT, connection pools).
    for (let i = 0; i < 3; i++) {
      await overview();
      await floorCall();
      await rawLists();
      if (agents === REFERENCE) await listAgents();
      if (flagged) await flaggedOverview();
    }
    const n = samplesFor(agents);
    const xs = { raw: [] as number[], floor: [] as number[], overview: [] as number[] };
    const list: number[] = [];
    const flaggedXs: number[] = [];
    // Interleaved, so a change of machine load touches every operation alike.
    for (let i = 0; i < n; i++) {
      xs.raw.push(await timed(rawLists));
      xs.floor.push(await timed(floorCall));
      xs.overview.push(await timed(overview));
      if (agents === REFERENCE) list.push(await timed(listAgents));
      if (flagged) flaggedXs.push(await timed(flaggedOverview));
    }
    const rows: Row[] = [
      { op: "raw: list tasks + list chats (parallel)", xs: xs.raw, note: "baseline" },
      {
        op: "floor server: same lists, JSON.parse, same SDK/stdio",
        xs: xs.floor,
        raw: xs.raw,
        note: "the floor",
      },
      {
        op: "fleet_overview",
        xs: xs.overview,
        raw: xs.raw,
        floor: xs.floor,
        note: "1 list per back end",
      },
    ];
    const result: SizeResult = {
      agents,
      rows,
      raw: stats(xs.raw),
      floor: stats(xs.floor),
      overview: stats(xs.overview),
    };
    if (agents === REFERENCE) {
      rows.push({
        op: "list_agents state=idle",
        xs: list,
        raw: xs.raw,
        floor: xs.floor,
        note: "1 list per back end",
      });
      const own = await ownTask(sim);
      const getAgent = () => call(server.client, "get_agent", { agent: own });
      const rawGet = () => raw(`/api/v2/tasks/me/${own}`);
      for (let i = 0; i < 3; i++) await getAgent();
      const g: number[] = [];
      const r: number[] = [];
      for (let i = 0; i < n; i++) {
        r.push(await timed(rawGet));
        g.push(await timed(getAgent));
      }
      rows.push({ op: "raw: get one task", xs: r, note: "baseline" });
      rows.push({
        op: "get_agent (task by UUID)",
        xs: g,
        raw: r,
        note: "lookup + logs in one round trip",
      });
      result.getAgentOverRaw = stats(g).median - stats(r).median;
      result.rss = await rssMb(pidOf(server.client));
      if (flagged) {
        rows.push({
          op: `fleet_overview, server with --v8-flags=${V8_FLAGS}`,
          xs: flaggedXs,
          raw: xs.raw,
          floor: xs.floor,
          note: "the binary's V8 flags",
        });
        result.flagged = {
          v8_flags: V8_FLAGS,
          overview: stats(flaggedXs),
          rss: await rssMb(pidOf(flagged.client)),
        };
      }
    }
    return result;
  } finally {
    await flagged?.client.close();
    await server.client.close();
    await floor.client.close();
    await sim.close();
  }
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function printSize(s: SizeResult) {
  const tasks = Math.round(s.agents * 0.6);
  console.log(
    `\n## ${s.agents} agents (${tasks} tasks, ${
      s.agents - tasks
    } chats), Coder latency ${LATENCY} ms, N=${s.rows[0].xs.length}\n`,
  );
  console.log("| operation | median | p95 | to raw | to floor | note |");
  console.log("|---|---|---|---|---|---|");
  for (const row of s.rows) {
    const m = stats(row.xs).median;
    const toRaw = row.raw ? `${(m / stats(row.raw).median).toFixed(2)}x` : "-";
    const toFloor = row.floor ? `${(m / stats(row.floor).median).toFixed(2)}x` : "-";
    console.log(
      `| ${row.op} | ${fmt(m)} | ${fmt(stats(row.xs).p95)} | ${toRaw} | ${toFloor} | ${row.note} |`,
    );
  }
}

if (import.meta.main) {
  const load = Deno.loadavg();
  console.log(`# coder-fleet-mcp bench (load average ${load.map((x) => x.toFixed(2)).join(" ")})`);
  const cold = await coldStarts(COLD_N);
  console.log(`\n## Cold start: spawn to the tools/list answer (one process, N=${COLD_N})\n`);
  console.log("| form | median | min | max |");
  console.log("|---|---|---|---|");
  for (const c of cold) {
    console.log(
      `| ${c.form} | ${c.median.toFixed(0)} ms | ${c.samples[0].toFixed(0)} ms | ${
        c.samples.at(-1)!.toFixed(0)
      } ms |`,
    );
  }
  const breakdown = await coldBreakdown(COLD_N);
  console.log(`\n## Cold start, where the time goes (N=${breakdown.n}, medians)\n`);
  console.log("| stage | ms |");
  console.log("|---|---|");
  for (const r of breakdown.rows) console.log(`| ${r.stage} | ${r.ms.toFixed(0)} |`);
  const wire = await wireCheck(REFERENCE);
  console.log(
    `\n## Over the wire: one call each at ${REFERENCE} agents (the sim's request log)\n`,
  );
  console.log("| server | requests | lines |");
  console.log("|---|---|---|");
  console.log(`| floor server | ${wire.floor.length} | ${wire.floor.join("<br>")} |`);
  console.log(`| fleet_overview | ${wire.overview.length} | ${wire.overview.join("<br>")} |`);
  console.log(wire.same ? "\nThe same requests." : "\n**The requests differ.**");
  const sizes: SizeResult[] = [];
  for (const agents of SIZES) {
    const s = await measureSize(agents);
    printSize(s);
    sizes.push(s);
  }

  const ref = sizes.find((s) => s.agents === REFERENCE) ?? sizes[0];
  const figures: BenchFigures = {
    sizes: sizes.map((s) => ({
      agents: s.agents,
      raw_ms: s.raw.median,
      floor_ms: s.floor.median,
      overview_ms: s.overview.median,
      overhead_per_agent_us: (s.overview.median - s.floor.median) / s.agents * 1000,
    })),
    reference: {
      agents: ref.agents,
      overview_to_raw: ref.overview.median / ref.raw.median,
      floor_to_raw: ref.floor.median / ref.raw.median,
      overview_overhead_ms: ref.overview.median - ref.raw.median,
      get_agent_over_raw_ms: ref.getAgentOverRaw ?? NaN,
    },
    cold_start_ms: cold[0].median,
    same_wire: wire.same,
    rss_mb: ref.rss ?? NaN,
    ...(ref.flagged
      ? { rss_flagged: { v8_flags: ref.flagged.v8_flags, mb: ref.flagged.rss } }
      : {}),
  };
  const targets = judge(figures);
  console.log(`\n## Overhead per agent: (fleet_overview - floor) / agents\n`);
  console.log("| agents | raw | floor | fleet_overview | overview/floor | per agent |");
  console.log("|---|---|---|---|---|---|");
  for (const s of figures.sizes) {
    console.log(
      `| ${s.agents} | ${fmt(s.raw_ms)} | ${fmt(s.floor_ms)} | ${fmt(s.overview_ms)} | ${
        (s.overview_ms / s.floor_ms).toFixed(2)
      }x | ${s.overhead_per_agent_us.toFixed(1)} µs |`,
    );
  }
  console.log(`\n## Targets (issue 8)\n`);
  console.log("| target | measured | bound | met |");
  console.log("|---|---|---|---|");
  for (const t of targets) {
    console.log(`| ${t.target} | ${t.measured} | ${t.bound} | ${t.met ? "yes" : "**no**"} |`);
  }
  const out = new URL("./results/latest.json", import.meta.url);
  await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        load_average: load,
        latency_ms: LATENCY,
        cold_start: cold,
        cold_breakdown: breakdown,
        wire,
        figures,
        targets,
        sizes: sizes.map((s) => ({
          agents: s.agents,
          rows: s.rows.map((r) => ({ op: r.op, ...stats(r.xs), n: r.xs.length })),
        })),
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nWrote ${out.pathname}`);
  const missed = targets.filter((t) => !t.met);
  if (CHECK && missed.length > 0) {
    console.error(`bench:check: ${missed.length} target(s) missed`);
    Deno.exit(1);
  }
}
