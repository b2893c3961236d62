/**
 * Cold start: from spawning the server to the answer of `tools/list` (initialize included), ONE
 * process per sample, raw JSON-RPC lines over its pipes, against the simulated Coder on 127.0.0.1.
 *
 *   deno task bench            # runs this as part of bench/fleet_bench.ts
 *   COLD_N=10 deno run -A bench/cold_start.ts
 *
 * Forms: the `deno run` command of `deno task start` (spawned directly: `deno task` would add a
 * second process, the task runner, whose start-up is not the server's), and the bundle run by
 * `deno run` with the scoped grant the README gives it. The binary cannot be built here (`deno
 * compile` cannot download its runtime); it runs the same code from an embedded module graph, so
 * expect it near the bundle.
 */
import { startSim } from "../src/sim/server.ts";
import { permissionFlags } from "../scripts/compile.ts";
import { TOOLS } from "../src/tools/index.ts";
import { buildBundle } from "../tests/e2e/bundle_build.ts";
import { initializeRequest } from "../tests/e2e/harness.ts";

/** One form's samples (ms, sorted). */
export interface ColdStart {
  form: string;
  samples: number[];
  median: number;
}

/** The `deno run` arguments of `deno task start`, to spawn the server as one process. */
export async function startArgs(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const words = String(config.tasks.start).split(/\s+/);
  if (words[0] !== "deno") throw new Error(`unexpected start task: ${config.tasks.start}`);
  return words.slice(1);
}

const INIT = [
  initializeRequest("cold-start"),
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
].map((m) => JSON.stringify(m) + "\n").join("");

/**
 * One spawn, timed from before the spawn to the `tools/list` answer line on stdout. The messages
 * are raw JSON-RPC lines written at once on stdin (the server reads them in order): no MCP client
 * runs here, so its own start-up work (it compiles a validator for every tool's output schema when
 * `tools/list` answers) is not counted as the server's.
 */
export async function coldStart(
  args: string[],
  env: Record<string, string>,
  expectTools = TOOLS.length,
): Promise<number> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ...env,
    },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(INIT));
  let ms = NaN;
  let buf = "";
  let tools = -1;
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    const nl = buf.lastIndexOf("\n");
    if (nl < 0) continue;
    const lines = buf.slice(0, nl).split("\n");
    buf = buf.slice(nl + 1);
    const answer = lines.map((l) => JSON.parse(l)).find((m) => m.id === 2);
    if (answer) {
      ms = performance.now() - t0;
      tools = answer.result?.tools?.length ?? -1;
      break;
    }
  }
  await w.close().catch(() => {});
  await child.status;
  if (tools !== expectTools) throw new Error(`expected ${expectTools} tools, got ${tools}`);
  return ms;
}

/** Measure every form `n` times, samples alternating between forms. */
export async function coldStarts(n: number): Promise<ColdStart[]> {
  const sim = await startSim({ profile: "both", tasks: 10, chats: 10 });
  try {
    const env = { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token };
    const bundle = await buildBundle("bench");
    const size = (await Deno.stat(bundle)).size;
    const forms: [string, string[]][] = [
      ["`deno run` of `deno task start`", await startArgs()],
      [
        `bundle (\`deno run\`, scoped grant, ${(size / 1024 / 1024).toFixed(2)} MB)`,
        ["run", ...permissionFlags({ url: sim.url }), bundle],
      ],
    ];
    // One unmeasured start of each first: a warm disk cache and a filled DENO_DIR.
    for (const [, args] of forms) await coldStart(args, env);
    // Samples alternate between the forms, so a change in machine load touches each alike.
    const samples: number[][] = forms.map(() => []);
    for (let i = 0; i < n; i++) {
      for (const [k, [, args]] of forms.entries()) samples[k].push(await coldStart(args, env));
    }
    return forms.map(([form], k) => {
      const xs = samples[k].sort((a, b) => a - b);
      return { form, samples: xs, median: xs[Math.floor(xs.length / 2)] };
    });
  } finally {
    await sim.close();
  }
}

if (import.meta.main) {
  const n = Number(Deno.env.get("COLD_N") ?? 5);
  const results = await coldStarts(n);
  console.log(`\n## Cold start: spawn to the tools/list answer (one process per sample, N=${n})\n`);
  console.log("| form | median | min | max |");
  console.log("|---|---|---|---|");
  const f = (ms: number) => `${ms.toFixed(0)} ms`;
  for (const r of results) {
    console.log(`| ${r.form} | ${f(r.median)} | ${f(r.samples[0])} | ${f(r.samples.at(-1)!)} |`);
  }
}
