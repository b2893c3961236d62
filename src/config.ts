/**
 * Configuration from the environment, command-line flags and a `.env` file, exactly as in
 * DESIGN.md. The real environment wins over `.env`; flags win over both. The session token is
 * only ever read from the environment (or `.env`), never from a flag. Every setting is strict:
 * a value that cannot be understood stops startup with one line (exit 2) naming the setting.
 */
import { parseEnv } from "node:util";
import meta from "../deno.json" with { type: "json" };
import { CALL_BUDGET_MS } from "./coder/budget.ts";
import { ENV_VARS } from "./env.ts";
import { helpText } from "./help.ts";

/** The version this build reports (from deno.json). */
export const VERSION: string = meta.version;

export { ENV_VARS, readEnv } from "./env.ts";

/** Resolved configuration. */
export interface Config {
  /** Coder URL, `http(s)://host[:port][/path]` without a trailing slash; undefined only in demo mode. */
  url?: string;
  /** Session token; undefined only in demo mode. */
  token?: string;
  backend: "auto" | "tasks" | "chats";
  readOnly: boolean;
  /** Allowlisted tool names; undefined means all (never an empty list). */
  tools?: string[];
  /** HTTP transport `{host, port}` (host without IPv6 brackets); undefined means stdio. */
  http?: { host: string; port: number };
  /** Bearer token required on the HTTP transport. */
  httpToken?: string;
  /** Whether `http.host` may be beyond loopback (`--http-allow-remote`). */
  httpAllowRemote: boolean;
  /** Extra hostnames accepted in `Host` and `Origin` besides loopback and the bound host. */
  httpAllowedHosts: string[];
  demo: boolean;
  /** Polling interval of waits in ms (`CODER_FLEET_POLL_MS`, default 1000, 100..60000). */
  pollMs: number;
  /** Requests a minute to Coder, shared by every call (`CODER_FLEET_RATE_LIMIT`, default 450). */
  ratePerMinute: number;
  /** Largest Coder answer accepted, in bytes (`CODER_FLEET_MAX_RESPONSE_MB`, default 64 MiB). */
  maxResponseBytes: number;
  /** Minutes before a working agent whose `updated_at` stands still is flagged stalled
   * (`CODER_FLEET_STALLED_MIN`, default 15, 0.05..1440). */
  stalledMin: number;
  /** How long a call that does not wait may take, in ms (`CODER_FLEET_CALL_BUDGET_S`, default
   * 50 s, 1..600 s): below the tool timeout of the client. */
  callBudgetMs: number;
}

/** What `parseArgs` decided: run, or print and exit. */
export type ConfigResult =
  | { kind: "run"; config: Config }
  | { kind: "exit"; code: number; out?: string; err?: string };

/** Usage text for `--help`. */
export const HELP: string = helpText(VERSION, ENV_VARS);

/** Default of `CODER_FLEET_RATE_LIMIT`: below Coder's 512 a minute. */
export const DEFAULT_RATE_PER_MINUTE = 450;
/** Default of `CODER_FLEET_STALLED_MIN`: a quarter of an hour without a move. */
export const DEFAULT_STALLED_MIN = 15;
/** Default of `CODER_FLEET_MAX_RESPONSE_MB`: fits a list of 20,000 agents. */
export const DEFAULT_MAX_RESPONSE_MB = 64;
/** Default of `CODER_FLEET_CALL_BUDGET_S`: DESIGN's 50 s, below the 60 s MCP clients wait. */
export const DEFAULT_CALL_BUDGET_S = CALL_BUDGET_MS / 1000;

/**
 * A token as a request header carries it: visible ASCII only. A control character or an emoji
 * makes every request fail before it is sent (Deno refuses the header), which would read as a
 * lost connection; a space would be cut by the header's own rules.
 */
const HEADER_TOKEN = /^[\x21-\x7e]+$/;

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/**
 * Read `.env` from `dir`: only when it is a regular file (a FIFO or a directory is ignored), with a
 * UTF-8 byte-order mark tolerated. Missing or unreadable: `{}`.
 */
