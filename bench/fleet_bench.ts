/**
 * Benchmarks: the server's answers next to the raw Coder requests they stand on, measured in the
 * same run against the simulated Coder over real HTTP on 127.0.0.1.
 *
 *   deno task bench                # 1000 agents (600 tasks, 400 chats), 0 and 50 ms Coder latency
 *   BENCH_AGENTS=2000 deno task bench
 *
 * Reports median and p95 per operation, and the ratio of each tool call to the raw request(s)
 * it needs (one list per back end for fleet-wide questions).
 */
import { connectServer } from "../tests/e2e/harness.ts";
import { startSim } from "../src/sim/server.ts";

const N = Number(Deno.env.get("BENCH_N") ?? 30);
const AGENTS = Number(Deno.env.get("BENCH_AGENTS") ?? 1000);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95) };
}

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

// One sim and one server for every latency (cold start is bench/cold_start.ts's).
const tasks = Math.round(AGENTS * 0.6);
const sim = await startSim({ profile: "both", tasks, chats: AGENTS - tasks, seed: 11 });
const { client } = await connectServer({
  env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token },
});
await client.listTools();
const headers = { "Coder-Session-Token": sim.token };
const raw = async (path: string) => {
  const r = await fetch(sim.url + path, { headers });
  await r.arrayBuffer();
};
const rawBoth = () => Promise.all([raw("/api/v2/tasks"), raw("/api/v2/chats")]);
const call = (name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args });

async function run(latencyMs: number) {
  sim.setLatency(latencyMs);

  // Warm up both sides (detection, JIT).
  await call("fleet_overview");
  await rawBoth();

  const [anyTask] = sim.taskIds();
  const rows: [string, number[], number[] | undefined, string][] = [];
  const rawList = await time(N, rawBoth);
  rows.push(["raw: list tasks + list chats (parallel)", rawList, undefined, "baseline"]);
  rows.push([
    "fleet_overview",
    await time(N, () => call("fleet_overview")),
    rawList,
    "1 list per back end",
  ]);
  rows.push([
    "list_agents state=idle limit=50",
    await time(N, () => call("list_agents", { state: ["idle"] })),
    rawList,
    "1 list per back end",
  ]);
  rows.push([
    "wait_for_agents (whole fleet, any settled)",
    await time(N, () => call("wait_for_agents", { timeout_s: 5 })),
    rawList,
    "1 list per back end",
  ]);
  const rawGet = await time(N, () => raw(`/api/v2/tasks/me/${anyTask}`));
  rows.push(["raw: get one task", rawGet, undefined, "baseline"]);
  rows.push([
    "get_agent (task by id)",
    await time(N, () => call("get_agent", { agent: anyTask })),
    rawGet,
    "get + logs (+ extras), in parallel",
  ]);

  console.log(
    `\n## ${AGENTS} agents (${tasks} tasks, ${
      AGENTS - tasks
    } chats), Coder latency ${latencyMs} ms, N=${N}\n`,
  );
  console.log("| operation | median | p95 | ratio to raw (median) | requests |");
  console.log("|---|---|---|---|---|");
  for (const [name, xs, base, note] of rows) {
    const s = stats(xs);
    const ratio = base ? `${(s.median / stats(base).median).toFixed(2)}x` : "-";
    console.log(`| ${name} | ${fmt(s.median)} | ${fmt(s.p95)} | ${ratio} | ${note} |`);
  }
}

for (const latency of [0, 50]) await run(latency);
await client.close();
await sim.close();
