/**
 * Heap allocated per call, stage by stage, at 1000 agents (600 tasks, 400 chats), in-process
 * against the simulated Coder (its own process). Run it with a young generation too large to be
 * collected during one call, so that the growth of `heapUsed` across a call is what it allocated:
 *
 *   deno run -A --v8-flags=--min-semi-space-size=256,--max-semi-space-size=256 bench/alloc.ts
 *
 * Each figure is the median of 5 calls after 3 unmeasured ones. What a call allocates is what the
 * garbage collector must later clear: the less, the smaller the heap V8 grows to (RSS) and the
 * fewer pauses.
 */
import { startSimProcess } from "./sim_process.ts";
import { Fleet } from "../src/fleet/fleet.ts";
import { fleetOverview } from "../src/tools/fleet_overview.ts";
import { listAgents } from "../src/tools/list_agents.ts";
import { DEFAULT_MAX_BYTES, readCapped } from "../src/coder/body.ts";
import { listTasks } from "../src/backends/tasks/api.ts";
import { listChats } from "../src/backends/chats/api.ts";

const AGENTS = Number(Deno.env.get("ALLOC_AGENTS") ?? 1000);
const tasks = Math.round(AGENTS * 0.6);
const sim = await startSimProcess({ tasks, chats: AGENTS - tasks, rateLimit: 0 });
try {
  const fleet = new Fleet({ url: sim.url, token: sim.token, ratePerMinute: 10000 });
  const signal = new AbortController().signal;
  const progress = () => Promise.resolve();
  const headers = { "Coder-Session-Token": sim.token };
  const used = () => Deno.memoryUsage().heapUsed;
  const rows: [string, number][] = [];
  const alloc = async (label: string, fn: () => Promise<unknown> | unknown) => {
    for (let i = 0; i < 3; i++) await fn();
    const xs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = used();
      await fn();
      xs.push(used() - a);
    }
    rows.push([label, xs.sort((a, b) => a - b)[2] / 1e6]);
  };
  const raw = async (p: string) =>
    readCapped(await fetch(sim.url + p, { headers }), DEFAULT_MAX_BYTES);
  const bodies = await Promise.all(["/api/v2/tasks", "/api/v2/chats"].map(raw));
  await alloc("fetch + read the task list (readCapped)", () => raw("/api/v2/tasks"));
  await alloc("fetch + read the chat list (readCapped)", () => raw("/api/v2/chats"));
  await alloc("JSON.parse of both", () => bodies.map((b) => JSON.parse(b)));
  await alloc(
    "listTasks: fetch, parse, check, normalise",
    () => listTasks(fleet.client, "/api/v2"),
  );
  await alloc(
    "listChats: fetch, parse, check, normalise",
    () => listChats(fleet.client, "/api/v2"),
  );
  const d = await fleet.deployment(signal);
  for (const b of d.backends) {
    await alloc(`${b.kind}s as summaries`, () => b.summaries!({}, signal));
    await alloc(`${b.kind}s as full agents`, () => b.list({}, signal));
  }
  await alloc(
    "fleet_overview handler",
    () => fleetOverview.handler({}, { fleet, signal, progress }),
  );
  await alloc(
    "list_agents state=idle limit=50 handler",
    () =>
      listAgents.handler(
        listAgents.input.parse({ state: ["idle"], limit: 50 }),
        { fleet, signal, progress },
      ),
  );
  console.log(
    `\n## Heap allocated per call, ${AGENTS} agents (bodies ${
      bodies.map((b) => `${(b.length / 1e6).toFixed(2)} MB`).join(" + ")
    })\n`,
  );
  console.log("| stage | MB |\n|---|---|");
  for (const [k, v] of rows) console.log(`| ${k} | ${v.toFixed(2)} |`);
} finally {
  await sim.close();
}
