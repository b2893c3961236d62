/**
 * The sample mode of `deno task mutate`: N mutants drawn by a seed from the generated pool
 * (scripts/mutate/generate.ts), each applied to a private copy of the repository, type-checked
 * (one that fails `deno check` is skipped and the next drawn), then the whole suite run lane by
 * lane, the unit lanes first, stopping at the first failure. Prints the score with its Wilson 95%
 * interval and every survivor with file:line and the edit.
 */
import { IGNORED } from "../mutants/ignore.ts";
import { type Generated, generatePool, type Pool } from "./generate.ts";
import { copyRepo, failedTests, runDeno, TEST_FLAGS } from "./repo.ts";
import { type Ignored, ignoredBy, showEdit, shuffled, wilson } from "./sample.ts";

/** Options of the sample mode. */
export interface SampleOptions {
  sample: number;
  seed: number;
  jobs: number;
  /** Seconds a mutant may take (default: 300, or 4 times the suite's own time if longer). */
  timeout?: number;
  json: string;
}

/** The outcome of one drawn mutant. */
export interface SampleResult {
  id: string;
  file: string;
  line: number;
  operator: string;
  before: string;
  after: string;
  /** Its place in the seed's order. */
  draw: number;
  status: "killed" | "survived" | "timeout" | "uncompilable" | "ignored";
  /** The failed tests (killed), the type error (uncompilable) or the reason (ignored). */
  by: string[];
  checkSeconds: number;
  testSeconds: number;
}

const secs = (ms: number) => Math.round(ms / 100) / 10;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The lanes of the suite in the order a mutant meets them: the unit lanes first (they kill most
 * mutants, in seconds, where an end-to-end lane needs the server started), then the others
 * cheapest first (lanes are named longest first: tests/lanes/lanes.ts).
 */
export function laneOrder(names: string[]): string[] {
  const unit = names.filter((n) => /unit/.test(n)).sort();
  return [...unit, ...names.filter((n) => !/unit/.test(n)).sort().reverse()];
}

