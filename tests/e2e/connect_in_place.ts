/**
 * One server process per connection.
 *
 * With `versionNegotiation: { pin }` (or `auto`), the official client (2.4.0) given the SDK's own
 * `StdioClientTransport` sends its `server/discover` probe to a disposable *sibling*: a second
 * server process, spawned from the same command, asked one question and killed, before the real
 * one starts (for servers that die on a request before `initialize`). Every modern-era
 * connection thus starts the server twice; under `strace -f -e trace=execve` a test that
 * connects once shows two `deno task -q start` (and two `deno run`). The client probes in place,
 * on the session's own process, for any other transport, including a subclass of the stdio one
 * (`readStdioServerParams` in the client's negotiation code). This server answers
 * `server/discover` on its session (the HTTP transport is probed the same way), so a subclass
 * that changes nothing halves the processes and leaves what is tested as it was: the command
 * spawned as written, the same negotiation, the same era.
 *
 * `connectServer` in harness.ts has the same shape; it can construct {@link InPlaceStdioTransport}
 * instead of `StdioClientTransport` and then serve every e2e test this way.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { Connected } from "./harness.ts";

/** The SDK's stdio client transport, unchanged: being a subclass makes the probe run in place. */
export class InPlaceStdioTransport extends StdioClientTransport {}

/**
 * Spawn the server (`deno <args>`, by default `deno task -q start`) with exactly `env` (plus
 * PATH, HOME, NO_COLOR, DENO_DIR), and connect the official client in the given MCP era: one
 * process, probed in place.
 */
export async function connectInPlace(opts: {
  args?: string[];
  env?: Record<string, string>;
  era?: "modern" | "legacy";
  /** Working directory of the server (default: this one). */
  cwd?: string;
}): Promise<Connected> {
  const transport = new InPlaceStdioTransport({
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
