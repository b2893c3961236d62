/**
 * `deno task compile`: build the standalone binary with Deno's permissions scoped to one Coder.
 *
 *   deno task compile --url https://coder.example.com          # dist/coder-fleet-mcp
 *   deno task compile --url https://coder.example.com --print  # show the command, build nothing
 *   deno task compile --generic --target aarch64-apple-darwin  # any host (release builds)
 *
 * A scoped build gets `--allow-net=<host>[:<port>]` of the URL alone (plus `--listen` addresses
 * for `--http`), `--allow-env=` the variables in src/env.ts, and `--allow-read=.env`: a relative
 * path that Deno resolves against the working directory when the binary starts, the same file
 * the server reads. It writes nothing. The URL is built in as a default through
 * `deno compile --env-file`: Deno embeds that file's variables and sets them at start-up unless
 * the environment already has them, so `CODER_URL` in the environment (or `--url`) still wins,
 * and the binary runs with just the session token set.
 *
 * A `--generic` build gets `--allow-net` (any host): the server's own client then holds to the
 * origin of `CODER_URL`. The bundle test runs the bundle with {@link permissionFlags}, the same
 * code, so what it proves holds for the binary's grant.
 */
import { checkCoderUrl, readDotEnv } from "../src/config.ts";
import { ENV_VARS } from "../src/env.ts";

/** The five release platforms (`deno compile --target`). */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** A release platform. */
export type Target = typeof TARGETS[number];

/** The entry point every shipped form is built from. */
export const ENTRY = "src/main.ts";
/** The bundle `deno task bundle` writes. */
export const BUNDLE = "dist/coder-fleet-mcp.js";
/** The only file a scoped form may read (relative: resolved against the working directory). */
export const DOTENV = ".env";

/** What to build. */
export interface BuildOptions {
  /** Coder URL: the one host the binary may reach, and its default `CODER_URL`. */
  url?: string;
  /** Build for any host (`--allow-net`); no URL built in. */
  generic?: boolean;
  /** `host:port` addresses the binary may also listen on (for `--http`). */
  listen?: string[];
  /** Release platform; default: this machine's. */
  target?: Target;
  /** Skip `deno compile`'s type check (`deno task check` and `deno test` type-check the same code). */
  noCheck?: boolean;
}

/**
 * Check a Coder URL as a build takes it, by the server's own rule (`checkCoderUrl`): http(s), a
 * host, no credentials, query or fragment. Returns the URL without a trailing slash, or throws an
 * Error with a one-line reason.
 */
export function checkUrl(raw: string): string {
  const checked = checkCoderUrl(raw);
  if ("problem" in checked) throw new Error(checked.problem.replace(/^CODER_URL/, "the Coder URL"));
  return checked.url;
}

/** The `--allow-net` value for a URL: its host, with the port only when the URL names one. */
export function netHost(url: string): string {
  return new URL(checkUrl(url)).host;
}

/** Normalise a `--listen` value (`PORT` or `HOST:PORT`) to `host:port`; default host 127.0.0.1. */
export function listenAddress(raw: string): string {
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(raw.trim());
  if (!m || Number(m[2]) > 65535) {
    throw new Error(`--listen takes [host:]port, e.g. 8765 or 127.0.0.1:8765, not ${raw}`);
  }
  return `${m[1] ?? "127.0.0.1"}:${m[2]}`;
}

/**
 * The permission flags of a build: exactly what the binary may touch. `deno run` with these
 * flags grants the same (the bundle test and the README's `deno run` lines use them).
 */
export function permissionFlags(opts: Pick<BuildOptions, "url" | "generic" | "listen">): string[] {
  let net = "--allow-net";
  if (!opts.generic) {
    if (!opts.url) throw new Error("a scoped build needs the Coder URL");
    net += `=${[netHost(opts.url), ...(opts.listen ?? []).map(listenAddress)].join(",")}`;
  }
  return [net, `--allow-env=${ENV_VARS.join(",")}`, `--allow-read=${DOTENV}`];
}

