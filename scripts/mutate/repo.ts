/** What both modes of `deno task mutate` share: private copies of the repository and test runs. */

/** Copy every file git knows (tracked, or new and not ignored) into a fresh directory. */
export async function copyRepo(root: string): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
    cwd: root,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(out.stdout).split("\0").filter(Boolean);
  const dir = await Deno.makeTempDir({ prefix: "coder-fleet-mutant-" });
  for (const f of files) {
    const to = `${dir}/${f}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    try {
      await Deno.copyFile(`${root}/${f}`, to);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err; // deleted but not staged
    }
  }
  return dir;
}

/** The permissions of `deno task test`, without its type check (a mutant is checked apart). */
export const TEST_FLAGS = [
  "test",
  "--allow-net=127.0.0.1,localhost",
  "--allow-env",
  "--allow-read",
  "--allow-run",
  "--allow-write=dist",
  "--no-check",
];

/** The names of the failed tests in a `deno test` output. */
export function failedTests(output: string): string[] {
  // deno-lint-ignore no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const names = new Set<string>();
  for (const m of plain.matchAll(/^(.+?) => (\.\/tests\/\S+?):\d+:\d+$/gm)) {
    names.add(`${m[2].replace(/^\.\//, "")}: ${m[1].trim()}`);
  }
  if (names.size === 0 && /error:|FAILED/.test(plain)) {
    const line = plain.split("\n").find((l) => /^error:/.test(l.trim()));
    names.add(line?.trim() ?? "the test run failed");
  }
  return [...names];
}

/** How a command run ended. */
export interface Ran {
  code: number;
  /** stdout then stderr. */
  text: string;
  timedOut: boolean;
}

/** Run `deno <args>` in `dir`, killed when it is still running at `deadline` (ms since epoch). */
export async function runDeno(dir: string, args: string[], deadline: number): Promise<Ran> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, Math.max(0, deadline - Date.now()));
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr), timedOut };
}
