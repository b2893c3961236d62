/**
 * End-to-end harness: a simulated Coder on 127.0.0.1, and the server spawned the way a user runs
 * it (`deno task start`, stdio), driven by the official MCP client.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";

/** A running server with its client, its sim, and everything it wrote to stderr. */
export interface Harness {
  sim: Sim;
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Every text the server sent back (tool results, errors), for leak checks. */
  outputs: string[];
  /** Call a tool; returns the result and records its text. */
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

/** The parts of a tool result tests read. */
export interface ToolResult {
  isError?: boolean;
  text: string;
  // deno-lint-ignore no-explicit-any
  data: any;
}

/** Options: the sim's, the server's extra env and args, and the MCP era. */
export interface HarnessOptions {
  sim?: SimOptions;
  /** Reuse a running sim instead of starting one. */
  useSim?: Sim;
  env?: Record<string, string>;
  args?: string[];
  era?: "modern" | "legacy";
  token?: string;
}

/** A server process connected to the official MCP client over stdio. */
export interface Connected {
  client: Client;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
}

/**
 * Spawn the server as a user does (`deno <args>`, by default `deno task -q start`) with exactly
 * `env` (plus PATH and HOME), and connect the official client in the given MCP era.
 */
export async function connectServer(opts: {
  args?: string[];
  env?: Record<string, string>;
  era?: "modern" | "legacy";
}): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: opts.args ?? ["task", "-q", "start"],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ...opts.env,
    },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (d: Uint8Array | string) => {
    err += typeof d === "string" ? d : new TextDecoder().decode(d);
  });
  const client = new Client(
    { name: "e2e", version: "1.0.0" },
    opts.era === "legacy" ? {} : { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(transport);
  return { client, stderr: () => err };
}

/** Start a sim (or reuse one) and a server over stdio; connect the official client. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sim = opts.useSim ?? await startSim({ pace: 20, ...opts.sim });
  const { client, stderr } = await connectServer({
    args: ["task", "-q", "start", ...(opts.args ?? [])],
    env: {
      CODER_URL: sim.url,
      CODER_SESSION_TOKEN: opts.token ?? sim.token,
      CODER_FLEET_POLL_MS: "200",
      ...opts.env,
    },
    era: opts.era,
  });
  const outputs: string[] = [];
  return {
    sim,
    client,
    outputs,
    stderr,
    async call(name, args = {}) {
      const r = await client.callTool({ name, arguments: args }, { timeout: 120_000 });
      // deno-lint-ignore no-explicit-any
      const text = (r.content as any[]).map((c) => c.text ?? "").join("\n");
      outputs.push(text, JSON.stringify(r.structuredContent ?? null));
      return { isError: r.isError as boolean | undefined, text, data: r.structuredContent };
    },
    async close() {
      await client.close();
      if (!opts.useSim) await sim.close();
    },
  };
}

/**
 * Call a tool with the client's own timeout (default 60 s, what MCP clients wait by default);
 * the result is recorded in `h.outputs` like {@link Harness.call}. A client-side timeout comes
 * back as a thrown error whose message says so.
 */
export async function callWithin(
  h: Harness,
  name: string,
  args: Record<string, unknown> = {},
  timeoutMs = 60_000,
): Promise<ToolResult> {
  let r;
  try {
    r = await h.client.callTool({ name, arguments: args }, { timeout: timeoutMs });
  } catch (err) {
    throw new Error(`${name} gave no answer within ${timeoutMs} ms: ${String(err)}`);
  }
  // deno-lint-ignore no-explicit-any
  const text = (r.content as any[]).map((c) => c.text ?? "").join("\n");
  h.outputs.push(text, JSON.stringify(r.structuredContent ?? null));
  return { isError: r.isError as boolean | undefined, text, data: r.structuredContent };
}

/**
 * Assert a clean tool failure: `isError`, text starting `Error:` and a non-empty `Next:` line.
 * Returns the text for further checks.
 */
export function assertCleanError(r: ToolResult, what = "result"): string {
  if (r.isError !== true) throw new Error(`${what}: expected isError, got: ${r.text}`);
  if (!/^Error: \S/.test(r.text)) {
    throw new Error(`${what}: text does not start "Error:": ${r.text}`);
  }
  if (!/^Next: \S/m.test(r.text)) throw new Error(`${what}: no "Next:" line: ${r.text}`);
  return r.text;
}