/** The default output path for a target. */
export function outputPath(target?: Target): string {
  const windows = target ? target.includes("windows") : Deno.build.os === "windows";
  return `dist/coder-fleet-mcp${target ? `-${target}` : ""}${windows ? ".exe" : ""}`;
}

/** The file holding the built-in default `CODER_URL` of a scoped build at `output`. */
export function defaultsFile(output: string): string {
  return output.replace(/\.exe$/, "") + ".defaults.env";
}

/** The contents of {@link defaultsFile}: `CODER_URL`, which the environment overrides. */
export function defaultsText(url: string): string {
  return `CODER_URL=${checkUrl(url)}\n`;
}

/**
 * The V8 flags of the binary, and of `deno task start` and `demo` (a test keeps them the same): a
 * young generation of 8 MB semi-spaces (V8's default lets it grow to about 64 MB) and an
 * old-generation limit, which V8's heap sizing also reads. Measured with `deno task bench:memory`
 * (1,500 reads at 1000 agents, the sets side by side, load average ~10): RSS steady 224 MB with
 * V8's defaults, 178 MB with a 256 MB old-space limit alone, 161 MB with the small semi-spaces
 * alone, 118 MB with both, and 118 MB too with the limit at 512 MB; p50 of list_agents 73 -> 73 ms,
 * get_agent 8.2 -> 6.1 ms, fleet_overview 76 -> 84 ms. The old-space limit is a hard one (past it
 * the process dies): 512 MB rather than 256, since it costs no memory at 1000 agents and leaves
 * room for a 64 MiB answer (the default response cap) being parsed during a fleet-wide call at
 * 50,000 agents (peak RSS 510 MB with five such calls at once under the 256 MB limit).
 */
export const V8_FLAGS = "--max-semi-space-size=8,--max-old-space-size=512";

/** The full `deno compile` argument list (after `deno`), run from the repository root. */
export function compileArgs(opts: BuildOptions): string[] {
  const output = outputPath(opts.target);
  return [
    "compile",
    "--no-prompt",
    ...(opts.noCheck ? ["--no-check"] : []),
    ...permissionFlags(opts),
    `--v8-flags=${V8_FLAGS}`,
    ...(opts.generic ? [] : [`--env-file=${defaultsFile(output)}`]),
    ...(opts.target ? ["--target", opts.target] : []),
    "--output",
    output,
    ENTRY,
  ];
}

/** Quote an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** What the command line asked for. */
export type Parsed =
  | { kind: "build"; opts: BuildOptions; print: boolean }
  | { kind: "exit"; code: number; out?: string; err?: string };

const USAGE =
  `Usage: deno task compile [--url URL | --generic] [--target T] [--listen [HOST:]PORT] [--no-check]
                         [--print]

  --url URL      the Coder deployment: the one host the binary may reach, built in as the
                 default CODER_URL (default: CODER_URL from the environment or .env)
  --generic      a build for any Coder (--allow-net to every host; the server's client keeps
                 to the origin of CODER_URL); no URL built in
  --target T     a release platform: ${TARGETS.join("\n                 ")}
  --listen A     also allow listening on A ([host:]port, host 127.0.0.1 by default), for --http
  --no-check     skip deno compile's type check (deno task check does it)
  --print        print the exact deno compile command and build nothing
`;

