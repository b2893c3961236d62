/**
 * The CLI entry: `deno task start` (stdio), `--http [host:]port`, `--demo` (simulated fleet).
 * Misconfiguration exits 2 with one line; SIGINT and SIGTERM (and stdin closing, on stdio) end
 * the process cleanly with exit 0.
 */
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { type Config, isLoopbackHost, parseArgs, readDotEnv, readEnv } from "./config.ts";
import { Fleet } from "./fleet/fleet.ts";
import { Redactor } from "./redact.ts";
import { serverFactory } from "./server.ts";
import { selectTools } from "./tools/index.ts";
import { LineStdioTransport } from "./transport/stdio.ts";
import { StderrLog } from "./log.ts";

/** Secrets to keep out of every output and log line, once they are known. */
let redactor = new Redactor([]);
/** Log lines never block the server, even when nobody reads its stderr (log.ts). */
const stderr = new StderrLog();
const log = (line: string) => stderr.line(`coder-fleet-mcp: ${redactor.text(line)}`);

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(sig, () => resolve(sig));
      } catch {
        // SIGTERM cannot be listened to on Windows.
      }
    }
  });
}

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
    log((err as Error).message);
    return 2;
  }
  if (tools.length === 0) {
    log(
      `no tool is left to serve: CODER_FLEET_TOOLS${
        config.readOnly ? " with read-only mode" : ""
      } selects none (read-only mode keeps only read tools)`,
    );
    return 2;
  }
  const stop = stopSignal();
  let url = config.url!, token = config.token!;
  let closeSim: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startDemo } = await import("./demo.ts");
    const demo = await startDemo();
    url = demo.url;
    token = demo.token;
    closeSim = demo.close;
  }
  const fleet = new Fleet({
    url,
    token,
    backend: config.backend,
    pollMs: config.pollMs,
    ratePerMinute: config.ratePerMinute,
    maxResponseBytes: config.maxResponseBytes,
    stalledMs: config.stalledMin * 60_000,
  });
  redactor = new Redactor([token, config.httpToken]);
  const factory = serverFactory(fleet, tools, redactor, { callBudgetMs: config.callBudgetMs });
  const code = config.http ? await runHttp(config, factory, stop) : await runStdio(factory, stop);
  await closeSim?.();
  return code;
}

async function runStdio(factory: ReturnType<typeof serverFactory>, stop: Promise<string>) {
  const transport = new LineStdioTransport();
  const handle = serveStdio(factory, { transport, onerror: (e) => log(e.message) });
  // Run until the client closes stdin or the process is told to stop.
  await Promise.race([transport.closed, stop]);
  await handle.close().catch(() => {});
  // Let the last answers reach stdout, unless the client stopped reading.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([transport.flushed(), new Promise((r) => (timer = setTimeout(r, 2000)))]);
  clearTimeout(timer);
  return 0;
}

async function runHttp(
  config: Config,
  factory: ReturnType<typeof serverFactory>,
  stop: Promise<string>,
): Promise<number> {
  const { host, port } = config.http!;
  if (!isLoopbackHost(host)) {
    log(
      `WARNING: --http-allow-remote: listening on ${host}, beyond loopback; anyone who can reach it and holds CODER_FLEET_HTTP_TOKEN acts with your Coder token`,
    );
  }
  let server;
  try {
    // Loaded only for --http: the stdio path (the common one) starts without it.
    const { serveHttp } = await import("./transport/http.ts");
    server = await serveHttp(factory, {
      host,
      port,
      token: config.httpToken!,
      extraHosts: config.httpAllowedHosts,
      onerror: (e) => log(e.message),
    });
  } catch (err) {
    log(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
    return 1;
  }
  const shown = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  log(`serving MCP on http://${shown}:${server.addr.port}/mcp`);
  await Promise.race([stop, server.finished]);
  await server.shutdown();
  return 0;
}

if (import.meta.main) {
  const code = await main();
  await stderr.flush(1_000);
  Deno.exit(code);
}
