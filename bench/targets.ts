/**
 * The targets of issue 8 ("Fast to the floor"), checked against a bench result by
 * `deno task bench:check`.
 */

/** What the bench measured (the parts the targets read). */
export interface BenchFigures {
  /** Per fleet size: medians (ms) of the raw lists, the floor server and `fleet_overview`. */
  sizes: {
    agents: number;
    raw_ms: number;
    floor_ms: number;
    overview_ms: number;
    /** (overview - floor) / agents, in µs: the server's own work per agent. */
    overhead_per_agent_us: number;
  }[];
  /** At the reference size (1000 agents, 20 ms latency). */
  reference: {
    agents: number;
    overview_to_raw: number;
    floor_to_raw: number;
    /** overview - raw, ms. */
    overview_overhead_ms: number;
    /** get_agent on a task by UUID minus its raw GET, ms. */
    get_agent_over_raw_ms: number;
  };
  /** Spawn to the `tools/list` answer, one process, median ms (the `deno run` form). */
  cold_start_ms: number;
  /** The server's RSS after the reference runs, MB. */
  rss_mb: number;
  /** The RSS of the same server started with the binary's V8 flags (not a target: shown). */
  rss_flagged?: { v8_flags: string; mb: number };
  /** Whether one floor call and one `fleet_overview` sent Coder the same requests. */
  same_wire?: boolean;
}

/** One target: its name, the figure, the bound, and whether it is met. */
export interface TargetResult {
  target: string;
  measured: string;
  bound: string;
  met: boolean;
}

/** Judge the figures against the issue's table. */
export function judge(f: BenchFigures): TargetResult[] {
  const r = f.reference;
  const out: TargetResult[] = [];
  if (f.same_wire !== undefined) {
    out.push({
      target: "floor and fleet_overview send Coder the same requests (the comparison is fair)",
      measured: f.same_wire ? "same" : "different",
      bound: "same",
      met: f.same_wire,
    });
  }
  out.push(
    {
      target: `fleet_overview / raw list requests (${r.agents} agents)`,
      measured: `${r.overview_to_raw.toFixed(2)}x (floor ${r.floor_to_raw.toFixed(2)}x)`,
      bound: "≤ 1.20x",
      met: r.overview_to_raw <= 1.2,
    },
    {
      target: `fleet_overview overhead over the raw lists (${r.agents} agents)`,
      measured: `${r.overview_overhead_ms.toFixed(1)} ms`,
      bound: "≤ 8 ms",
      met: r.overview_overhead_ms <= 8,
    },
  );
  for (const s of f.sizes) {
    out.push({
      target: `server overhead per agent at ${s.agents} agents`,
      measured: `${s.overhead_per_agent_us.toFixed(1)} µs`,
      bound: "≤ 5 µs",
      met: s.overhead_per_agent_us <= 5,
    });
  }
  out.push(
    {
      target: "get_agent on a task by UUID, over its raw GET",
      measured: `+${r.get_agent_over_raw_ms.toFixed(1)} ms`,
      bound: "≤ +5 ms (one round trip)",
      met: r.get_agent_over_raw_ms <= 5,
    },
    {
      target: "cold start, spawn to tools/list (one spawn)",
      measured: `${f.cold_start_ms.toFixed(0)} ms`,
      bound: "≤ 100 ms",
      met: f.cold_start_ms <= 100,
    },
    {
      target: `server RSS after the ${r.agents}-agent runs (\`deno task start\`)`,
      measured: `${f.rss_mb.toFixed(0)} MB${
        f.rss_flagged
          ? ` (${
            f.rss_flagged.mb.toFixed(0)
          } MB with the binary's --v8-flags=${f.rss_flagged.v8_flags})`
          : ""
      }`,
      bound: "≤ 150 MB",
      met: f.rss_mb <= 150,
    },
  );
  return out;
}