/** Parse the task's arguments (`env` and `dotenv` supply `CODER_URL` when `--url` is absent). */
export function parseCompileArgs(
  args: string[],
  env: Record<string, string | undefined>,
  dotenv: Record<string, string> = {},
): Parsed {
  const fail = (msg: string): Parsed => ({ kind: "exit", code: 2, err: `compile: ${msg}` });
  const opts: BuildOptions = {};
  let print = false;
  const listen: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      const v = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === "") throw new Error(`${name} needs a value`);
      return v;
    };
    try {
      if (name === "--url") opts.url = value();
      else if (name === "--target") {
        const t = value();
        if (!(TARGETS as readonly string[]).includes(t)) {
          return fail(`unknown target ${JSON.stringify(t)}: use one of ${TARGETS.join(", ")}`);
        }
        opts.target = t as Target;
      } else if (name === "--listen") listen.push(listenAddress(value()));
      else if (name === "--print") print = true;
      else if (name === "--generic") opts.generic = true;
      else if (name === "--no-check") opts.noCheck = true;
      else if (name === "--help" || name === "-h") return { kind: "exit", code: 0, out: USAGE };
      else return fail(`unknown argument ${JSON.stringify(a)} (see --help)`);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  if (listen.length) opts.listen = listen;
  if (opts.generic) {
    if (opts.url) return fail("--generic builds for any host: leave out --url");
  } else {
    const url = opts.url ?? env.CODER_URL ?? dotenv.CODER_URL;
    if (!url) {
      return fail(
        "which Coder? pass --url https://coder.example.com (or set CODER_URL in the environment " +
          "or .env), or --generic for a build that may reach any host",
      );
    }
    try {
      opts.url = checkUrl(url);
    } catch (err) {
      return fail((err as Error).message);
    }
  }
  return { kind: "build", opts, print };
}

/**
 * Explain a failed `deno compile` in one line: a runtime that could not be downloaded is named
 * as such (no binary was written); anything else keeps Deno's first error line.
 */
export function explainFailure(stderr: string, target?: string): string {
  // deno-lint-ignore no-control-regex
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim());
  const url = /https:\/\/\S*denort\S*\.zip/.exec(stderr)?.[0];
  if (url || lines.some((l) => /Setting up base binary/.test(l))) {
    const end = lines.findIndex((l) => /^Stack backtrace/.test(l));
    const cause = lines.slice(0, end < 0 ? undefined : end).filter((l) => /^\d+: /.test(l)).pop()
      ?.replace(/^\d+: /, "");
    return `compile: could not download Deno's runtime for ${target ?? "this platform"}` +
      `${url ? ` (${url})` : ""}${cause ? `: ${cause}` : ""}; no binary was written ` +
      `(\`deno task bundle\` builds the bundle, which runs with the same permissions)`;
  }
  const first = lines.find((l) => /error/i.test(l)) ?? lines.find(Boolean) ?? "unknown error";
  return `compile: deno compile failed: ${first}`;
}

async function main(): Promise<number> {
  const parsed = parseCompileArgs(
    Deno.args,
    { CODER_URL: Deno.env.get("CODER_URL") },
    readDotEnv(),
  );
  if (parsed.kind === "exit") {
    if (parsed.out) console.log(parsed.out);
    if (parsed.err) console.error(parsed.err);
    return parsed.code;
  }
  const { opts, print } = parsed;
  const args = compileArgs(opts);
  const output = outputPath(opts.target);
  if (print) {
    if (!opts.generic) {
      console.error(
        `# ${defaultsFile(output)} (written by the build): ${defaultsText(opts.url!).trim()}`,
      );
    }
    console.log(["deno", ...args].map(shellQuote).join(" "));
    return 0;
  }
  const root = new URL("..", import.meta.url);
  await Deno.mkdir(new URL("dist/", root), { recursive: true });
  if (!opts.generic) {
    await Deno.writeTextFile(new URL(defaultsFile(output), root), defaultsText(opts.url!));
  }
  const run = await new Deno.Command("deno", {
    args,
    cwd: root,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (run.code !== 0) {
    if (!opts.generic) await Deno.remove(new URL(defaultsFile(output), root)).catch(() => {});
    console.error(explainFailure(new TextDecoder().decode(run.stderr), opts.target));
    return 1;
  }
  console.error(
    `compile: wrote ${output}; it may reach ${
      opts.generic ? "any host" : permissionFlags(opts)[0].slice("--allow-net=".length)
    }, read ${DOTENV} and the variables ${ENV_VARS.join(", ")}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
