/**
 * Configuration from the environment, command-line flags and a `.env` file, exactly as in
 * DESIGN.md. The real environment wins over `.env`; flags win over both. The session token is
 * only ever read from the environment (or `.env`), never from a flag.
 */
import { parseEnv } from "node:util";
import { z } from "zod";

/** The version this build reports. */
export const VERSION = "0.1.0";

/** Resolved configuration. */
export interface Config {
  /** Coder URL (no trailing slash); undefined only in demo mode. */
  url?: string;
  /** Session token; undefined only in demo mode. */
  token?: string;
  backend: "auto" | "tasks" | "chats";
  readOnly: boolean;
  /** Allowlisted tool names; undefined means all. */
  tools?: string[];
  /** HTTP transport `{host, port}`; undefined means stdio. */
  http?: { host: string; port: number };
  /** Bearer token required on the HTTP transport. */
  httpToken?: string;
  demo: boolean;
  /** Polling interval of waits in ms (`CODER_FLEET_POLL_MS`, default 1000, at least 100). */
  pollMs: number;
}

/** What `parseArgs` decided: run, or print and exit. */
export type ConfigResult =
  | { kind: "run"; config: Config }
  | { kind: "exit"; code: number; out?: string; err?: string };

/** Usage text for `--help`. */
export const HELP =
  `coder-fleet-mcp ${VERSION}: an MCP server to run a fleet of AI coding agents on Coder.

Usage: coder-fleet-mcp [flags]

Flags:
  --url URL            Coder deployment URL (env CODER_URL)
  --backend MODE       auto | tasks | chats (env CODER_FLEET_BACKEND, default auto)
  --read-only          register only read-only tools (env CODER_FLEET_READ_ONLY=1)
  --tools a,b,c        register only these tools (env CODER_FLEET_TOOLS)
  --http [HOST:]PORT   serve MCP over HTTP instead of stdio (binds 127.0.0.1 by default;
                       needs CODER_FLEET_HTTP_TOKEN, sent by clients as a Bearer token)
  --demo               run against a built-in simulated Coder fleet (no Coder, no token)
  --help, --version

Environment:
  CODER_URL, CODER_SESSION_TOKEN (required; the token is never a flag), CODER_FLEET_BACKEND,
  CODER_FLEET_READ_ONLY, CODER_FLEET_TOOLS, CODER_FLEET_HTTP_TOKEN, CODER_FLEET_POLL_MS
  (wait polling interval, default 1000).
A .env file in the working directory is read too; the real environment wins.
`;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

const UrlSchema = z.string().trim().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
});

/** Read `.env` from `dir` (missing file: `{}`). */
export function readDotEnv(dir = "."): Record<string, string> {
  try {
    const text = Deno.readTextFileSync(`${dir}/.env`);
    return { ...parseEnv(text) } as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * Parse flags and environment into a {@link Config}, or into an exit with a one-line error
 * (exit code 2) naming the setting and how to set it.
 */
export function parseArgs(
  args: string[],
  env: Record<string, string | undefined>,
  dotenv: Record<string, string> = {},
): ConfigResult {
  const get = (k: string) => env[k] ?? dotenv[k];
  const fail = (msg: string): ConfigResult => ({
    kind: "exit",
    code: 2,
    err: `coder-fleet-mcp: ${msg}`,
  });
  const flags: Record<string, string | true> = {};
  const withValue = new Set(["--url", "--backend", "--tools", "--http"]);
  const bare = new Set(["--read-only", "--demo", "--help", "-h", "--version", "-V"]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const name = eq > 0 && a.startsWith("--") ? a.slice(0, eq) : a;
    if (withValue.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === "") return fail(`${name} needs a value (see --help)`);
      flags[name] = v;
    } else if (bare.has(name)) {
      flags[name] = true;
    } else if (name === "--token" || name === "--session-token") {
      return fail(
        "the session token is never a flag: set CODER_SESSION_TOKEN in the environment or .env",
      );
    } else {
      return fail(`unknown argument ${JSON.stringify(a)} (see --help)`);
    }
  }
  if (flags["--help"] || flags["-h"]) return { kind: "exit", code: 0, out: HELP };
  if (flags["--version"] || flags["-V"]) return { kind: "exit", code: 0, out: VERSION };

  const demo = flags["--demo"] === true;
  const backend = String(flags["--backend"] ?? get("CODER_FLEET_BACKEND") ?? "auto").trim();
  if (!["auto", "tasks", "chats"].includes(backend)) {
    return fail(
      `CODER_FLEET_BACKEND must be auto, tasks or chats, not ${JSON.stringify(backend)}`,
    );
  }
  const toolsRaw = flags["--tools"] ?? get("CODER_FLEET_TOOLS");
  const tools = typeof toolsRaw === "string" && toolsRaw.trim() !== ""
    ? toolsRaw.split(",").map((s) => s.trim()).filter(Boolean)
    : undefined;
  const readOnly = flags["--read-only"] === true || truthy(get("CODER_FLEET_READ_ONLY"));

  let http: Config["http"];
  let httpToken: string | undefined;
  if (typeof flags["--http"] === "string") {
    const m = /^(?:(.+):)?(\d{1,5})$/.exec(flags["--http"]);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 0 || port > 65535) {
      return fail("--http takes [host:]port, e.g. --http 8765 or --http 127.0.0.1:8765");
    }
    http = { host: m[1] ?? "127.0.0.1", port };
    httpToken = get("CODER_FLEET_HTTP_TOKEN");
    if (!httpToken || httpToken.length < 16) {
      return fail(
        "--http needs CODER_FLEET_HTTP_TOKEN (at least 16 characters) in the environment or .env",
      );
    }
  }

  const pollMs = Math.max(100, Number(get("CODER_FLEET_POLL_MS")) || 1000);
  const base: Config = {
    backend: backend as Config["backend"],
    readOnly,
    tools,
    http,
    httpToken,
    demo,
    pollMs,
  };
  if (demo) return { kind: "run", config: base };

  const url = flags["--url"] ?? get("CODER_URL");
  if (typeof url !== "string" || url.trim() === "") {
    return fail(
      "CODER_URL is not set: export CODER_URL=https://coder.example.com (or pass --url, or use --demo)",
    );
  }
  if (!UrlSchema.safeParse(url).success) {
    return fail(`CODER_URL is not an http(s) URL: ${JSON.stringify(url.slice(0, 100))}`);
  }
  const token = get("CODER_SESSION_TOKEN");
  if (!token || token.trim() === "") {
    return fail(
      "CODER_SESSION_TOKEN is not set: create one with `coder tokens create` and export CODER_SESSION_TOKEN=...",
    );
  }
  if (/\s/.test(token.trim()) || token.trim().length < 8) {
    return fail("CODER_SESSION_TOKEN looks malformed (whitespace or too short): check its value");
  }
  return {
    kind: "run",
    config: { ...base, url: url.trim().replace(/\/+$/, ""), token: token.trim() },
  };
}
