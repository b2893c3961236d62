/**
 * Run a simulated Coder for manual testing:
 *
 *   deno run --allow-net=127.0.0.1 src/sim/main.ts --profile both --tasks 50 --chats 20
 *
 * Prints `CODER_URL=...` and `CODER_SESSION_TOKEN=...` (a throwaway token of this simulator
 * only), then serves until killed.
 */
import { parseArgs } from "node:util";
import { type SimOptions, startSim } from "./server.ts";

const PROFILES = ["tasks", "chats", "both", "old", "current"] as const;

/** Parse the CLI flags into sim options; throws on bad input. */
export function parseSimArgs(args: string[]): SimOptions {
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
  };
}

if (import.meta.main) {
  let opts: SimOptions;
  try {
    opts = parseSimArgs(Deno.args);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(
      "usage: sim [--profile tasks|chats|both|old|current] [--tasks N] [--chats N] [--port P] " +
        "[--pace X] [--latency MS] [--seed N]",
    );
    Deno.exit(2);
  }
  const sim = await startSim(opts);
  console.log(`CODER_URL=${sim.url}`);
  console.log(`CODER_SESSION_TOKEN=${sim.token}`);
  const stop = () => {
    sim.close().finally(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}
