/**
 * Build the bundle for a test: the `bundle` task of deno.json, exactly, with its output moved to
 * `dist/<name>/` so that test files running in parallel never read each other's half-written file.
 */
import { type BuildOptions, BUNDLE, compileArgs, ENTRY } from "../../scripts/compile.ts";

/** Run deno.json's `bundle` task into `dist/<name>/`; returns the bundle's absolute path. */
export async function buildBundle(name: string): Promise<string> {
  const root = new URL("../../", import.meta.url);
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks;
  const words = String(tasks.bundle).split(/\s+/);
  const at = words.indexOf(BUNDLE);
  if (words[0] !== "deno" || at < 0) throw new Error(`unexpected bundle task: ${tasks.bundle}`);
  const out = `dist/${name}/${BUNDLE.split("/").pop()}`;
  words[at] = out;
  const built = await new Deno.Command(Deno.execPath(), {
    args: words.slice(1),
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (built.code !== 0) throw new Error(new TextDecoder().decode(built.stderr));
  return new URL(out, root).pathname;
}

/**
 * The `deno run` arguments that run `bundle` with exactly the permissions of the binary
 * `deno task compile` builds for `opts`: its own `deno compile` arguments, with the entry swapped
 * for the bundle, the built-in defaults file for `defaults`, and the output and target dropped.
 */
export function binaryAsBundle(opts: BuildOptions, bundle: string, defaults?: string): string[] {
  const args = compileArgs(opts);
  const out = ["run"];
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === "--output" || a === "--target") i++;
    else if (a === ENTRY) out.push(bundle);
    else if (a.startsWith("--env-file=")) {
      if (!defaults) throw new Error("this build has a built-in URL: pass its defaults file");
      out.push(`--env-file=${defaults}`);
    } else out.push(a);
  }
  return out;
}
