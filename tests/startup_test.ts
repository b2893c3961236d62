/**
 * What the stdio server loads before its first answer: the static import graph of src/main.ts
 * (read with `deno info --json`, dynamic imports not followed) holds neither the HTTP transport
 * (`--http` only) nor the simulated Coder (`--demo` only), nor anything only tests and the bench
 * use. Each module kept off that graph is start-up time saved on every `deno task start`.
 */
import assert from "node:assert/strict";

interface Dep {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}

Deno.test("the stdio start loads neither the HTTP transport nor the sim", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/main.ts"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.ok(out.success);
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: { specifier: string; dependencies?: Dep[] }[];
  };
  const bySpec = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const todo = [...graph.roots];
  const lazy = new Set<string>();
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of bySpec.get(s)?.dependencies ?? []) {
      if (!d.code) continue; // type-only
      if (d.isDynamic) lazy.add(d.code.specifier);
      else todo.push(d.code.specifier);
    }
  }
  const ours = [...seen].filter((s) => s.startsWith("file:")).map((s) =>
    s.replace(/^.*\/src\//, "src/")
  );
  assert.ok(ours.includes("src/server.ts"), "the graph was read");
  for (const banned of ["src/transport/http.ts", "src/demo.ts"]) {
    assert.ok(!ours.includes(banned), `${banned} is loaded at start`);
  }
  assert.deepEqual(ours.filter((s) => s.startsWith("src/sim/")), [], "the sim is loaded at start");
  assert.ok(
    [...lazy].some((s) => s.endsWith("src/transport/http.ts")),
    "--http still loads it",
  );
});

Deno.test("src/main.ts, the package's export, starts nothing when imported (only when run)", async () => {
  const mod = await import("../src/main.ts");
  assert.deepEqual(Object.keys(mod), [], "it exports nothing");
});
