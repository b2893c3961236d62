/**
 * The HTTP transport (`--http`): MCP at `/mcp` behind a bearer token, with the SDK's DNS-rebinding
 * guards (`Host` and `Origin` checked against the bound host and loopback), a proper CORS
 * preflight, and an unauthenticated `GET /healthz` that reveals nothing. It is served by our own
 * HTTP/1.1 server (`http1.ts`): header and idle timeouts, a connection cap, and accept errors
 * that never end the process.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  type McpServerFactory,
  originValidationResponse,
} from "@modelcontextprotocol/server";
import { type HttpLimits, serveHttp1 } from "./http1.ts";

/** Methods the `/mcp` endpoint serves (Streamable HTTP). */
const METHODS = "GET, POST, DELETE, OPTIONS";
/** Request headers a browser client may send to `/mcp`. */
const ALLOWED_HEADERS = [
  "Authorization",
  "Content-Type",
  "Accept",
  "Last-Event-ID",
  "Mcp-Session-Id",
  "Mcp-Protocol-Version",
  "Mcp-Method",
  "Mcp-Name",
].join(", ");
/** Response headers a browser client may read. */
const EXPOSED_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate";

/** Options of {@link mcpHttpHandler}. */
export interface HttpGuardOptions {
  /** The bearer token clients must send. */
  token: string;
  /** Hostnames accepted in `Host` and `Origin` (IPv6 in brackets), see {@link allowedHostnames}. */
  allowedHosts: string[];
  /** Serves an authorised MCP request. */
  mcp: (req: Request) => Promise<Response>;
}

/**
 * The hostnames accepted in `Host` and `Origin`: loopback names, the bound host (unless it is a
 * wildcard address), and any extra ones the user configured.
 */
export function allowedHostnames(bindHost: string, extra: string[] = []): string[] {
  const set = new Set(["localhost", "127.0.0.1", "[::1]"]);
  const h = bindHost.replace(/^\[|\]$/g, "").toLowerCase();
  if (h !== "0.0.0.0" && h !== "::" && h !== "") set.add(h.includes(":") ? `[${h}]` : h);
  for (const e of extra) set.add(e.includes(":") && !e.startsWith("[") ? `[${e}]` : e);
  return [...set];
}

/** Constant-time comparison of a presented bearer token with the expected one. */
export function bearerMatches(header: string | null, token: string): boolean {
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? "");
  const schemeOk = m !== null && m[1].toLowerCase() === "bearer";
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const a = createHash("sha256").update(m?.[2] ?? "").digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b) && schemeOk;
}

function corsHeaders(origin: string | null): Record<string, string> {
  return origin
    ? {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Expose-Headers": EXPOSED_HEADERS,
      Vary: "Origin",
    }
    : {};
}

/** The request handler: guards first, then `/mcp`. */
export function mcpHttpHandler(opts: HttpGuardOptions): (req: Request) => Promise<Response> {
  return async (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
      return new Response(req.method === "HEAD" ? null : "ok\n", {
        status: 200,
        headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" },
      });
    }
    const badHost = hostHeaderValidationResponse(req, opts.allowedHosts);
    if (badHost) return badHost;
    if (path !== "/mcp") return new Response("Not found\n", { status: 404 });
    const badOrigin = originValidationResponse(req, opts.allowedHosts);
    if (badOrigin) return badOrigin;
    const origin = req.headers.get("origin");
    if (req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          ...corsHeaders(origin),
          "Access-Control-Allow-Methods": METHODS,
          "Access-Control-Allow-Headers": ALLOWED_HEADERS,
          "Access-Control-Max-Age": "600",
          Allow: METHODS,
        },
      });
    }
    if (!bearerMatches(req.headers.get("authorization"), opts.token)) {
      return new Response("Unauthorized: send Authorization: Bearer $CODER_FLEET_HTTP_TOKEN\n", {
        status: 401,
        headers: { "WWW-Authenticate": "Bearer", ...corsHeaders(origin) },
      });
    }
    const res = await opts.mcp(req);
    const headers = new Headers(res.headers);
    for (const [k, v] of Object.entries(corsHeaders(origin))) headers.set(k, v);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  };
}

/** A running HTTP server. */
export interface HttpServer {
  /** Where it listens. */
  addr: { hostname: string; port: number };
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stop accepting, finish what is in flight (bounded), and close the MCP handler. */
  shutdown(): Promise<void>;
}

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions {
  host: string;
  port: number;
  token: string;
  /** Extra hostnames accepted in `Host` and `Origin`. */
  extraHosts?: string[];
  /** Out-of-band errors. */
  onerror?: (e: Error) => void;
  /** The HTTP server's limits (default `http1.ts`'s HTTP_LIMITS). */
  limits?: Partial<HttpLimits>;
}

/** How long a shutdown waits for open requests (an SSE stream may never end on its own). */
const SHUTDOWN_GRACE_MS = 3000;

/** Serve MCP over HTTP from a server factory (throws when it cannot listen). */
export function serveHttp(
  factory: McpServerFactory,
  opts: ServeHttpOptions,
): HttpServer {
  const handler = createMcpHandler(factory, { onerror: opts.onerror });
  const guarded = mcpHttpHandler({
    token: opts.token,
    allowedHosts: allowedHostnames(opts.host, opts.extraHosts),
    mcp: (req) => handler.fetch(req),
  });
  const server = serveHttp1({
    hostname: opts.host,
    port: opts.port,
    handler: guarded,
    limits: opts.limits,
    onerror: opts.onerror,
  });
  return {
    addr: server.addr,
    finished: server.finished,
    async shutdown() {
      await handler.close().catch(() => {});
      await server.shutdown(SHUTDOWN_GRACE_MS);
    },
  };
}
