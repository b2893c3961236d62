/**
 * Build the bundle for a test: the `bundle` task of deno.json, exactly, with its output moved to
 * `dist/<name>/` so that test files running in parallel never read each other's half-written file.
 */
import { BUNDLE } from "../../scripts/compile.ts";

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
