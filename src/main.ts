/**
 * The CLI entry: `deno task start` (stdio), `--http [host:]port`, `--demo` (simulated fleet).
 */
import process from "node:process";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { type Config, parseArgs, readDotEnv } from "./config.ts";
import { readEnv } from "./env.ts";
import { Fleet } from "./fleet/fleet.ts";
import { serverFactory } from "./server.ts";
import { selectTools } from "./tools/index.ts";

async function main(): Promise<number> {
  const parsed = parseArgs(Deno.args, readEnv(), readDotEnv());
  if (parsed.kind === "exit") {
    if (parsed.out) console.log(parsed.out);
    if (parsed.err) console.error(parsed.err);
    return parsed.code;
  }
  const config = parsed.config;
  let tools;
  try {
    tools = selectTools({ readOnly: config.readOnly, allow: config.tools });
  } catch (err) {
    console.error(`coder-fleet-mcp: ${(err as Error).message}`);
    return 2;
  }
  let url = config.url!, token = config.token!;
  let closeSim: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startDemo } = await import("./demo.ts");
    const demo = await startDemo();
    url = demo.url;
    token = demo.token;
    closeSim = demo.close;
  }
  const fleet = new Fleet({ url, token, backend: config.backend, pollMs: config.pollMs });
  const factory = serverFactory(fleet, tools);
  if (config.http) {
    await serveHttp(config, factory);
  } else {
    const handle = serveStdio(factory, {
      onerror: (e) => console.error(`coder-fleet-mcp: ${e.message}`),
    });
    // Run until the client closes stdin or the process is told to stop.
    await new Promise<void>((resolve) => {
      process.stdin.once("end", resolve);
      process.stdin.once("close", resolve);
      Deno.addSignalListener("SIGTERM", resolve);
      Deno.addSignalListener("SIGINT", resolve);
    });
    await handle.close().catch(() => {});
  }
  await closeSim?.();
  return 0;
}

async function serveHttp(config: Config, factory: ReturnType<typeof serverFactory>) {
  const handler = createMcpHandler(factory, {
    onerror: (e) => console.error(`coder-fleet-mcp: ${e.message}`),
  });
  const expected = `Bearer ${config.httpToken}`;
  const server = Deno.serve({
    hostname: config.http!.host,
    port: config.http!.port,
    onListen: ({ hostname, port }) =>
      console.error(`coder-fleet-mcp: serving MCP on http://${hostname}:${port}/mcp`),
  }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path !== "/mcp") return new Response("Not found\n", { status: 404 });
    if (!timingSafeEqual(req.headers.get("authorization") ?? "", expected)) {
      return new Response("Unauthorized: send Authorization: Bearer $CODER_FLEET_HTTP_TOKEN\n", {
        status: 401,
        headers: { "WWW-Authenticate": "Bearer" },
      });
    }
    return await handler.fetch(req);
  });
  await server.finished;
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
