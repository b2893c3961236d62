/**
 * Where the cold start's milliseconds go: an empty `deno run` (spawn to exit), then one program
 * that imports what the server loads stage by stage (zod; the MCP SDK; its stdio entry; our
 * modules) and times each import inside the process; medians of N spawns, samples interleaved.
 * Beside them, the floor server and the server itself, spawn to the `tools/list` answer
 * (bench/cold_start.ts).
 *
 *   COLD_N=10 deno run -A bench/cold_breakdown.ts
 */
import { coldStart, startArgs } from "./cold_start.ts";

const N = Number(Deno.env.get("COLD_N") ?? 7);
const root = new URL("../", import.meta.url);
const src = (p: string) => new URL(p, root).href;

/** What the server loads, in its order: each is timed inside one process (dynamic imports). */
const STAGES: [string, string][] = [
  ["zod", "zod"],
  ["the MCP SDK (`@modelcontextprotocol/server`)", "@modelcontextprotocol/server"],
  ["its stdio entry", "@modelcontextprotocol/server/stdio"],
  ["ours: coder + fleet (src/fleet/fleet.ts)", src("src/fleet/fleet.ts")],
  ["ours: tools (src/tools/index.ts)", src("src/tools/index.ts")],
  ["ours: server, board (src/server.ts)", src("src/server.ts")],
  ["ours: src/main.ts's other static imports", src("src/main.ts")],
];

/** A program that imports the stages one by one and prints each one's ms as JSON. */
const STAGED = `const t = [performance.now()];
${
  STAGES.map(([, spec]) => `await import(${JSON.stringify(spec)}); t.push(performance.now());`)
    .join("\n")
}
console.log(JSON.stringify({ boot: t[0], stages: t.slice(1).map((x, i) => x - t[i]) }));
`;

async function exitTime(file: string): Promise<number> {
  const t0 = performance.now();
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--config=${new URL("deno.json", root).pathname}`, file],
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error(`${file} failed`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function staged(file: string): Promise<{ total: number; boot: number; stages: number[] }> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--config=${new URL("deno.json", root).pathname}`, file],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const total = performance.now() - t0;
  if (!out.success) throw new Error(`${file} failed`);
  return { total, ...JSON.parse(new TextDecoder().decode(out.stdout)) };
}

/** The breakdown: each row's median ms. */
export interface ColdBreakdown {
  n: number;
  rows: { stage: string; ms: number }[];
}

/** Measure the breakdown with `n` samples of each (interleaved). */
export async function coldBreakdown(n = N): Promise<ColdBreakdown> {
  const dir = await Deno.makeTempDir({ prefix: "cold-" });
  try {
    const empty = `${dir}/empty.ts`;
    const stagedFile = `${dir}/staged.ts`;
    await Deno.writeTextFile(empty, "\n");
    await Deno.writeTextFile(stagedFile, STAGED);
    const floorArgs = [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env=CODER_URL,CODER_SESSION_TOKEN",
      new URL("./floor_server.ts", import.meta.url).pathname,
    ];
    const env = {
      CODER_URL: "http://127.0.0.1:9",
      CODER_SESSION_TOKEN: "sim-0123456789abcdef0123456789",
    };
    const server = await startArgs();
    // Warm the caches once.
    await exitTime(empty);
    await staged(stagedFile);
    const emptyMs: number[] = [];
    const runs: { total: number; boot: number; stages: number[] }[] = [];
    const floor: number[] = [];
    const real: number[] = [];
    for (let i = 0; i < n; i++) {
      emptyMs.push(await exitTime(empty));
      runs.push(await staged(stagedFile));
      floor.push(await coldStart(floorArgs, env, 1));
      real.push(await coldStart(server, env));
    }
    return {
      n,
      rows: [
        { stage: "`deno run` of an empty program, spawn to exit", ms: median(emptyMs) },
        {
          stage: "runtime boot, to a module's first line (`performance.now()` there)",
          ms: median(runs.map((r) => r.boot)),
        },
        ...STAGES.map(([name], k) => ({
          stage: `import ${name}`,
          ms: median(runs.map((r) => r.stages[k])),
        })),
        {
          stage: "all those imports, spawn to exit",
          ms: median(runs.map((r) => r.total)),
        },
        {
          stage: "floor server (bench/floor_server.ts), spawn to the tools/list answer",
          ms: median(floor),
        },
        {
          stage: "coder-fleet-mcp (`deno task start`'s command), spawn to the tools/list answer",
          ms: median(real),
        },
      ],
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const b = await coldBreakdown();
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`\n## Cold start, where the time goes (N=${b.n}, medians, load average ${load})\n`);
  console.log("| stage | ms |");
  console.log("|---|---|");
  for (const r of b.rows) console.log(`| ${r.stage} | ${r.ms.toFixed(0)} |`);
}
