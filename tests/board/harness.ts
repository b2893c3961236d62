/**
 * Browser-test harness for the Fleet board: the server spawned with `--http` against a sim, a
 * test host site on 127.0.0.1 (host page, bundled host script, the board's frame document served
 * with a no-network CSP, and a same-origin /mcp proxy that adds the Bearer token), and headless
 * Debian chromium driven by puppeteer-core (which downloads no browser).
 */
import type { Sim } from "../../src/sim/server.ts";
import { untilServing } from "../e2e/harness.ts";
import { exited } from "../deadline.ts";
import { contentKey } from "../e2e/bundle_build.ts";

/** The browser to drive: $CHROME_PATH, else Debian's chromium. */
export function browserPath(): string | undefined {
  for (const p of [Deno.env.get("CHROME_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (!p) continue;
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Chromium's flags: headless, no network of its own, a fresh profile. */
export const CHROME_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--single-process",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The MCP server, spawned as a user runs it with `--http`, against the sim. */
export interface HttpServer {
  url: string;
  token: string;
  stderr(): string;
  close(): Promise<void>;
}

/** Spawn `deno task start --http 127.0.0.1:PORT` against the sim and wait until it serves. */
export async function startHttpServer(sim: Sim): Promise<HttpServer> {
  const port = freePort();
  const token = crypto.randomUUID();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", "--http", `127.0.0.1:${port}`],
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token, CODER_FLEET_HTTP_TOKEN: token },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = await untilServing(child);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    stderr: log.stderr,
    async close() {
      child.kill("SIGTERM");
      await exited(child, "the board's server, after SIGTERM");
      await log.done;
    },
  };
}

/**
 * The bundled host script (ext-apps AppBridge and the MCP client, for the browser). Bundling
 * costs about half a CPU-second, so the result is kept in dist/ under a hash of everything it
 * is made from (host.ts, deno.json, deno.lock, the Deno version) and rebuilt when any changes.
 */
export async function bundleHost(): Promise<string> {
  const host = new URL("./host.ts", import.meta.url);
  const root = new URL("../../", import.meta.url);
  const hash = await contentKey(["tests/board/host.ts", "deno.json", "deno.lock"]);
  const cached = new URL(`dist/board-host-${hash}.js`, root);
  try {
    return Deno.readTextFileSync(cached);
  } catch {
    // not built yet
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform=browser", host.pathname],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const js = new TextDecoder().decode(out.stdout);
  try {
    // Written whole, then renamed: a run reading it at the same time sees all of it or none.
    Deno.mkdirSync(new URL("dist", root), { recursive: true });
    const tmp = Deno.makeTempFileSync({
      dir: new URL("dist", root).pathname,
      prefix: "board-host-",
    });
    Deno.writeTextFileSync(tmp, js);
    Deno.renameSync(tmp, cached);
  } catch {
    // no cache this time (dist/ not writable): the bundle is still good
  }
  return js;
}

/** One request the test site served. */
export interface SiteRequest {
  method: string;
  path: string;
}

/** The test host site. */
export interface HostSite {
  url: string;
  requests: SiteRequest[];
  /** What /fixture.json serves (JSON text), for the host's `?fixture=1` mode. */
  setFixture(json: string): void;
  close(): Promise<void>;
}

/** The CSP a host applies to a view that declares no origin: no network at all. */
export const FRAME_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " +
  "connect-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

const HOST_HTML =
  `<!doctype html><html><head><meta charset="utf-8"><title>test host</title><link rel="icon" href="data:,">
<style>body{margin:0;font:13px system-ui}</style></head>
<body><script src="/host.js"></script></body></html>`;

/** Serve the host page, its script, the board frame, the /mcp proxy and a fixture. */
export function startHostSite(hostJs: string, mcp: HttpServer): HostSite {
  const requests: SiteRequest[] = [];
  let frameHtml = "";
  let fixture = "{}";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    requests.push({ method: req.method, path: url.pathname });
    switch (url.pathname) {
      case "/":
        return new Response(HOST_HTML, { headers: { "content-type": "text/html" } });
      case "/host.js":
        return new Response(hostJs, { headers: { "content-type": "text/javascript" } });
      case "/fixture.json":
        return new Response(fixture, { headers: { "content-type": "application/json" } });
      case "/frame":
        if (req.method === "PUT") {
          frameHtml = await req.text();
          return new Response(null, { status: 204 });
        }
        return new Response(frameHtml, {
          headers: { "content-type": "text/html", "content-security-policy": FRAME_CSP },
        });
      case "/mcp": {
        const headers = new Headers(req.headers);
        headers.set("authorization", `Bearer ${mcp.token}`);
        headers.delete("host");
        headers.delete("origin");
        const body = req.method === "GET" || req.method === "HEAD"
          ? undefined
          : await req.arrayBuffer();
        const res = await fetch(mcp.url, { method: req.method, headers, body });
        return new Response(res.body, { status: res.status, headers: res.headers });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  });
  const port = (server.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFixture(json) {
      fixture = json;
    },
    close: () => server.shutdown(),
  };
}
