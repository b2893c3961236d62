/**
 * The list mode of `deno task mutate`: each mutant written in `scripts/mutants.ts` applied to a
 * private copy of the repository, the tests named for it run (or the whole suite), and the test
 * that killed it reported.
 */
import { type Mutant, MUTANTS } from "../mutants.ts";
import { copyRepo, failedTests, runDeno, TEST_FLAGS } from "./repo.ts";

/** The outcome of one listed mutant. */
export interface MutantResult {
  id: string;
  status: "killed" | "survived" | "stale" | "timeout";
  /** The tests that failed (killed), or why it is stale. */
  by: string[];
  seconds: number;
}

/** Options of the list mode. */
export interface ListOptions {
  jobs: number;
  only?: Set<string>;
  allTests: boolean;
  timeout: number;
  json: string;
}

/** Occurrences of `needle` in `hay`. */
function count(hay: string, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
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
    const out = await runDeno(dir, [...TEST_FLAGS, ...files], start + opts.timeout * 1000);
    const seconds = Math.round((Date.now() - start) / 100) / 10;
    if (out.timedOut) {
      return { id: m.id, status: "timeout", by: [`over ${opts.timeout} s`], seconds };
    }
    if (out.code === 0) return { id: m.id, status: "survived", by: [], seconds };
    return { id: m.id, status: "killed", by: failedTests(out.text), seconds };
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

/** Run the listed mutants and print the score, a table of them all, and the survivors. */
export async function runList(root: string, opts: ListOptions): Promise<void> {
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
