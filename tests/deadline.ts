/**
 * Deadlines for the waits of tests: no test can hang. A wait on a condition or an event that
 * never comes fails the test with what it waited for, well before anything outside the test
 * (a lane, `deno task mutate`'s run timeout, a CI job) would give up on the whole file.
 *
 * Deadlines are guards, not timing assertions: they are generous (a loaded machine is slow),
 * and a test that passes never comes near them.
 */
import type { WorkerAnswer, WorkerCall } from "./worker_call.ts";

/** Default deadline of one wait in a test (ms). */
export const WAIT_MS = 20_000;

/** Rejects with a clear error when `ms` has passed; `clear()` cancels the timer. */
function timer(ms: number, what: string) {
  let id: ReturnType<typeof setTimeout> | undefined;
  const fired = new Promise<never>((_, reject) => {
    id = setTimeout(() => reject(new Error(`gave up after ${ms} ms waiting for ${what}`)), ms);
  });
  return { fired, clear: () => clearTimeout(id) };
}

/**
 * `p`, or a rejection naming `what` once `ms` has passed. The promise itself is left to settle
 * (or not) on its own: what it waits on is for the test's `finally` to release.
 */
export async function within<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  const t = timer(ms, what);
  try {
    return await Promise.race([p, t.fired]);
  } finally {
    t.clear();
  }
}

/**
 * Poll `cond` every `everyMs` until it holds; throws naming `what` once `ms` has passed without
 * it holding.
 */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = WAIT_MS,
  everyMs = 10,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() >= end) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sleep `ms` (a pause during which something must NOT happen; the test bounds it itself). */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The exit status of `child`, which has been asked to end (stdin closed, a signal sent). Past
 * `ms` it is killed (SIGKILL) and the wait fails naming `what`: a process that ignores its
 * signal fails the test instead of hanging it.
 */
export async function exited(
  child: Deno.ChildProcess,
  what: string,
  ms = 10_000,
): Promise<Deno.CommandStatus> {
  let killed = false;
  const t = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, ms);
  try {
    const status = await child.status;
    if (killed) throw new Error(`${what} did not exit within ${ms} ms: killed`);
    return status;
  } finally {
    clearTimeout(t);
  }
}

/**
 * `name(...args)` of `module`, run in a worker, or a rejection naming `what` once `ms` has passed
 * (the worker is then terminated). For code where a bug could loop without end: in the test's own
 * thread such a loop blocks every timer, so no deadline fires and the whole run hangs; in a
 * worker, only the worker hangs. Arguments and result must be structured-cloneable.
 */
export async function inWorker<T>(
  module: URL,
  name: string,
  args: unknown[],
  what: string,
  ms = WAIT_MS,
): Promise<T> {
  const worker = new Worker(new URL("./worker_call.ts", import.meta.url), { type: "module" });
  try {
    const answer = new Promise<T>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerAnswer>) => {
        if (e.data.ok) resolve(e.data.value as T);
        else reject(new Error(`${what}: ${e.data.error}`));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`${what}: ${e.message}`));
      };
    });
    const call: WorkerCall = { module: module.href, name, args };
    worker.postMessage(call);
    return await within(answer, what, ms);
  } finally {
    worker.terminate();
  }
}
