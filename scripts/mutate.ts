/**
 * `deno task mutate`: mutation testing of our own, not run in CI. Two modes:
 *
 * - The list (default): each realistic mutant written in `scripts/mutants.ts` applied to a
 *   private copy of the repository, one at a time; the tests named for it run (or the whole
 *   suite), and the test that killed it reported (scripts/mutate/list.ts). A mutant whose `find`
 *   text no longer occurs exactly once in its file is `stale` (update the list) and not scored.
 * - A sample (`--sample N`): N mutants drawn by a seed from the pool that operators generate
 *   over `src/` (scripts/mutate/generate.ts), nobody's pick; each type-checked, then the whole
 *   suite run on it; the score with its 95% interval, and every survivor with file:line and the
 *   edit (scripts/mutate/sampled.ts). Equivalent survivors go on `scripts/mutants/ignore.ts`.
 *
 * A mutant survives when every test passes with it: a bug the suite would let through.
 */
import { runList } from "./mutate/list.ts";

const USAGE = `deno task mutate [--jobs N] [--only id,id] [--all-tests] [--timeout S] [--json FILE]
deno task mutate --sample N [--seed S] [--jobs N] [--timeout S] [--json FILE]
deno task mutate --pool

  --jobs N       mutants run N at a time, each in its own copy (default 2)
  --only id,id   run these mutants only (ids in scripts/mutants.ts)
  --all-tests    run the whole suite for every mutant, not its listed test files
  --timeout S    a run that takes longer counts as killed, by timeout (default 300; with
                 --sample, 300 or 4 times the suite's own time unmutated, whichever is longer)
  --json FILE    also write the results as JSON
  --sample N     run N generated mutants drawn from the pool (skipping those that fail
                 deno check and those on scripts/mutants/ignore.ts), each against the whole suite
  --seed S       the draw (an integer; default: a new one, printed); the same seed, the same draw
  --pool         print the generated pool's size by operator and by file, and run nothing`;

/** The command line, parsed. */
export function parseFlags(args: string[]) {
  const opts = {
    jobs: 2,
    only: undefined as Set<string> | undefined,
    allTests: false,
    timeout: undefined as number | undefined,
    json: "",
    sample: 0,
    seed: undefined as number | undefined,
    pool: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--jobs") opts.jobs = Math.max(1, Number(args[++i]) || 1);
    else if (a === "--only") opts.only = new Set(args[++i].split(",").map((s) => s.trim()));
    else if (a === "--all-tests") opts.allTests = true;
    else if (a === "--timeout") opts.timeout = Math.max(10, Number(args[++i]) || 300);
    else if (a === "--json") opts.json = args[++i];
    else if (a === "--sample") opts.sample = Math.max(1, Math.floor(Number(args[++i])) || 1);
    else if (a === "--seed") {
      opts.seed = Number(args[++i]);
      if (!Number.isInteger(opts.seed)) throw new Error(`--seed takes an integer`);
    } else if (a === "--pool") opts.pool = true;
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else throw new Error(`unknown argument ${a} (see the head of scripts/mutate.ts)`);
  }
  if ((opts.sample || opts.pool) && (opts.only || opts.allTests)) {
    throw new Error("--only and --all-tests belong to the list mode, not to --sample or --pool");
  }
  return opts;
}

async function main() {
  const opts = parseFlags(Deno.args);
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  if (!opts.sample && !opts.pool) {
    return await runList(root, { ...opts, timeout: opts.timeout ?? 300 });
  }
  // Loaded only here: the generator brings Stryker and the TypeScript compiler.
  const { printPool, runSample } = await import("./mutate/sampled.ts");
  if (opts.pool) return await printPool(root);
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (opts.seed === undefined) {
    console.error(`mutate: seed ${seed} (--seed ${seed} draws it again)`);
  }
  await runSample(root, { ...opts, seed, jobs: opts.jobs });
}

if (import.meta.main) await main();
