/**
 * Soak: many mixed tool calls against a large simulated fleet over one stdio connection, to see
 * that the server stays correct, quick and bounded in memory over time. Not part of CI.
 *
 *   deno task soak                      # 10,000 calls, 1000 agents (600 tasks, 400 chats)
 *   SOAK_CALLS=50000 SOAK_AGENTS=2000 SOAK_CONCURRENCY=32 deno task soak
 *
 * Prints errors (isError results and protocol failures, by tool, with samples), p50/p99 latency
 * per tool, and the server's resident memory (RSS) at the start, at its peak and at the end.
 *
 * The sim's own 512-a-minute limit is off, and the server's limiter is raised to its maximum
 * (SOAK_RATE_LIMIT, default 10000 a minute per route): this measures the server, not Coder's
 * rate limit. Calls never wait (wait_for_agents timeout 0, send_input wait_s 0) and the lifecycle
 * tools mostly dry-run, so the fleet stays about the same size throughout.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { startSim } from "../src/sim/server.ts";
import { Rng } from "../src/sim/util.ts";

const CALLS = Number(Deno.env.get("SOAK_CALLS") ?? 10_000);
const AGENTS = Number(Deno.env.get("SOAK_AGENTS") ?? 1000);
const CONCURRENCY = Number(Deno.env.get("SOAK_CONCURRENCY") ?? 16);
const RATE_LIMIT = Deno.env.get("SOAK_RATE_LIMIT") ?? "10000";

/** Resident memory of a process in MiB (via `ps`; Deno may not read another's /proc), or NaN. */
function rssMiB(pid: number | null | undefined): number {
  if (!pid) return NaN;
  try {
    const out = new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] }).outputSync();
    const kb = Number(new TextDecoder().decode(out.stdout).trim());
    return kb > 0 ? kb / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The server's command line: `deno task start`'s own (same permissions), run directly so that
 * the measured process is the server itself, not the task runner.
 */
function startArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  const words = String(config.tasks.start).split(/\s+/);
  if (words[0] !== "deno") throw new Error(`unexpected start task: ${config.tasks.start}`);
  return words.slice(1);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const tasks = Math.round(AGENTS * 0.6);
const sim = await startSim({
  profile: "both",
  tasks,
  chats: AGENTS - tasks,
  seed: 7,
  pace: 5,
  rateLimit: 0,
});
const transport = new StdioClientTransport({
  command: Deno.execPath(),
  args: startArgs(),
  env: {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    NO_COLOR: "1",
    ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
    CODER_URL: sim.url,
    CODER_SESSION_TOKEN: sim.token,
    CODER_FLEET_POLL_MS: "200",
    CODER_FLEET_RATE_LIMIT: RATE_LIMIT,
  },
  stderr: "pipe",
});
let stderr = "";
transport.stderr?.on("data", (d: Uint8Array | string) => {
  stderr += typeof d === "string" ? d : new TextDecoder().decode(d);
});
const client = new Client({ name: "soak", version: "1.0.0" }, {
  versionNegotiation: { mode: { pin: "2026-07-28" } },
});
await client.connect(transport);
await client.listTools();
const pid = transport.pid;

const taskIds = sim.taskIds();
const chatIds = sim.chatIds();
const ids = [...taskIds, ...chatIds];
const rng = new Rng(42);