async function lanes(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/tests/lanes`)) {
    if (e.isFile && e.name.endsWith("_test.ts")) out.push(`tests/lanes/${e.name}`);
  }
  return laneOrder(out);
}

/** Run the lanes one after another, stopping at the first that fails. */
async function runLanes(dir: string, files: string[], deadline: number) {
  for (const lane of files) {
    const r = await runDeno(dir, [...TEST_FLAGS, "--fail-fast", lane], deadline);
    if (r.timedOut) return { status: "timeout" as const, by: [`over the timeout, in ${lane}`] };
    if (r.code !== 0) return { status: "killed" as const, by: failedTests(r.text) };
  }
  return { status: "survived" as const, by: [] };
}

/** Apply `m` to the copy in `dir` for the time of `fn`. */
async function withMutant<T>(dir: string, m: Generated, fn: () => Promise<T>): Promise<T> {
  const path = `${dir}/${m.file}`;
  const original = await Deno.readTextFile(path);
  if (original.slice(m.start, m.end) !== m.before) throw new Error(`${m.id}: the copy differs`);
  await Deno.writeTextFile(path, original.slice(0, m.start) + m.after + original.slice(m.end));
  try {
    return await fn();
  } finally {
    await Deno.writeTextFile(path, original);
  }
}

function result(m: Generated, draw: number): SampleResult {
  const { id, file, line, operator, before, after } = m;
  return {
    id,
    file,
    line,
    operator,
    before,
    after,
    draw,
    status: "survived",
    by: [],
    checkSeconds: 0,
    testSeconds: 0,
  };
}

/** Type-check the mutant: false (with the first error) when `deno check` refuses it. */
async function check(dir: string, m: Generated, r: SampleResult, timeout: number) {
  const start = Date.now();
  const out = await withMutant(
    dir,
    m,
    () => runDeno(dir, ["check", "-q", "src"], start + timeout * 1000),
  );
  r.checkSeconds = secs(Date.now() - start);
  if (out.code === 0 && !out.timedOut) return true;
  r.status = "uncompilable";
  r.by = [out.text.split("\n").find((l) => /ERROR|error:/.test(l))?.trim() ?? "deno check failed"];
  return false;
}

function counts<T>(items: T[], key: (t: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The pool's size by operator and by file. */
export function poolSummary(pool: Pool): string {
  const files = new Set(pool.mutants.map((m) => m.file)).size;
  return [
    `pool: ${pool.mutants.length} mutants in ${files} files of src/ (dropped: ${pool.equivalent} ` +
    `textually equivalent, ${pool.duplicates} duplicates)`,
    `by operator: ${
      counts(pool.mutants, (m) => m.operator).map(([k, n]) => `${k} ${n}`).join(", ")
    }`,
    `by file: ${counts(pool.mutants, (m) => m.file).map(([k, n]) => `${k} ${n}`).join(", ")}`,
  ].join("\n");
}

/** How the ignore list meets the pool: entries that match no mutant, or more than one. */
export function ignoreCheck(pool: Pool, list: readonly Ignored[] = IGNORED): string {
  const bad = list.flatMap((e) => {
    const n = pool.mutants.filter((m) => ignoredBy(m, [e]) === e).length;
    return n === 1 ? [] : [`${e.file}: ${showEdit(e)} matches ${n} mutants`];
  });
  return `ignore list: ${list.length} entries` +
    (bad.length
      ? `; fix these (give a line, or drop):\n- ${bad.join("\n- ")}`
      : ", each one mutant");
}

/** `deno task mutate --pool`: print the pool's size by operator and by file. */
export async function printPool(root: string): Promise<void> {
  const pool = await generatePool(root);
  console.log(`${poolSummary(pool)}\n${ignoreCheck(pool)}`);
}

/** Walk the seed's order until `n` mutants type-check: the first `n` that do, whatever --jobs. */
async function draw(order: Generated[], n: number, dirs: string[], timeout: number) {
  const skipped: SampleResult[] = [];
  const chosen: [Generated, SampleResult][] = [];
  let k = 0;
  while (chosen.length < n && k < order.length) {
    const batch: [Generated, SampleResult][] = [];
    while (batch.length < Math.min(dirs.length, n - chosen.length) && k < order.length) {
      const m = order[k];
      const r = result(m, k++);
      const ig = ignoredBy(m, IGNORED);
      if (ig) skipped.push({ ...r, status: "ignored", by: [ig.why] });
      else batch.push([m, r]);
    }
    const ok = await Promise.all(batch.map(([m, r], i) => check(dirs[i], m, r, timeout)));
    batch.forEach((b, i) => ok[i] ? chosen.push(b) : skipped.push(b[1]));
  }
  return { skipped, chosen };
}

/** Run the suite on each chosen mutant, one a copy, as many at a time as there are copies. */
async function runAll(
  chosen: [Generated, SampleResult][],
  dirs: string[],
  suite: string[],
  timeout: number,
): Promise<SampleResult[]> {
  const results: SampleResult[] = [];
  let next = 0;
  await Promise.all(dirs.map(async (dir) => {
    while (next < chosen.length) {
      const [m, r] = chosen[next++];
      const start = Date.now();
      const out = await withMutant(dir, m, () => runLanes(dir, suite, start + timeout * 1000));
      Object.assign(r, out, { testSeconds: secs(Date.now() - start) });
      results.push(r);
      console.error(
        `mutate: ${results.length}/${chosen.length} ${r.id}: ${r.status}${
          r.by.length ? ` (${r.by[0]})` : ""
        } ${r.testSeconds} s`,
      );
    }
  }));
  return results;
}

/** Draw, check and run the sample; print the report. */
export async function runSample(root: string, opts: SampleOptions): Promise<void> {
  const began = Date.now();
  const pool = await generatePool(root);
  const order = shuffled(pool.mutants, opts.seed);
  console.error(`mutate: ${pool.mutants.length} generated mutants; seed ${opts.seed}`);
  console.error(`mutate: ${ignoreCheck(pool)}`);
  const dirs = await Promise.all(Array.from({ length: opts.jobs }, () => copyRepo(root)));
  try {
    const suite = await lanes(dirs[0]);
    const t = Date.now();
    const base = await runLanes(dirs[0], suite, t + (opts.timeout ?? 1800) * 1000);
    if (base.status !== "survived") {
      throw new Error(`the suite fails with no mutant (${base.by.join("; ")}): fix that first`);
    }
    const baseline = secs(Date.now() - t);
    // A hang is forever: a generous limit costs only real hangs, a tight one miscounts a slow run.
    const timeout = opts.timeout ?? Math.max(300, Math.ceil(4 * baseline));
    console.error(`mutate: the suite passes unmutated, lane by lane, in ${baseline} s`);

    const { skipped, chosen } = await draw(order, opts.sample, dirs, timeout);
    console.error(
      `mutate: ${chosen.length} mutants type-check (${skipped.length} skipped); running the suite`,
    );
    const results = [...skipped, ...await runAll(chosen, dirs, suite, timeout)];
    results.sort((a, b) => a.draw - b.draw);
    const report = sampleReport(pool, results, {
      ...opts,
      timeout,
      baseline,
      wall: secs(Date.now() - began),
    });
    console.log(report.text);
    if (opts.json) {
      await Deno.writeTextFile(opts.json, JSON.stringify(report.json, null, 2) + "\n");
    }
  } finally {
    await Promise.all(dirs.map((d) => Deno.remove(d, { recursive: true })));
  }
}

/** The report of a sample run: the text printed, and the JSON of `--json`. */
export function sampleReport(
  pool: Pool,
  results: SampleResult[],
  run: SampleOptions & { timeout: number; baseline: number; wall: number },
) {
  const of = (s: SampleResult["status"]) => results.filter((r) => r.status === s);
  const ran = results.filter((r) => ["killed", "survived", "timeout"].includes(r.status));
  const killed = of("killed").length + of("timeout").length;
  const rate = ran.length ? killed / ran.length : 0;
  const [lo, hi] = wilson(killed, ran.length);
  const mean = (xs: number[]) =>
    xs.length ? secs(xs.reduce((a, b) => a + b, 0) * 1000 / xs.length) : 0;
  const check = mean(results.filter((r) => r.checkSeconds).map((r) => r.checkSeconds));
  const test = mean(ran.map((r) => r.testSeconds));
  const line = (r: SampleResult) =>
    `- ${r.file}:${r.line} ${r.operator}: ${showEdit(r)}${
      r.status === "killed" ? ` (by ${r.by[0] ?? "?"})` : r.by.length ? ` (${r.by[0]})` : ""
    }`;
  const section = (title: string, rs: SampleResult[]) =>
    rs.length ? [``, `## ${title} (${rs.length})`, ...rs.map(line)] : [];
  const text = [
    `# Mutation score of ${ran.length} generated mutants (seed ${run.seed}): ${killed}/${ran.length} ` +
    `killed = ${pct(rate)}, 95% interval ${pct(lo)} to ${pct(hi)} (Wilson)`,
    ``,
    poolSummary(pool).split("\n").slice(0, 2).join("\n"),
    `drawn: ${results.length} in the seed's order: ${ran.length} run, ${
      of("uncompilable").length
    } ` +
    `skipped (fail deno check), ${of("ignored").length} ignored (equivalent)`,
    `killed ${killed} (${of("timeout").length} by timeout), survived ${of("survived").length}`,
    `time: ${secs((check + test) * 1000)} s a mutant (check ${check} s, suite ${test} s), ` +
    `${run.jobs} at a time; the suite unmutated ${run.baseline} s; timeout ${run.timeout} s; ` +
    `all ${run.wall} s`,
    ...section("Survivors", of("survived")),
    ...section("Killed by timeout", of("timeout")),
    ...section("Ignored (equivalent)", of("ignored")),
    ...section("Skipped (fail deno check)", of("uncompilable")),
    ...section("Killed", of("killed")),
  ].join("\n");
  const json = {
    seed: run.seed,
    sample: run.sample,
    pool: {
      size: pool.mutants.length,
      equivalent: pool.equivalent,
      duplicates: pool.duplicates,
      byOperator: Object.fromEntries(counts(pool.mutants, (m) => m.operator)),
      byFile: Object.fromEntries(counts(pool.mutants, (m) => m.file)),
    },
    score: { killed, timeouts: of("timeout").length, run: ran.length, rate, wilson95: [lo, hi] },
    seconds: {
      check,
      suite: test,
      baseline: run.baseline,
      timeout: run.timeout,
      all: run.wall,
      jobs: run.jobs,
    },
    results,
  };
  return { text, json };
}
