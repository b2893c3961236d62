/**
 * The worker of {@link inWorker} (tests/deadline.ts): imports a module, calls one of its exported
 * functions with the arguments it is sent, and posts back the result or the error's message.
 */

/** What the test sends. */
export interface WorkerCall {
  module: string;
  name: string;
  args: unknown[];
}

/** What the worker answers. */
export type WorkerAnswer = { ok: true; value: unknown } | { ok: false; error: string };

const worker = self as unknown as {
  onmessage: (e: MessageEvent<WorkerCall>) => void;
  postMessage: (answer: WorkerAnswer) => void;
};

worker.onmessage = async (e) => {
  try {
    const mod = await import(e.data.module);
    worker.postMessage({ ok: true, value: await mod[e.data.name](...e.data.args) });
  } catch (err) {
    worker.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
