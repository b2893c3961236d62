/**
 * `deno task mutate --sample`: the seeded draw, the textual-equivalence skip, the Wilson
 * interval, the ignore list and our own generator's sites, each on small input (no mutation run).
 */
import assert from "node:assert/strict";
import { isGenerated, OWN_OPERATORS, ownMutants } from "../scripts/mutate/generate.ts";
import {
  type Edit,
  type Ignored,
  ignoredBy,
  oneLine,
  showEdit,
  shuffled,
  wilson,
} from "../scripts/mutate/sample.ts";
import {
  ignoreCheck,
  laneOrder,
  sampleReport,
  type SampleResult,
} from "../scripts/mutate/sampled.ts";
import { textuallyEquivalent, tokenEdit, tokenize } from "../scripts/mutate/tokens.ts";
import { IGNORED } from "../scripts/mutants/ignore.ts";

const POOL = Array.from({ length: 500 }, (_, i) => i);

Deno.test("mutate sample: a seed draws the same order every time, another seed another", () => {
  const a = shuffled(POOL, 1);
  assert.deepEqual(shuffled(POOL, 1), a);
  assert.deepEqual([...a].sort((x, y) => x - y), POOL, "a permutation of the pool");
  assert.notDeepEqual(a.slice(0, 30), POOL.slice(0, 30), "not the pool's own order");
  const b = shuffled(POOL, 2);
  assert.notDeepEqual(b.slice(0, 30), a.slice(0, 30));
  assert.deepEqual(POOL.slice(0, 3), [0, 1, 2], "the pool itself is left as it was");
});

Deno.test("mutate sample: the draw is uniform (each mutant first about equally often)", () => {
  const first = new Array(10).fill(0);
  for (let seed = 0; seed < 5000; seed++) first[shuffled(POOL.slice(0, 10), seed)[0]]++;
  for (const n of first) assert.ok(n > 400 && n < 600, `first ${first.join(",")} of 5000 draws`);
});

Deno.test("mutate sample: the Wilson 95% interval", () => {
  const round = ([lo, hi]: [number, number]) => [lo, hi].map((x) => Math.round(x * 1000) / 1000);
  // At 0/n and n/n the far bound has a closed form: z²/(n+z²) and n/(n+z²).
  assert.deepEqual(round(wilson(24, 44)), [0.401, 0.683], "the issue's 24 of 44");
  assert.deepEqual(round(wilson(30, 30)), [0.886, 1]);
  assert.deepEqual(round(wilson(0, 10)), [0, 0.278]);
  assert.deepEqual(round(wilson(85, 100)), [0.767, 0.907]);
  assert.deepEqual(wilson(0, 0), [0, 1], "no mutant run: nothing known");
});

Deno.test("mutate sample: an edit that changes no token is textually equivalent", () => {
  assert.ok(textuallyEquivalent("a  <  b", "a<b"));
  assert.ok(textuallyEquivalent("f(x);", "f(x)"), "semicolons do not count");
  assert.ok(textuallyEquivalent("x /* why */ + 1", "x + 1"), "nor comments");
  assert.ok(textuallyEquivalent("`a ${b} c`", "`a ${ b } c`"));
  assert.ok(!textuallyEquivalent("a < b", "a <= b"));
  assert.ok(!textuallyEquivalent('"a b"', '"a  b"'), "whitespace inside a string counts");
  assert.ok(!textuallyEquivalent("`a ${b} c`", "`a ${b}  c`"), "and inside a template");
  assert.ok(!textuallyEquivalent("x / 2 / y", "x / 2"));
  assert.deepEqual(tokenize("s.replace(/a b/g, '')").map((t) => t.text), [
    "s",
    ".",
    "replace",
    "(",
    "/a b/g",
    ",",
    "''",
    ")",
  ]);
});

