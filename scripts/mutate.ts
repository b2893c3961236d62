/**
 * `deno task mutate`: mutation testing of our own, not run in CI. Applies each realistic mutant
 * listed in `scripts/mutants.ts` to a private copy of the repository, one at a time, runs the
 * tests named for it (or the whole suite), and reports which test killed it. A mutant that
 * survives is a bug the suite would let through.
 *
 * Usage: deno task mutate [--jobs N] [--only id,id] [--all-tests] [--timeout S] [--json FILE]
 *
 * - `--jobs N` (default 2): mutants run N at a time, each in its own copy.
 * - `--only`: run these mutants only.
 * - `--all-tests`: run the whole suite for every mutant instead of its listed test files.
 * - `--timeout S` (default 300): a run that takes longer counts as killed (by timeout).
 * - `--json FILE`: also write the results as JSON.
 *
 * A mutant whose `find` text no longer occurs exactly once in its file is reported `stale`
 * (the code moved on: update the list) and is left out of the score.
 */
import { type Mutant, MUTANTS } from "./mutants.ts";

/** The outcome of one mutant. */
export interface MutantResult {
  id: string;
  status: "killed" | "survived" | "stale" | "timeout";
  /** The tests that failed (killed), or why it is stale. */
  by: string[];
  seconds: number;
}

const USAGE = `deno task mutate [--jobs N] [--only id,id] [--all-tests] [--timeout S] [--json FILE]

  --jobs N       mutants run N at a time, each in its own copy (default 2)
  --only id,id   run these mutants only (ids in scripts/mutants.ts)
  --all-tests    run the whole suite for every mutant, not its listed test files
  --timeout S    a run that takes longer counts as killed, by timeout (default 300)
  --json FILE    also write the results as JSON`;

const TEST_FLAGS = [
  "test",
  "--allow-net=127.0.0.1,localhost",
  "--allow-env",
  "--allow-read",
  "--allow-run",
  "--allow-write=dist",
  "--no-check",
];

function parseFlags(args: string[]) {
  const opts = {
    jobs: 2,
    only: undefined as Set<string> | undefined,
    allTests: false,
    timeout: 300,
    json: "",
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--jobs") opts.jobs = Math.max(1, Number(args[++i]) || 1);
    else if (a === "--only") opts.only = new Set(args[++i].split(",").map((s) => s.trim()));
    else if (a === "--all-tests") opts.allTests = true;
    else if (a === "--timeout") opts.timeout = Math.max(10, Number(args[++i]) || 300);
    else if (a === "--json") opts.json = args[++i];
    else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else throw new Error(`unknown argument ${a} (see the head of scripts/mutate.ts)`);
  }
  return opts;
}

/** Copy every file git knows (tracked, or new and not ignored) into a fresh directory. */
async function copyRepo(root: string): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
    cwd: root,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(out.stdout).split("\0").filter(Boolean);
  const dir = await Deno.makeTempDir({ prefix: "coder-fleet-mutant-" });
  for (const f of files) {
    const to = `${dir}/${f}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${root}/${f}`, to);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // deleted but not staged
    }
  }
  return dir;
}

/** Occurrences of `needle` in `hay`. */
function count(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** The names of the failed tests in a `deno test` output. */
export function failedTests(output: string): string[] {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const names = new Set<string>();
  for (const m of plain.matchAll(/^(.+?) => (\.\/tests\/\S+?):\d+:\d+$/gm)) {
    names.add(`${m[2].replace(/^\.\//, "")}: ${m[1].trim()}`);
  }
  if (names.size === 0 && /error:|FAILED/.test(plain)) {
    const line = plain.split("\n").find((l) => /^error:/.test(l.trim()));
    names.add(line?.trim() ?? "the test run failed");
  }
  return [...names];
}

async function runMutant(
  dir: string,
  m: Mutant,
  opts: { allTests: boolean; timeout: number },
): Promise<MutantResult> {
  const start = Date.now();
  const path = `${dir}/${m.file}`;
  const original = await Deno.readTextFile(path);
  const n = count(original, m.find);
  if (n !== 1) {
    return {
      id: m.id,
      status: "stale",
      by: [`the text to mutate occurs ${n} times in ${m.file}`],
      seconds: 0,
    };
  }
  await Deno.writeTextFile(path, original.replace(m.find, () => m.replace));
  try {
    const files = opts.allTests || !m.tests?.length ? [] : m.tests;
    const child = new Deno.Command(Deno.execPath(), {
      args: [...TEST_FLAGS, ...files],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, opts.timeout * 1000);
    const out = await child.output();
    clearTimeout(timer);
    const seconds = Math.round((Date.now() - start) / 100) / 10;
    if (timedOut) return { id: m.id, status: "timeout", by: [`over ${opts.timeout} s`], seconds };
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (out.code === 0) return { id: m.id, status: "survived", by: [], seconds };
    return { id: m.id, status: "killed", by: failedTests(text), seconds };
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

async function main() {
  const opts = parseFlags(Deno.args);
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const ids = new Set<string>();
  for (const m of MUTANTS) {
    if (ids.has(m.id)) throw new Error(`duplicate mutant id ${m.id}`);
    ids.add(m.id);
  }
  const todo = MUTANTS.filter((m) => !opts.only || opts.only.has(m.id));
  if (opts.only) {
    for (const id of opts.only) if (!ids.has(id)) throw new Error(`no mutant ${id}`);
  }
  const jobs = Math.min(opts.jobs, todo.length);
  console.error(`mutate: ${todo.length} mutants, ${jobs} at a time`);
  const dirs = await Promise.all(Array.from({ length: jobs }, () => copyRepo(root)));
  const results: MutantResult[] = [];
  let next = 0;
  await Promise.all(dirs.map(async (dir) => {
    while (next < todo.length) {
      const m = todo[next++];
      const r = await runMutant(dir, m, opts);
      results.push(r);
      console.error(
        `mutate: ${results.length}/${todo.length} ${r.id}: ${r.status}${
          r.by.length ? ` (${r.by[0]})` : ""
        } ${r.seconds} s`,
      );
    }
  }));
  await Promise.all(dirs.map((d) => Deno.remove(d, { recursive: true })));

  const order = new Map(todo.map((m, i) => [m.id, i]));
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const scored = results.filter((r) => r.status !== "stale");
  const killed = scored.filter((r) => r.status !== "survived").length;
  const pct = scored.length ? Math.round((killed / scored.length) * 1000) / 10 : 0;
  const byId = new Map(MUTANTS.map((m) => [m.id, m]));
  console.log(`# Mutation score: ${killed}/${scored.length} killed (${pct}%)\n`);
  console.log("| mutant | what it breaks | result | killed by |");
  console.log("|---|---|---|---|");
  for (const r of results) {
    const m = byId.get(r.id)!;
    console.log(
      `| ${r.id} | ${m.breaks.replaceAll("|", "\\|")} | ${r.status} | ${
        r.by.slice(0, 2).join("; ").replaceAll("|", "\\|")
      } |`,
    );
  }
  const survivors = results.filter((r) => r.status === "survived");
  if (survivors.length) {
    console.log("\nSurvivors:");
    for (const r of survivors) {
      const m = byId.get(r.id)!;
      console.log(`- ${r.id}: ${m.breaks}${m.survives ? ` (accepted: ${m.survives})` : ""}`);
    }
  }
  if (opts.json) await Deno.writeTextFile(opts.json, JSON.stringify(results, null, 2) + "\n");
}

if (import.meta.main) await main();
