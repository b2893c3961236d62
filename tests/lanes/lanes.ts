/**
 * Lanes. `deno task test` runs only the modules in tests/lanes/ (deno.json `test.include`); each
 * imports a share of the test files, and four lanes run side by side (`DENO_JOBS=4` in the task;
 * 3 and 5 were slower here, 9 at once made a loaded machine delay timers enough to fail a
 * heartbeat test). Lanes start in the order of their names, the longest first: a long lane
 * started last would hold the whole suite.
 *
 * Why: Deno gives every test module its own isolate. Here that costs about 0.3 CPU-s a module
 * before its first line runs, and every e2e file then loads the MCP client and the sim and warms
 * up the JIT again. With 66 files that was a fifth of the suite's CPU. A lane pays it once.
 *
 * Every test file still runs on its own, as before:
 *   deno test --allow-net=127.0.0.1,localhost --allow-env --allow-read --allow-run \
 *     --allow-write=dist tests/e2e/tasks_e2e_test.ts
 *
 * A new test file must be imported by one lane: the test below fails until it is.
 */
import assert from "node:assert/strict";

const TESTS = new URL("../", import.meta.url);
const LANES = new URL("./", import.meta.url);

/** Every `*_test.ts` under tests/, outside tests/lanes/, relative to tests/. */
export async function testFiles(dir = TESTS, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix + e.name;
    if (e.isDirectory && rel !== "lanes") {
      out.push(...await testFiles(new URL(`${e.name}/`, dir), `${rel}/`));
    } else if (e.isFile && e.name.endsWith("_test.ts") && prefix !== "lanes/") {
      out.push(rel);
    }
  }
  return out.sort();
}

/** Each lane module's name and the test files it imports (relative to tests/). */
export async function laneImports(): Promise<Map<string, string[]>> {
  const lanes = new Map<string, string[]>();
  for await (const e of Deno.readDir(LANES)) {
    if (!e.isFile || !e.name.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(new URL(e.name, LANES));
    lanes.set(e.name, [...text.matchAll(/^import "\.\.\/(.+)";$/gm)].map((m) => m[1]));
  }
  return lanes;
}

Deno.test("lanes: every test file runs in exactly one lane", async () => {
  const files = await testFiles();
  const lanes = await laneImports();
  const where = new Map<string, string[]>();
  for (const [lane, imports] of lanes) {
    for (const f of imports) where.set(f, [...where.get(f) ?? [], lane]);
  }
  const missing = files.filter((f) => !where.has(f));
  const twice = [...where].filter(([, ls]) => ls.length > 1).map(([f, ls]) => `${f} (${ls})`);
  const gone = [...where.keys()].filter((f) => !files.includes(f));
  assert.deepEqual(
    { missing, twice, gone },
    { missing: [], twice: [], gone: [] },
    'add each missing file to one lane in tests/lanes/ (an `import "../<file>";` line); ' +
      "a file imported twice would run twice",
  );
  assert.ok(files.length > 50 && lanes.size > 1, `${files.length} files, ${lanes.size} lanes`);
});