export function readDotEnv(dir = "."): Record<string, string> {
  const path = `${dir}/.env`;
  try {
    if (!Deno.statSync(path).isFile) return {};
    const text = Deno.readTextFileSync(path).replace(/^\uFEFF/, "");
    return { ...parseEnv(text) } as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * Check a Coder URL: `http(s)://host[:port][/path]` with no credentials, query or fragment.
 * Returns the normalised URL (no trailing slash) or a one-line problem that never echoes the value.
 */
export function checkCoderUrl(raw: string): { url: string } | { problem: string } {
  const s = raw.trim();
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { problem: "CODER_URL is not a URL: use http(s)://host[:port][/path]" };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return { problem: "CODER_URL is not an http URL: it must be http(s)://host[:port][/path]" };
  }
  if (u.username !== "" || u.password !== "" || /^[a-z]+:\/\/[^/]*@/i.test(s)) {
    return {
      problem:
        "CODER_URL must not contain credentials (user:password@): remove them; the token goes in CODER_SESSION_TOKEN",
    };
  }
  // (A query or a fragment always shows as its character.)
  if (s.includes("?") || s.includes("#")) {
    return {
      problem:
        "CODER_URL must not have a query or fragment (?... or #...): use http(s)://host[:port][/path]",
    };
  }
  if (u.port === "0") {
    return { problem: "CODER_URL has port 0: name the port Coder listens on, or none" };
  }
  return { url: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}` };
}

/** Whether a bind host is loopback only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

class ConfigError extends Error {}

function bool(name: string, v: string | undefined): boolean {
  if (v === undefined || v.trim() === "") return false;
  if (TRUE.test(v.trim())) return true;
  if (FALSE.test(v.trim())) return false;
  throw new ConfigError(
    `${name} must be 1/true/yes/on or 0/false/no/off, not ${JSON.stringify(v.slice(0, 20))}`,
  );
}

/** A decimal number setting within bounds (or the default when unset). */
function decimal(
  name: string,
  v: string | undefined,
  def: number,
  min: number,
  max: number,
): number {
  if (v === undefined || v.trim() === "") return def;
  const n = Number(v.trim());
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be a number from ${min} to ${max}, not ${JSON.stringify(v.slice(0, 20))}`,
    );
  }
  return n;
}

function int(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined || v.trim() === "") return def;
  const n = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) {
    throw new ConfigError(
      `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v.slice(0, 20))}`,
    );
  }
  return n;
}

const WITH_VALUE = new Set([
  "--url",
  "--backend",
  "--tools",
  "--http",
  "--poll-ms",
  "--rate-limit",
  "--max-response-mb",
  "--stalled-min",
  "--call-budget-s",
]);
const BARE = new Set([
  "--read-only",
  "--demo",
  "--http-allow-remote",
  "--help",
  "-h",
  "--version",
  "-V",
]);

/**
 * Parse flags and environment into a {@link Config}, or into an exit with a one-line error
 * (exit code 2) naming the setting and how to set it.
 */
export function parseArgs(
  args: string[],
  env: Record<string, string | undefined>,
  dotenv: Record<string, string> = {},
): ConfigResult {
  try {
    return parse(args, env, dotenv);
  } catch (err) {
    if (err instanceof ConfigError) {
      return { kind: "exit", code: 2, err: `coder-fleet-mcp: ${err.message}` };
    }
    throw err;
  }
}

