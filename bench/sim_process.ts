/**
 * The simulated Coder as its own process (`src/sim/main.ts`), for the bench: a Coder that shares
 * neither event loop nor CPU time slice with the client that measures it. (Run inside the bench's
 * process, the sim's work and the client's work queue behind each other, and whichever server
 * answers second in an interleaved pair pays for the other's.)
 */

/** A running sim process. */
export interface SimProcess {
  url: string;
  token: string;
  pid: number;
  /** The request log lines (`<status> <method> <path>[?query]`) so far; needs `log: true`. */
  log(): string[];
  /** Empty the request log. */
  clearLog(): void;
  /** Wait until the log has `n` lines (requests are logged once answered), or `ms` passed. */
  logged(n: number, ms?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** What to start: the sim CLI's flags. */
export interface SimProcessOptions {
  profile?: string;
  tasks: number;
  chats: number;
  seed?: number;
  latencyMs?: number;
  /** Coder's per-route limit a minute (default 0: off, a bench sends more than 512). */
  rateLimit?: number;
  /** Log every answered request to stderr (read with `log()`). */
  log?: boolean;
}

/** Spawn `deno run src/sim/main.ts` and wait for the URL and token it prints. */
export async function startSimProcess(o: SimProcessOptions): Promise<SimProcess> {
  const main = new URL("../src/sim/main.ts", import.meta.url).pathname;
  const args = [
    "run",
    "--allow-net=127.0.0.1",
    main,
    "--profile",
    o.profile ?? "both",
    "--tasks",
    String(o.tasks),
    "--chats",
    String(o.chats),
    "--seed",
    String(o.seed ?? 11),
    "--latency",
    String(o.latencyMs ?? 0),
    "--rate-limit",
    String(o.rateLimit ?? 0),
    ...(o.log ? ["--log"] : []),
    "--until-stdin-closes",
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    // Never written: if this process dies, the pipe closes and the sim stops (no orphan).
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let lines: string[] = [];
  let waiters: (() => void)[] = [];
  const drain = (async () => {
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
      for (const w of waiters) w();
      waiters = [];
    }
  })();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const vars: Record<string, string> = {};
  while (!("CODER_URL" in vars && "CODER_SESSION_TOKEN" in vars)) {
    const { value, done } = await out.read();
    if (done) {
      throw new Error(`sim exited before serving: ${lines.join("\n").slice(-500)}`);
    }
    text += value;
    for (const m of text.matchAll(/^(CODER_URL|CODER_SESSION_TOKEN)=(\S+)$/gm)) vars[m[1]] = m[2];
  }
  out.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    url: vars.CODER_URL,
    token: vars.CODER_SESSION_TOKEN,
    pid: child.pid,
    log: () => [...lines],
    clearLog() {
      lines = [];
    },
    async logged(n, ms = 5000) {
      const end = Date.now() + ms;
      while (lines.length < n && Date.now() < end) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.max(1, end - Date.now()));
          waiters.push(() => (clearTimeout(t), r()));
        });
      }
      return [...lines];
    },
    async close() {
      await child.stdin.close().catch(() => {});
      await child.status;
      await drain.catch(() => {});
    },
  };
}