Deno.test("mutate sample: two generators' same edit is one (the token edit is where it differs)", () => {
  // Stryker empties `{ return x; }`; our early-return operator removes `return x;` inside it.
  const block = tokenEdit("{ return x; }", "{}");
  const ret = tokenEdit("return x;", "");
  assert.deepEqual(block.removed, ["return", "x"]);
  assert.deepEqual(ret.removed, block.removed);
  assert.equal(block.offset, 2);
  assert.equal(ret.offset, 0);
});

Deno.test("mutate sample: the ignore list matches file, edit (whitespace free), line and column", () => {
  const m: Edit = { file: "src/a.ts", line: 7, before: "a  <\n b", after: "a <= b" };
  const entry: Ignored = { file: "src/a.ts", before: "a < b", after: "a <= b", why: "w" };
  assert.equal(ignoredBy(m, [entry]), entry);
  assert.equal(ignoredBy(m, [{ ...entry, line: 7 }])?.why, "w");
  assert.equal(ignoredBy(m, [{ ...entry, line: 8 }]), undefined);
  assert.equal(ignoredBy(m, [{ ...entry, file: "src/b.ts" }]), undefined);
  assert.equal(ignoredBy(m, [{ ...entry, after: "a >= b" }]), undefined);
  // The same edit twice on one line: the column tells them apart.
  const at = { ...m, column: 12 };
  assert.equal(ignoredBy(at, [{ ...entry, line: 7, column: 12 }])?.why, "w");
  assert.equal(ignoredBy(at, [{ ...entry, line: 7, column: 3 }]), undefined);
  assert.equal(showEdit(m), "a < b -> a <= b");
  assert.equal(showEdit({ before: "f();", after: "" }), "f(); -> (nothing)");
});

Deno.test("mutate sample: an ignore entry that matches no mutant, or two, is reported", () => {
  const m = (line: number) => ({
    id: `src/a.ts:${line}:1 NumberShift`,
    file: "src/a.ts",
    line,
    column: 1,
    start: 0,
    end: 3,
    operator: "NumberShift",
    before: "100",
    after: "101",
  });
  const pool = { mutants: [m(3), m(9)], equivalent: 0, duplicates: 0 };
  const entry: Ignored = { file: "src/a.ts", before: "100", after: "101", why: "w" };
  assert.equal(
    ignoreCheck(pool, [{ ...entry, line: 9 }]),
    "ignore list: 1 entries, each one mutant",
  );
  assert.match(ignoreCheck(pool, [entry]), /src\/a\.ts: 100 -> 101 matches 2 mutants/);
  assert.match(ignoreCheck(pool, [{ ...entry, line: 4 }]), /matches 0 mutants/);
});

Deno.test("mutate sample: every ignore entry is reasoned and names a mutated file", async () => {
  for (const e of IGNORED) {
    assert.ok(e.file.startsWith("src/") && !e.file.startsWith("src/sim/"), e.file);
    const text = await Deno.readTextFile(new URL(`../${e.file}`, import.meta.url));
    // With a line, that line holds the edit (the first line of a longer one).
    const where = e.line === undefined ? text : text.split("\n")[e.line - 1] ?? "";
    const what = e.line === undefined ? e.before : e.before.split("\n")[0];
    assert.ok(
      oneLine(where).includes(oneLine(what)),
      `${e.file}${e.line ? `:${e.line}` : ""}: "${e.before}" is no longer there: update the entry`,
    );
    assert.ok(!textuallyEquivalent(e.before, e.after), `${e.file}: not an edit`);
    assert.ok(e.why.length > 30, `${e.file}: say why "${e.before}" -> "${e.after}" cannot matter`);
  }
});