function parse(
  args: string[],
  env: Record<string, string | undefined>,
  dotenv: Record<string, string>,
): ConfigResult {
  const get = (k: string) => env[k] ?? dotenv[k];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const name = eq > 0 && a.startsWith("--") ? a.slice(0, eq) : a;
    if (WITH_VALUE.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === "") throw new ConfigError(`${name} needs a value (see --help)`);
      flags[name] = v;
    } else if (BARE.has(name) && eq < 0) {
      flags[name] = true;
    } else if (name === "--token" || name === "--session-token") {
      throw new ConfigError(
        "the session token is never a flag: set CODER_SESSION_TOKEN in the environment or .env",
      );
    } else {
      throw new ConfigError(`unknown argument ${JSON.stringify(a.slice(0, 40))} (see --help)`);
    }
  }
  if (flags["--help"] || flags["-h"]) return { kind: "exit", code: 0, out: HELP.trimEnd() };
  if (flags["--version"] || flags["-V"]) return { kind: "exit", code: 0, out: VERSION };
  const setting = (flag: string, envName: string) => {
    const f = flags[flag];
    return typeof f === "string"
      ? { name: flag, value: f }
      : { name: envName, value: get(envName) };
  };

  const demo = flags["--demo"] === true;
  const backend = String(flags["--backend"] ?? get("CODER_FLEET_BACKEND") ?? "auto").trim() ||
    "auto";
  if (!["auto", "tasks", "chats"].includes(backend)) {
    throw new ConfigError(
      `CODER_FLEET_BACKEND must be auto, tasks or chats, not ${
        JSON.stringify(backend.slice(0, 20))
      }`,
    );
  }
  const toolsRaw = flags["--tools"] ?? get("CODER_FLEET_TOOLS");
  let tools: string[] | undefined;
  if (typeof toolsRaw === "string" && toolsRaw.trim() !== "") {
    tools = toolsRaw.split(",").map((s) => s.trim()).filter(Boolean);
    if (tools.length === 0) {
      throw new ConfigError(
        "CODER_FLEET_TOOLS names no tool: list tool names separated by commas, or unset it for all",
      );
    }
  }
  const readOnly = flags["--read-only"] === true ||
    bool("CODER_FLEET_READ_ONLY", get("CODER_FLEET_READ_ONLY"));
  const httpAllowRemote = flags["--http-allow-remote"] === true ||
    bool("CODER_FLEET_HTTP_ALLOW_REMOTE", get("CODER_FLEET_HTTP_ALLOW_REMOTE"));
  const httpAllowedHosts = (get("CODER_FLEET_HTTP_ALLOWED_HOSTS") ?? "").split(",")
    .map((s) => s.trim().toLowerCase()).filter(Boolean);

  let http: Config["http"];
  let httpToken: string | undefined;
  if (typeof flags["--http"] === "string") {
    const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\[\]]+):)?(\d{1,5})$/.exec(flags["--http"]);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port > 65535) {
      throw new ConfigError(
        "--http takes [host:]port, e.g. --http 8765 or --http 127.0.0.1:8765 or --http [::1]:8765",
      );
    }
    const host = (m[1] ?? "127.0.0.1").replace(/^\[|\]$/g, "");
    if (!isLoopbackHost(host) && !httpAllowRemote) {
      throw new ConfigError(
        `--http ${
          m[1]
        } listens beyond loopback: add --http-allow-remote (or CODER_FLEET_HTTP_ALLOW_REMOTE=1) if you mean it, or bind 127.0.0.1`,
      );
    }
    http = { host, port };
    httpToken = get("CODER_FLEET_HTTP_TOKEN");
    if (!httpToken || httpToken.length < 16) {
      throw new ConfigError(
        "--http needs CODER_FLEET_HTTP_TOKEN (at least 16 characters) in the environment or .env",
      );
    }
    if (!HEADER_TOKEN.test(httpToken)) {
      throw new ConfigError(
        "CODER_FLEET_HTTP_TOKEN has a character no client can send in a header (a space, a control character, an emoji or another non-ASCII one): choose another",
      );
    }
  }

  const poll = setting("--poll-ms", "CODER_FLEET_POLL_MS");
  const rate = setting("--rate-limit", "CODER_FLEET_RATE_LIMIT");
  const maxMb = setting("--max-response-mb", "CODER_FLEET_MAX_RESPONSE_MB");
  const stalled = setting("--stalled-min", "CODER_FLEET_STALLED_MIN");
  const budget = setting("--call-budget-s", "CODER_FLEET_CALL_BUDGET_S");
  const base: Config = {
    backend: backend as Config["backend"],
    readOnly,
    tools,
    http,
    httpToken,
    httpAllowRemote,
    httpAllowedHosts,
    demo,
    pollMs: int(poll.name, poll.value, 1000, 100, 60_000),
    ratePerMinute: int(rate.name, rate.value, DEFAULT_RATE_PER_MINUTE, 1, 10_000),
    maxResponseBytes: int(maxMb.name, maxMb.value, DEFAULT_MAX_RESPONSE_MB, 1, 4096) * 1024 * 1024,
    stalledMin: decimal(stalled.name, stalled.value, DEFAULT_STALLED_MIN, 0.05, 1440),
    callBudgetMs: Math.round(
      decimal(budget.name, budget.value, DEFAULT_CALL_BUDGET_S, 1, 600) * 1000,
    ),
  };
  if (demo) return { kind: "run", config: base };

  const rawUrl = flags["--url"] ?? get("CODER_URL");
  if (typeof rawUrl !== "string" || rawUrl.trim() === "") {
    throw new ConfigError(
      "CODER_URL is not set: export CODER_URL=https://coder.example.com (or pass --url, or use --demo)",
    );
  }
  const checked = checkCoderUrl(rawUrl);
  if ("problem" in checked) throw new ConfigError(checked.problem);
  const token = get("CODER_SESSION_TOKEN");
  if (!token || token.trim() === "") {
    throw new ConfigError(
      "CODER_SESSION_TOKEN is not set: create one with `coder tokens create` and export CODER_SESSION_TOKEN=...",
    );
  }
  if (!HEADER_TOKEN.test(token.trim())) {
    throw new ConfigError(
      "CODER_SESSION_TOKEN has a character no request header can carry (a space, a control character, an emoji or another non-ASCII one): check its value",
    );
  }
  if (token.trim().length < 8) {
    throw new ConfigError("CODER_SESSION_TOKEN looks malformed (too short): check its value");
  }
  return { kind: "run", config: { ...base, url: checked.url, token: token.trim() } };
}
