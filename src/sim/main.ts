/**
 * Run a simulated Coder as its own process, for manual testing and for the bench (which needs a
 * Coder that does not share its event loop with the client it measures):
 *
 *   deno run --allow-net=127.0.0.1 src/sim/main.ts --profile both --tasks 50 --chats 20
 *   deno run --allow-net=127.0.0.1 src/sim/main.ts --profile both --tasks 600 --chats 400 \
 *     --seed 11 --latency 20 --rate-limit 0 --log
 *
 * Prints `CODER_URL=...` and `CODER_SESSION_TOKEN=...` (a throwaway token of this simulator
 * only) on stdout, then serves until killed. `--log` writes one line per answered request to
 * stderr (`<status> <method> <path>[?query]`), so a caller can count what went over the wire.
 * `--until-stdin-closes` stops it when its stdin closes (the spawning process ended).
 */
import { parseArgs } from "node:util";
import { type SimOptions, type SimRequest, startSim } from "./server.ts";

const PROFILES = ["tasks", "chats", "both", "old", "current"] as const;

/** The CLI's options: the sim's, and whether to log each request on stderr. */
export type SimCliOptions = SimOptions & { log?: boolean; untilStdinCloses?: boolean };

/** Parse the CLI flags into sim options; throws on bad input. */
export function parseSimArgs(args: string[]): SimCliOptions {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: "string" },
      tasks: { type: "string" },
      chats: { type: "string" },
      port: { type: "string" },
      pace: { type: "string" },
      latency: { type: "string" },
      seed: { type: "string" },
      "rate-limit": { type: "string" },
      log: { type: "boolean" },
      "until-stdin-closes": { type: "boolean" },
    },
    strict: true,
  });
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const profile = values.profile ?? "tasks";
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new Error(`--profile must be one of ${PROFILES.join(", ")}`);
  }
  return {
    profile: profile as SimOptions["profile"],
    tasks: num("tasks", values.tasks),
    chats: num("chats", values.chats),
    port: num("port", values.port),
    pace: num("pace", values.pace),
    latencyMs: num("latency", values.latency),
    seed: num("seed", values.seed),
    ...(values["rate-limit"] !== undefined
      ? { rateLimit: num("rate-limit", values["rate-limit"]) }
      : {}),
    ...(values.log ? { log: true } : {}),
    ...(values["until-stdin-closes"] ? { untilStdinCloses: true } : {}),
  };
}

/** One request as a log line. */
export function logLine(r: SimRequest): string {
  return `${r.status} ${r.method} ${r.path}${r.query ? `?${r.query}` : ""}`;
}

if (import.meta.main) {
  let opts: SimCliOptions;
  try {
    opts = parseSimArgs(Deno.args);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(
      "usage: sim [--profile tasks|chats|both|old|current] [--tasks N] [--chats N] [--port P] " +
        "[--pace X] [--latency MS] [--seed N] [--rate-limit PER_MINUTE] [--log] [--until-stdin-closes]",
    );
    Deno.exit(2);
  }
  const { log, untilStdinCloses, ...simOpts } = opts;
  const enc = new TextEncoder();
  const sim = await startSim({
    ...simOpts,
    ...(log ? { onAnswered: (r) => Deno.stderr.writeSync(enc.encode(logLine(r) + "\n")) } : {}),
  });
  console.log(`CODER_URL=${sim.url}`);
  console.log(`CODER_SESSION_TOKEN=${sim.token}`);
  const stop = () => {
    sim.close().finally(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  // A parent that spawned the sim and died (killed, say) leaves no orphan: its end of the pipe
  // closes, and the sim stops.
  if (untilStdinCloses) Deno.stdin.readable.pipeTo(new WritableStream()).finally(stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}
