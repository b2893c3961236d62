/**
 * The server reads only the variables in ENV_VARS, so it runs under `--allow-env=` that list
 * (the grant of every scoped form), and the list names every variable the source reads.
 *
 * That it starts under that grant is seen from outside: tests/e2e/cli_test.ts runs `--help`
 * through `deno task start` (which grants exactly ENV_VARS, below) and finds no refusal, and
 * tests/e2e/bundle_test.ts serves every read tool under a scoped build's grant and checks each
 * variable the server asked for.
 */
import assert from "node:assert/strict";
import { ENV_VARS, readEnv } from "../src/env.ts";

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory && e.name !== "sim") out.push(...await sourceFiles(p));
    else if (e.isFile && p.endsWith(".ts")) out.push(p);
  }
  return out;
}

Deno.test("env: ENV_VARS names every CODER_* variable the server's source reads", async () => {
  const named = new Set<string>();
  for (const file of await sourceFiles("src")) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/["'`](CODER_[A-Z0-9_]+)["'`]/g)) named.add(m[1]);
  }
  assert.ok(named.has("CODER_URL") && named.has("CODER_SESSION_TOKEN"), [...named].join(","));
  const missing = [...named].filter((n) => !(ENV_VARS as readonly string[]).includes(n));
  assert.deepEqual(missing, [], "add these to ENV_VARS in src/env.ts");
});

Deno.test("env: deno task start and demo grant exactly ENV_VARS", async () => {
  const tasks = JSON.parse(await Deno.readTextFile("deno.json")).tasks as Record<string, string>;
  for (const name of ["start", "demo"]) {
    const grants = tasks[name].split(/\s+/).filter((w) => w.startsWith("--allow-env"));
    // A variable missing here is silently unset under `deno task start`: its setting is ignored.
    assert.deepEqual(grants, [`--allow-env=${ENV_VARS.join(",")}`], `deno task ${name}`);
  }
});

Deno.test("env: the README's configuration table names every variable", async () => {
  const readme = await Deno.readTextFile("README.md");
  const table = readme.split("## Configuration")[1]?.split("\n\n")[1] ?? "";
  for (const name of ENV_VARS) {
    assert.match(table, new RegExp(`\`${name}[=\`]`), `${name} in the table`);
  }
});

Deno.test("env: readEnv reads exactly ENV_VARS, and an unset variable is absent (not undefined)", () => {
  const saved = new Map(ENV_VARS.map((n) => [n, Deno.env.get(n)]));
  try {
    for (const n of ENV_VARS) Deno.env.delete(n);
    Deno.env.set("CODER_FLEET_POLL_MS", "250");
    Deno.env.set("CODER_FLEET_NOT_A_SETTING", "x");
    assert.deepEqual(readEnv(), { CODER_FLEET_POLL_MS: "250" });
  } finally {
    Deno.env.delete("CODER_FLEET_NOT_A_SETTING");
    for (const [n, v] of saved) v === undefined ? Deno.env.delete(n) : Deno.env.set(n, v);
  }
});
