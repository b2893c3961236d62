/**
 * Tools as a client meets them, without a process: the server's own tool registration
 * (`serverFactory`, every tool of the catalog) on a {@link Fleet} over the simulated Coder on
 * 127.0.0.1, talked to by the official MCP client through an in-memory transport. What it
 * answers is what `tools/call` answers over stdio; it costs no spawn, so a test may read every
 * line of a tool's text at the edges of its caps. The spawned server is tests/e2e/harness.ts.
 */
import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport } from "@modelcontextprotocol/server";
import { Fleet, type FleetOptions } from "../../src/fleet/fleet.ts";
import { Redactor } from "../../src/redact.ts";
import { serverFactory } from "../../src/server.ts";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";
import { TOOLS } from "../../src/tools/index.ts";
import type { ToolResult } from "../e2e/harness.ts";

/** A sim, a fleet on it, and `call` through the official client. */
export interface OnSim {
  sim: Sim;
  fleet: Fleet;
  /** The official client, for what `call` does not do (cancelling a call, say). */
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
}

/**
 * Run `fn` with the catalog served in process over a new sim (frozen clock, like the e2e
 * harness: nothing moves unless the test moves it); everything is closed after.
 */
export async function onSim(
  opts: {
    sim?: SimOptions;
    fleet?: Partial<FleetOptions>;
    /** Told of every request the fleet sends, as it goes out (method and path). */
    onRequest?: (method: string, path: string) => void;
  },
  fn: (t: OnSim) => Promise<void>,
): Promise<void> {
  const sim = await startSim({ pace: 20, frozen: true, ...opts.sim });
  const fleet = withFetch(opts.onRequest, () =>
    new Fleet({
      url: sim.url,
      token: sim.token,
      pollMs: 200,
      watch: false,
      ...opts.fleet,
    }));
  const server = serverFactory(fleet, TOOLS, new Redactor([sim.token]))();
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "tools", version: "1" });
  try {
    await Promise.all([server.connect(a), client.connect(b)]);
    await fn({
      sim,
      fleet,
      client,
      async call(name, args = {}) {
        const r = await client.callTool({ name, arguments: args }, { timeout: 30_000 });
        // deno-lint-ignore no-explicit-any
        const text = (r.content as any[]).map((c) => c.text ?? "").join("\n");
        return { isError: r.isError as boolean | undefined, text, data: r.structuredContent };
      },
    });
  } finally {
    await client.close();
    await server.close();
    await sim.close();
  }
}

/**
 * Build the fleet with a `fetch` that tells `onRequest` of each request first (the Coder client
 * takes `fetch` when it is made); the real `fetch` does the rest.
 */
function withFetch(
  onRequest: ((method: string, path: string) => void) | undefined,
  make: () => Fleet,
) {
  if (!onRequest) return make();
  const real = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const req = input instanceof Request ? input : undefined;
    const url = new URL(req?.url ?? String(input));
    onRequest(init?.method ?? req?.method ?? "GET", url.pathname);
    return real(input, init);
  };
  try {
    return make();
  } finally {
    globalThis.fetch = real;
  }
}
