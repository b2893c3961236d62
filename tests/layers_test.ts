/**
 * The layers of src/ hold without anyone watching (README, "Layout"): every relative import of
 * every module is read and checked against the rules below, and src/ has no import ring.
 *
 *   tools/ -> fleet/ -> backends/{tasks,chats}/ -> model/ -> coder/
 *
 * - `coder/` (the HTTP client) imports only `coder/`;
 * - `model/` imports `model/` and `coder/`;
 * - a back end imports its own folder, `model/` and `coder/`: never `fleet/`, never the other
 *   back end;
 * - `fleet/` imports the back ends only in `detect.ts`, where it builds them;
 * - nothing above the back ends imports them (tools, board, transport, server);
 * - the simulated Coder (`sim/`) imports only `sim/`, and only `demo.ts` imports it.
 */
import assert from "node:assert/strict";

const SRC = new URL("../src/", import.meta.url);

/** `from "./x.ts"`, `import "./x.ts"`, `import("./x.ts")`, `export ... from "./x.ts"`. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Every module under src/ (path relative to src/) and the src/ modules it imports. */
export async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const walk = async (dir: URL, prefix: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
      else if (e.isFile && e.name.endsWith(".ts")) {
        const file = `${prefix}${e.name}`;
        const text = await Deno.readTextFile(new URL(e.name, dir));
        graph.set(file, importsOf(file, text));
      }
    }
  };
  await walk(SRC, "");
  return graph;
}

/** The src/-relative modules a module's text imports. */
export function importsOf(file: string, text: string): string[] {
  const base = new URL(file, "file:///src/");
  const out = new Set<string>();
  for (const m of text.matchAll(IMPORT)) {
    const target = new URL(m[1], base).pathname;
    if (target.startsWith("/src/")) out.add(target.slice("/src/".length));
  }
  return [...out];
}

/** The layer of a module: its folder under src/ (`backends/tasks`, say), or `root`. */
function layer(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "backends") return `backends/${parts[1]}`;
  return parts.length > 1 ? parts[0] : "root";
}

/** What a layer may import, besides itself. */
const ALLOWED: Record<string, (to: string, from: string) => boolean> = {
  coder: () => false,
  model: (to) => to === "coder",
  "backends/tasks": (to) => to === "model" || to === "coder",
  "backends/chats": (to) => to === "model" || to === "coder",
  fleet: (to, from) =>
    to === "model" || to === "coder" || (to.startsWith("backends/") && from === "fleet/detect.ts"),
  sim: () => false,
};

/** One line for each import that breaks a rule of the module's notes. */
export function violations(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const own = layer(from);
    for (const to of targets) {
      const theirs = layer(to);
      if (theirs === own) continue;
      const rule = ALLOWED[own];
      const bad = rule
        ? !rule(theirs, from)
        : (theirs.startsWith("backends/") || (theirs === "sim" && from !== "demo.ts"));
      if (bad) out.push(`${from} imports ${to} (${own} may not import ${theirs})`);
    }
  }
  return out.sort();
}

/** Every import ring of the graph, each as its modules in order (empty when there is none). */
export function rings(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components; a component of two or more modules is a ring.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

Deno.test("layers: every import in src/ follows the layer rules", async () => {
  const graph = await importGraph();
  assert.ok(graph.size > 80, `read ${graph.size} modules`);
  assert.ok(graph.get("fleet/detect.ts")?.some((t) => t.startsWith("backends/")));
  assert.deepEqual(violations(graph), []);
});

Deno.test("layers: src/ has no import ring", async () => {
  assert.deepEqual(rings(await importGraph()), []);
});

Deno.test("layers: the checker catches a wrong import and a ring", async (t) => {
  const graph = await importGraph();
  const before = new Set(violations(graph));
  const wrong = (from: string, to: string) => {
    const g = new Map(graph);
    g.set(from, [...(g.get(from) ?? []), to]);
    return violations(g).filter((v) => !before.has(v));
  };
  await t.step("a back end importing fleet/", () => {
    assert.deepEqual(wrong("backends/chats/backend.ts", "fleet/fleet.ts"), [
      "backends/chats/backend.ts imports fleet/fleet.ts (backends/chats may not import fleet)",
    ]);
  });
  await t.step("a back end importing the other back end", () => {
    assert.equal(wrong("backends/chats/mapping.ts", "backends/tasks/state.ts").length, 1);
  });
  await t.step("coder/ importing anything above it", () => {
    assert.equal(wrong("coder/http.ts", "model/text.ts").length, 1);
    assert.equal(wrong("coder/lists.ts", "backends/tasks/wire.ts").length, 1);
  });
  await t.step("fleet/ importing a back end outside detection", () => {
    assert.equal(wrong("fleet/pacer.ts", "backends/chats/watch.ts").length, 1);
  });
  await t.step("a tool importing a back end", () => {
    assert.equal(wrong("tools/list_agents.ts", "backends/tasks/backend.ts").length, 1);
  });
  await t.step("the product importing the simulator", () => {
    assert.equal(wrong("server.ts", "sim/server.ts").length, 1);
  });
  await t.step("a ring", () => {
    const g = new Map(graph);
    g.set("model/text.ts", [...(g.get("model/text.ts") ?? []), "model/agent.ts"]);
    const known = new Set(rings(graph).map((r) => r.join()));
    assert.deepEqual(rings(g).filter((r) => !known.has(r.join())), [[
      "model/agent.ts",
      "model/text.ts",
    ]]);
  });
  await t.step("the import parser reads every form", () => {
    const text = [
      'import { a } from "./a.ts";',
      'import type { B } from "../model/b.ts";',
      'export * from "./c.ts";',
      'import "./d.ts";',
      'const e = await import("../coder/e.ts");',
      'import { z } from "zod";',
    ].join("\n");
    assert.deepEqual(importsOf("fleet/x.ts", text).sort(), [
      "coder/e.ts",
      "fleet/a.ts",
      "fleet/c.ts",
      "fleet/d.ts",
      "model/b.ts",
    ]);
  });
});
