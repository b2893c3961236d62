/**
 * End-to-end harness: a simulated Coder on 127.0.0.1, and the server spawned the way a user runs
 * it (`deno task start`, stdio), driven by the official MCP client.
 */
import {
  Client,
  deserializeMessage,
  type JSONRPCMessage,
  serializeMessage,
  type Transport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";
import { within } from "../deadline.ts";

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
  /**
   * Call a waiting tool and move the sim's clock `stepMs` forward at each of its progress
   * notifications (one per round, sent once the call watches): agents do minutes of work while
   * the call waits, instead of the test sleeping through them.
   */
  callAdvancing(
    name: string,
    args: Record<string, unknown>,
    stepMs: number,
  ): Promise<ToolResult>;
  /**
   * Start a waiting tool call without awaiting it. `round(n)` settles once the call has sent its
   * n-th progress notification (default 1): a wait sends one per round, the first once it has
   * read the fleet, so from then on it sees every change. The event to wait on before changing
   * what the call watches, instead of a sleep.
   */
  begin(name: string, args: Record<string, unknown>): Begun;
  /**
   * Freeze the sim's clock while `fn` runs (nothing moves between a tool call and truth()),
   * then let it run again.
   */
  frozen<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Agents' states by id, from list_agents rows: to compare with `sim.truth().by_id`. */
export function byId(agents: { id: string; state: string }[]): Record<string, string> {
  return Object.fromEntries(agents.map((a) => [a.id, a.state]));
}

/** A waiting call in flight (see {@link Harness.begin}). */
export interface Begun {
  result: Promise<ToolResult>;
  /** Settles once the call has sent `n` progress notifications (default 1). */
  round(n?: number): Promise<void>;
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
 * The SDK's stdio client transport, unchanged. Being a subclass makes the official client (2.4.0)
 * send its modern-era `server/discover` probe in place, on the session's own process. Given the
 * SDK's own class, it probes a disposable *sibling* instead: a second server process spawned
 * from the same command, asked one question and killed before the real one starts (for servers
 * that die on a request before `initialize`). Every modern-era connection then starts the server
 * twice. The server answers `server/discover` on its session either way, so probing in place
 * tests the same command, negotiation and era with one process; `probe: "sibling"` keeps the
 * SDK's own path, which tests/e2e/stdio_e2e_test.ts exercises.
 */
export class InPlaceStdioTransport extends StdioClientTransport {}

/**
 * Spawn the server as a user does (`deno <args>`, by default `deno task -q start`) with exactly
 * `env` (plus PATH and HOME), and connect the official client in the given MCP era.
 */
export async function connectServer(opts: {
  args?: string[];
  env?: Record<string, string>;
  era?: "modern" | "legacy";
  /** Working directory of the server (default: this one). */
  cwd?: string;
  /**
   * Where a modern-era client sends its `server/discover` probe (see
   * {@link InPlaceStdioTransport}): on the session's process (default), or on a sibling process
   * as the SDK's own stdio transport does.
   */
  probe?: "in-place" | "sibling";
}): Promise<Connected> {
  const Transport = opts.probe === "sibling" ? StdioClientTransport : InPlaceStdioTransport;
  const transport = new Transport({
    command: Deno.execPath(),
    args: opts.args ?? ["task", "-q", "start"],
    cwd: opts.cwd,
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

/**
 * Start a sim (or reuse one) and a server over stdio; connect the official client. The sim's
 * clock starts frozen unless `sim.frozen` is false: nothing in the fleet moves between a tool call
 * and what the test reads from the sim, unless the test moves it (`setTask`, `setChat`,
 * `sim.clock.advance`, {@link Harness.callAdvancing}). The server's own clock runs on: the
 * sim's timestamps fall behind it by the time the test has run (an agent the test set a second
 * ago may look older to the server), which matters only for rules near their boundaries.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sim = opts.useSim ?? await startSim({ pace: 20, frozen: true, ...opts.sim });
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
  // deno-lint-ignore no-explicit-any
  const record = async (call: Promise<any>): Promise<ToolResult> => {
    const r = await call;
    // deno-lint-ignore no-explicit-any
    const text = (r.content as any[]).map((c) => c.text ?? "").join("\n");
    outputs.push(text, JSON.stringify(r.structuredContent ?? null));
    return { isError: r.isError as boolean | undefined, text, data: r.structuredContent };
  };
  return {
    sim,
    client,
    outputs,
    stderr,
    call: (name, args = {}) =>
      record(client.callTool({ name, arguments: args }, { timeout: 120_000 })),
    callAdvancing: (name, args, stepMs) =>
      record(client.callTool({ name, arguments: args }, {
        timeout: 120_000,
        onprogress: () => sim.clock.advance(stepMs),
      })),
    begin(name, args) {
      let seen = 0;
      const waiters: { n: number; done: () => void }[] = [];
      const result = record(client.callTool({ name, arguments: args }, {
        timeout: 120_000,
        onprogress: () => {
          seen++;
          for (const w of waiters.filter((w) => w.n <= seen)) w.done();
        },
      }));
      return {
        result,
        round: (n = 1) =>
          new Promise<void>((resolve, reject) => {
            if (seen >= n) return resolve();
            waiters.push({ n, done: resolve });
            // A call that ends first will never send it: fail instead of hanging.
            const early = () => {
              if (seen < n) reject(new Error(`${name} ended after ${seen} of ${n} progress`));
            };
            result.then(early, early);
          }),
      };
    },
    async frozen(fn) {
      const was = sim.clock.frozen;
      sim.clock.freeze();
      try {
        return await fn();
      } finally {
        if (!was) sim.clock.unfreeze();
      }
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

/**
 * A stdio transport for the official client that keeps everything the server wrote: every byte
 * of stdout (each JSON-RPC message as sent, and anything else) and of stderr. For scans that
 * must see the raw stream, not the client's parsed view of it.
 */
export class RecordingTransport implements Transport {
  /** Everything the server wrote to stdout. */
  stdout = "";
  /** Everything the server wrote to stderr. */
  stderr = "";
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  #child?: Deno.ChildProcess;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #done?: Promise<unknown>;
  readonly #args: string[];
  readonly #env: Record<string, string>;

  /** Spawn `deno <args>` with exactly `env` (plus PATH, HOME, NO_COLOR, DENO_DIR). */
  constructor(opts: { args?: string[]; env?: Record<string, string> }) {
    this.#args = opts.args ?? ["task", "-q", "start"];
    this.#env = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ...opts.env,
    };
  }

  /** Start the server process (once; later calls do nothing). */
  start(): Promise<void> {
    if (this.#child) return Promise.resolve();
    const child = new Deno.Command(Deno.execPath(), {
      args: this.#args,
      env: this.#env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    const out = (async () => {
      const dec = new TextDecoder();
      let buf = "";
      for await (const chunk of child.stdout) {
        const text = dec.decode(chunk, { stream: true });
        this.stdout += text;
        buf += text;
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i).replace(/\r$/, "");
          buf = buf.slice(i + 1);
          if (line.trim() === "") continue;
          try {
            this.onmessage?.(deserializeMessage(line));
          } catch (err) {
            this.onerror?.(err instanceof Error ? err : new Error(String(err)));
          }
        }
      }
    })();
    const err = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of child.stderr) this.stderr += dec.decode(chunk, { stream: true });
    })();
    this.#done = Promise.all([out, err, child.status]).finally(() => this.onclose?.());
    return Promise.resolve();
  }

  /** Write one JSON-RPC message. */
  async send(message: JSONRPCMessage): Promise<void> {
    await this.#writer!.write(new TextEncoder().encode(serializeMessage(message)));
  }

  /** The exit status, once the process has ended. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#child!.status;
  }

  /** Close stdin; kill the process if it has not exited 3 s later; wait for it. */
  async close(): Promise<void> {
    if (!this.#child) return;
    await this.#writer?.close().catch(() => undefined);
    const timer = setTimeout(() => {
      try {
        this.#child?.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 3000);
    await this.#done;
    clearTimeout(timer);
  }
}

/** A spawned `--http` server's stderr, read until it says it is serving, then drained. */
export interface ServingLog {
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Settles when stderr has ended (the process exited), or reading was cancelled. */
  done: Promise<void>;
  /** Stop reading (the process is being ended). */
  cancel(): Promise<void>;
}

/**
 * Read a spawned server's stderr until it prints `serving MCP`, then keep draining it in the
 * background. Throws with what it printed when stderr ends first (it could not start), or when
 * it has not said so within `ms` (it hangs).
 */
export async function untilServing(child: Deno.ChildProcess, ms = 30_000): Promise<ServingLog> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let err = "";
  const end = Date.now() + ms;
  while (!err.includes("serving MCP")) {
    const { value, done } = await within(
      reader.read(),
      `the server to say "serving MCP" (stderr so far: ${err})`,
      Math.max(1, end - Date.now()),
    ).catch(async (e) => {
      await reader.cancel().catch(() => {});
      throw e;
    });
    if (done) throw new Error(`the server did not start: ${err}`);
    err += value;
  }
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: "", done: true }));
      if (done) return;
      err += value;
    }
  })();
  return { stderr: () => err, done, cancel: () => reader.cancel().catch(() => {}) };
}

/**
 * A raw JSON-RPC `initialize` request of the 2025 era (id 1), for tests that speak to the server
 * without the MCP client: over stdio lines or a bare HTTP POST.
 */
export function initializeRequest(client: string): Record<string, unknown> {
  return {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: client, version: "1" },
    },
  };
}
