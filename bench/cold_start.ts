/**
 * Cold start of every shipped form: from spawning the server to the answer of `tools/list`
 * (initialize included), one spawn per sample, against the simulated Coder on 127.0.0.1.
 *
 *   deno task bench            # runs this first, then bench/fleet_bench.ts
 *   COLD_N=10 deno run ... bench/cold_start.ts
 *
 * Forms: `deno task start` (from a clone), and the bundle run by `deno run` with the scoped
 * grant the README gives it. The binary cannot be built here (`deno compile` cannot download its
 * runtime); it runs the same code from an embedded module graph, so expect it near the bundle.
 */
import { startSim } from "../src/sim/server.ts";
import { permissionFlags } from "../scripts/compile.ts";
import { buildBundle } from "../tests/e2e/bundle_build.ts";
import { connectServer } from "../tests/e2e/harness.ts";

const N = Number(Deno.env.get("COLD_N") ?? 5);

/** One spawn, timed from before the spawn to the `tools/list` answer. */
async function coldStart(args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const { client } = await connectServer({ args, env });
  const { tools } = await client.listTools();
  const ms = performance.now() - t0;
  await client.close();
  if (tools.length !== 11) throw new Error(`expected 11 tools, got ${tools.length}`);
  return ms;
}

const sim = await startSim({ profile: "both", tasks: 10, chats: 10 });
const env = { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token };
const bundle = await buildBundle("bench");
const size = (await Deno.stat(bundle)).size;

const forms: [string, string[]][] = [
  ["`deno task start`", ["task", "-q", "start"]],
  [
    `bundle (\`deno run\`, scoped grant, ${(size / 1024 / 1024).toFixed(2)} MB)`,
    ["run", ...permissionFlags({ url: sim.url }), bundle],
  ],
];

// One unmeasured start first, so every form meets a warm disk cache and a filled DENO_DIR.
await coldStart(forms[0][1], env);

console.log(`\n## Cold start: spawn to the tools/list answer (one spawn per sample, N=${N})\n`);
console.log("| form | median | min | max |");
console.log("|---|---|---|---|");
// Samples alternate between the forms, so a change in machine load touches each alike.
const samples: number[][] = forms.map(() => []);
for (let i = 0; i < N; i++) {
  for (const [k, [, args]] of forms.entries()) samples[k].push(await coldStart(args, env));
}
const f = (ms: number) => `${ms.toFixed(0)} ms`;
for (const [k, [name]] of forms.entries()) {
  const xs = samples[k].sort((a, b) => a - b);
  console.log(`| ${name} | ${f(xs[Math.floor(xs.length / 2)])} | ${f(xs[0])} | ${f(xs.at(-1)!)} |`);
}
console.log(
  "| binary (`deno task compile`) | not measured: the runtime cannot be downloaded here | | |",
);
await sim.close();
