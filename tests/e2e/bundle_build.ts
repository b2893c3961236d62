/**
 * Build the bundle for a test: the `bundle` task of deno.json, exactly, with its output moved
 * under `dist/` so that test files running in parallel never read each other's half-written file.
 *
 * {@link cachedBundle} builds it once per content: the key hashes everything the bundle is made
 * from (src/, deno.json with the task itself, deno.lock, scripts/compile.ts, this file, Deno's
 * version), the build goes to a fresh temporary directory that is then renamed into place, and
 * a lock file makes other processes wait for that build instead of making their own. Test modules
 * in one isolate share one promise.
 */
import { type BuildOptions, BUNDLE, compileArgs, ENTRY } from "../../scripts/compile.ts";

const ROOT = new URL("../../", import.meta.url);
const FILE = BUNDLE.split("/").pop()!;
/** Where {@link cachedBundle} keeps its builds, one directory per key. */
const CACHE = "dist/bundle-cache";
/** How often a builder refreshes its lock's time stamp. */
const HEARTBEAT_MS = 1_000;
/** A lock not refreshed for this long belongs to a build that died: it is taken over. */
const STALE_LOCK_MS = 15_000;
/** Builds of other keys older than this are removed. */
const PRUNE_AFTER_MS = 3_600_000;

/** Run deno.json's `bundle` task with its output at `out` (relative to the repository root). */
async function runBundleTask(out: string): Promise<void> {
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks;
  const words = String(tasks.bundle).split(/\s+/);
  const at = words.indexOf(BUNDLE);
  if (words[0] !== "deno" || at < 0) throw new Error(`unexpected bundle task: ${tasks.bundle}`);
  words[at] = out;
  const built = await new Deno.Command(Deno.execPath(), {
    args: words.slice(1),
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  if (built.code !== 0) throw new Error(new TextDecoder().decode(built.stderr));
}

/** Run deno.json's `bundle` task into `dist/<name>/`, afresh; returns the bundle's absolute path. */
export async function buildBundle(name: string): Promise<string> {
  const out = `dist/${name}/${FILE}`;
  await runBundleTask(out);
  return new URL(out, ROOT).pathname;
}

/** Every file under `dir` (relative to the root), sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(new URL(dir, ROOT))) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await filesUnder(p));
    else if (e.isFile) out.push(p);
  }
  return out.sort();
}

/** The content key of the bundle: see {@link contentKey}. */
export async function bundleKey(): Promise<string> {
  return contentKey([
    ...await filesUnder("src"),
    "deno.json",
    "deno.lock",
    "scripts/compile.ts",
    "tests/e2e/bundle_build.ts",
  ]);
}

/**
 * A key for what is built from `names` (paths from the repository root): a SHA-256 over the
 * Deno version and each file's name and bytes (a missing file counts as "(absent)").
 */
export async function contentKey(names: readonly string[]): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(`deno ${Deno.version.deno}\0`)];
  for (const name of names) {
    parts.push(enc.encode(`${name}\0`));
    parts.push(await Deno.readFile(new URL(name, ROOT)).catch(() => enc.encode("(absent)")));
    parts.push(enc.encode("\0"));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const exists = (path: string | URL) =>
  Deno.stat(path).then((s) => s, (err) => {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  });

/** Remove builds of other keys (and abandoned temporary ones) older than an hour. */
async function prune(keep: string): Promise<void> {
  const now = Date.now();
  for await (const e of Deno.readDir(new URL(`${CACHE}/`, ROOT))) {
    if (!e.isDirectory || e.name === keep) continue;
    const path = new URL(`${CACHE}/${e.name}`, ROOT);
    const s = await exists(path);
    if (s?.mtime && now - s.mtime.getTime() > PRUNE_AFTER_MS) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
}

/** Build under the lock: into a temporary directory, renamed to `dir` when complete. */
async function buildInto(key: string, dir: URL, file: string): Promise<void> {
  const tmp = `${CACHE}/tmp-${crypto.randomUUID()}`;
  try {
    await runBundleTask(`${tmp}/${FILE}`);
    await Deno.rename(new URL(tmp, ROOT), dir);
  } catch (err) {
    if (!await exists(file)) throw err; // else another builder won the rename: use its build
  } finally {
    await Deno.remove(new URL(tmp, ROOT), { recursive: true }).catch(() => {});
  }
  await prune(key).catch(() => {});
}

async function buildCached(): Promise<string> {
  const key = await bundleKey();
  const dir = new URL(`${CACHE}/${key}`, ROOT);
  const file = new URL(`${CACHE}/${key}/${FILE}`, ROOT).pathname;
  const lock = new URL(`${CACHE}/${key}.lock`, ROOT);
  await Deno.mkdir(new URL(`${CACHE}/`, ROOT), { recursive: true });
  for (;;) {
    if (await exists(file)) return file;
    let mine = false;
    try {
      (await Deno.open(lock, { write: true, createNew: true })).close();
      mine = true;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    if (mine) {
      // The lock's time stamp is kept fresh while the build runs: one that stops moving
      // belongs to a builder that died.
      const beat = setInterval(() => {
        const now = new Date();
        Deno.utime(lock, now, now).catch(() => {});
      }, HEARTBEAT_MS);
      try {
        await buildInto(key, dir, file);
      } finally {
        clearInterval(beat);
        await Deno.remove(lock).catch(() => {});
      }
      continue;
    }
    // Another process builds it: wait for its rename, or for its lock to go (or go stale).
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (await exists(file)) return file;
      const held = await exists(lock);
      if (!held) break;
      if (held.mtime && Date.now() - held.mtime.getTime() > STALE_LOCK_MS) {
        await Deno.remove(lock).catch(() => {});
        break;
      }
    }
  }
}

let pending: Promise<string> | undefined;

/**
 * The bundle `deno task bundle` builds from the current sources, built at most once for them
 * (see the module comment); returns its absolute path. Never write to it.
 */
export function cachedBundle(): Promise<string> {
  pending ??= buildCached().catch((err) => {
    pending = undefined;
    throw err;
  });
  return pending;
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
