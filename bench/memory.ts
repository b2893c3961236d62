/**
 * Memory under load: the server's RSS during a soak of mixed calls at 1000 agents (600 tasks,
 * 400 chats), sampled from /proc every 100 calls.
 *
 *   deno task bench:memory                       # 10,000 calls
 *   SOAK_CALLS=2000 SOAK_V8_FLAGS=--max-semi-space-size=4 deno task bench:memory
 *
 * The simulated Coder's 512-a-minute limit is turned off (`rateLimit: 0`). Calls: fleet_overview and list_agents (45% each),
 * get_agent by UUID (10%). `SOAK_V8_FLAGS` runs the server with V8 flags, to show what each
 * costs in latency (p50/p99 per tool are reported beside the RSS).
 */
import { startSim } from "../src/sim/server.ts";
import { connectServer } from "../tests/e2e/harness.ts";
import { startArgs } from "./cold_start.ts";
import { pidOf, rssMb } from "./fleet_bench.ts";

const CALLS = Number(Deno.env.get("SOAK_CALLS") ?? 10_000);
const AGENTS = Number(Deno.env.get("SOAK_AGENTS") ?? 1000);
const V8_FLAGS = Deno.env.get("SOAK_V8_FLAGS") ?? "";

/** The soak's figures. */
export interface SoakResult {
  calls: number;
  errors: number;
  rss_first_mb: number;
  rss_max_mb: number;
  /** Median of the samples of the second half: the steady state. */
  rss_steady_mb: number;
  latency: Record<string, { p50: number; p99: number }>;
  v8_flags: string;
}

/** Run the soak. */
export async function soak(calls = CALLS, v8Flags = V8_FLAGS): Promise<SoakResult> {
  const tasks = Math.round(AGENTS * 0.6);
  // The sim's own 512-a-minute limit is off: a soak sends more than that.
  const sim = await startSim({
    profile: "both",
    tasks,
    chats: AGENTS - tasks,
    seed: 11,
    rateLimit: 0,
  });
  const args = await startArgs();
  if (v8Flags) args.splice(1, 0, `--v8-flags=${v8Flags}`);
  const { client } = await connectServer({
    args,
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token, CODER_FLEET_RATE_LIMIT: "10000" },
  });
  const pid = pidOf(client);
  const ids = sim.taskIds().filter((id) =>
    (sim.task(id) as { owner_name?: string }).owner_name === sim.username
  );
  const times: Record<string, number[]> = { fleet_overview: [], list_agents: [], get_agent: [] };
  const rss: number[] = [];
  let errors = 0;
  try {
    for (let i = 0; i < calls; i++) {
      const k = i % 20;
      const [name, args]: [string, Record<string, unknown>] = k < 9
        ? ["fleet_overview", {}]
        : k < 18
        ? ["list_agents", { state: ["idle"], limit: 50 }]
        : ["get_agent", { agent: ids[i % ids.length] }];
      const t = performance.now();
      const r = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
      times[name].push(performance.now() - t);
      if (r.isError) errors++;
      if (i % 100 === 99) rss.push(await rssMb(pid));
    }
  } finally {
    await client.close();
    await sim.close();
  }
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  };
  const latency: SoakResult["latency"] = {};
  for (const [k, xs] of Object.entries(times)) {
    latency[k] = { p50: pct(xs, 0.5), p99: pct(xs, 0.99) };
  }
  const second = rss.slice(Math.floor(rss.length / 2));
  return {
    calls,
    errors,
    rss_first_mb: rss[0] ?? NaN,
    rss_max_mb: Math.max(...rss),
    rss_steady_mb: pct(second, 0.5),
    latency,
    v8_flags: v8Flags,
  };
}

if (import.meta.main) {
  const r = await soak();
  console.log(
    `\n## Soak: ${r.calls} calls at ${AGENTS} agents${
      r.v8_flags ? `, V8 flags ${r.v8_flags}` : ""
    } (load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")})\n`,
  );
  console.log(
    `RSS: ${r.rss_first_mb.toFixed(0)} MB after 100 calls, ${
      r.rss_steady_mb.toFixed(0)
    } MB steady (median of the second half), ${r.rss_max_mb.toFixed(0)} MB max; ${r.errors} errors`,
  );
  console.log("\n| tool | p50 | p99 |\n|---|---|---|");
  for (const [k, v] of Object.entries(r.latency)) {
    console.log(`| ${k} | ${v.p50.toFixed(1)} ms | ${v.p99.toFixed(1)} ms |`);
  }
  const results = new URL("./results/", import.meta.url);
  await Deno.mkdir(results, { recursive: true });
  const out = new URL("memory.json", results);
  await Deno.writeTextFile(
    out,
    JSON.stringify({ ...r, agents: AGENTS, load_average: Deno.loadavg() }, null, 2) + "\n",
  );
  console.log(`\nWrote ${out.pathname}`);
}