/** The mix: weight, tool, and a maker of its arguments. */
const MIX: [number, string, () => Record<string, unknown>][] = [
  [15, "fleet_overview", () => (rng.chance(0.3) ? { kind: rng.pick(["task", "chat"]) } : {})],
  [25, "list_agents", () => {
    const args: Record<string, unknown> = { limit: rng.pick([10, 50, 200]) };
    if (rng.chance(0.4)) args.state = [rng.pick(["idle", "working", "complete", "paused"])];
    if (rng.chance(0.2)) args.owner = rng.pick(["admin", "alice", "bob", "carol"]);
    if (rng.chance(0.2)) args.kind = rng.pick(["task", "chat"]);
    return args;
  }],
  [20, "get_agent", () => ({ agent: rng.pick(ids) })],
  [10, "get_logs", () => ({ agent: rng.pick(ids), limit: 20 })],
  [3, "list_templates", () => ({})],
  [7, "wait_for_agents", () => ({
    agents: Array.from({ length: rng.int(1, 20) }, () => rng.pick(ids)),
    timeout_s: 0,
  })],
  [8, "send_input", () => ({
    agents: Array.from({ length: rng.int(1, 5) }, () => rng.pick(ids)),
    input: "Status update, please.",
    if_busy: rng.pick(["fail", "queue"]),
    wait_s: 0,
  })],
  [4, "stop_agents", () => ({ agents: [rng.pick(ids)], dry_run: rng.chance(0.9) })],
  [2, "resume_agents", () => ({ agents: [rng.pick(taskIds)] })],
  [3, "create_task", () => ({ prompt: "Soak: write a test.", kind: rng.pick(["task", "chat"]) })],
  [3, "delete_agents", () => ({ agents: [rng.pick(ids)], dry_run: true })],
];
const totalWeight = MIX.reduce((n, [w]) => n + w, 0);
function pickCall(): { name: string; args: Record<string, unknown> } {
  let x = rng.next() * totalWeight;
  for (const [w, name, make] of MIX) {
    if ((x -= w) < 0) return { name, args: make() };
  }
  return { name: "fleet_overview", args: {} };
}

const latencies = new Map<string, number[]>();
const errors = new Map<string, { count: number; samples: Set<string> }>();
const note = (name: string, what: string) => {
  const e = errors.get(name) ?? { count: 0, samples: new Set<string>() };
  e.count++;
  if (e.samples.size < 3) e.samples.add(what.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>"));
  errors.set(name, e);
};

// Warm up (detection, JIT), then measure.
await client.callTool({ name: "fleet_overview", arguments: {} });
const rssStart = rssMiB(pid);
let rssPeak = rssStart;
const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 500);
const t0 = performance.now();
let started = 0;
let done = 0;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (started < CALLS) {
    started++;
    const { name, args } = pickCall();
    const t = performance.now();
    try {
      const r = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
      if (r.isError) {
        // deno-lint-ignore no-explicit-any
        note(name, (r.content as any[]).map((c) => c.text ?? "").join(" ").slice(0, 160));
      }
    } catch (err) {
      note(name, `threw: ${String(err).slice(0, 160)}`);
    }
    const list = latencies.get(name) ?? [];
    list.push(performance.now() - t);
    latencies.set(name, list);
    if (++done % 1000 === 0) {
      console.error(`${done} calls, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
}));
const wall = performance.now() - t0;
clearInterval(sampler);
const rssEnd = rssMiB(pid);

const errorCount = [...errors.values()].reduce((n, e) => n + e.count, 0);
console.log(
  `soak: ${CALLS} calls, ${AGENTS} agents (${tasks} tasks, ${AGENTS - tasks} chats), ` +
    `concurrency ${CONCURRENCY}, ${(wall / 1000).toFixed(1)} s, ` +
    `${(CALLS / (wall / 1000)).toFixed(0)} calls/s, ${sim.requests.length} Coder requests`,
);
console.log(`errors: ${errorCount}`);
for (const [name, e] of [...errors].sort((a, b) => b[1].count - a[1].count)) {
  console.log(`  ${name}: ${e.count}`);
  for (const s of e.samples) console.log(`    e.g. ${s}`);
}
console.log("latency per tool (ms):");
console.log(
  `  ${"tool".padEnd(16)} ${"calls".padStart(6)} ${"p50".padStart(8)} ${"p99".padStart(8)}`,
);
for (const [name, xs] of [...latencies].sort((a, b) => a[0].localeCompare(b[0]))) {
  const s = [...xs].sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(16)} ${String(s.length).padStart(6)} ${
      quantile(s, 0.5).toFixed(1).padStart(8)
    } ${quantile(s, 0.99).toFixed(1).padStart(8)}`,
  );
}
console.log(
  `server RSS: start ${rssStart.toFixed(1)} MiB, peak ${rssPeak.toFixed(1)} MiB, end ${
    rssEnd.toFixed(1)
  } MiB`,
);
if (stderr.trim()) console.log(`server stderr (last 500 chars): ${stderr.slice(-500)}`);

await client.close();
await sim.close();