Deno.test("mutate sample: our own operators find their sites, not in types", () => {
  const src = [
    "type T = 1 | 2;",
    "const o = { 3: 4 };",
    "async function f(xs: number[]): Promise<number> {",
    "  if (xs.length > 5) return 0;",
    "  await g();",
    "  for (const x of xs) { if (x) continue; }",
    "  return xs[6];",
    "}",
  ].join("\n");
  const sites = ownMutants("src/x.ts", src).map((s) =>
    `${s.operator}: ${src.slice(s.start, s.end)} -> ${s.after}`
  );
  assert.deepEqual(sites.sort(), [
    "AwaitDropped: await g() -> g()",
    "EarlyReturn: return 0; -> {}",
    "NumberShift: 0 -> (-1)",
    "NumberShift: 0 -> 1",
    "NumberShift: 4 -> 3",
    "NumberShift: 4 -> 5",
    "NumberShift: 5 -> 4",
    "NumberShift: 5 -> 6",
    "NumberShift: 6 -> 5",
    "NumberShift: 6 -> 7",
    "StatementRemoved: await g(); -> ",
    "StatementRemoved: continue; -> {}",
    "StatementRemoved: if (x) continue; -> ",
    "StatementRemoved: if (xs.length > 5) return 0; -> ",
  ]);
  assert.ok(OWN_OPERATORS.every((op) => sites.some((s) => s.startsWith(op))));
  assert.ok(isGenerated("// Generated from board.html by `deno task board`. Do not edit.\n"));
  assert.ok(!isGenerated("/** Not generated. */\n"));
});

Deno.test("mutate sample: the report gives the score, its interval and each survivor on a line", () => {
  const base = { id: "x", operator: "EqualityOperator", checkSeconds: 2, testSeconds: 40, by: [] };
  const r = (draw: number, status: SampleResult["status"], by: string[] = []): SampleResult => ({
    ...base,
    file: `src/f${draw}.ts`,
    line: draw + 10,
    before: "a < b",
    after: "a <= b",
    draw,
    status,
    by,
  });
  const results = [
    r(0, "killed", ["tests/a_test.ts: t"]),
    r(1, "survived"),
    r(2, "timeout", ["over the timeout"]),
    r(3, "uncompilable", ["TS2322"]),
    r(4, "ignored", ["the same either way"]),
    r(5, "killed", ["tests/b_test.ts: u"]),
  ];
  const pool = { mutants: [], equivalent: 0, duplicates: 0 };
  const run = { sample: 4, seed: 7, jobs: 2, timeout: 300, json: "", baseline: 60, wall: 100 };
  const { text, json } = sampleReport(pool, results, run);
  const lines = text.split("\n");
  assert.match(lines[0], /seed 7\): 3\/4 killed = 75\.0%, 95% interval 30\.1% to 95\.4%/);
  assert.ok(text.includes("4 run, 1 skipped (fail deno check), 1 ignored (equivalent)"));
  assert.ok(text.includes("killed 3 (1 by timeout), survived 1"));
  const survivors = lines.slice(lines.indexOf("## Survivors (1)") + 1);
  assert.equal(survivors[0], "- src/f1.ts:11 EqualityOperator: a < b -> a <= b");
  assert.equal(survivors[1], "");
  assert.ok(text.includes("## Killed by timeout (1)\n- src/f2.ts:12"));
  assert.ok(text.includes("## Ignored (equivalent) (1)\n- src/f4.ts:14"));
  assert.deepEqual(json.score, {
    killed: 3,
    timeouts: 1,
    run: 4,
    rate: 0.75,
    wilson95: wilson(3, 4),
  });
});

Deno.test("mutate sample: a mutant meets the unit lanes first, then the others cheapest first", () => {
  assert.deepEqual(
    laneOrder([
      "tests/lanes/2_protocol_test.ts",
      "tests/lanes/0_unit_b_test.ts",
      "tests/lanes/8_agents_b_test.ts",
      "tests/lanes/0_unit_a_test.ts",
      "tests/lanes/1_sim_server_test.ts",
    ]),
    [
      "tests/lanes/0_unit_a_test.ts",
      "tests/lanes/0_unit_b_test.ts",
      "tests/lanes/8_agents_b_test.ts",
      "tests/lanes/2_protocol_test.ts",
      "tests/lanes/1_sim_server_test.ts",
    ],
  );
});
