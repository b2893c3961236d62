/**
 * Concurrent identical reads share one request in flight. Not a cache: the entry is dropped the
 * moment its request settles, so a call that starts after the answer sends its own request.
 *
 * Each caller keeps its own cancellation: a caller that aborts gets `aborted` at once while the
 * others go on waiting; the shared request itself is aborted only when every caller has left.
 */
import { CoderError } from "./errors.ts";

interface Entry {
  promise: Promise<unknown>;
  /** Callers still waiting. */
  waiting: number;
  stop: AbortController;
  /** Forget the entry (it settled, or every caller left). */
  drop(): void;
}

const inFlight = new WeakMap<object, Map<string, Entry>>();

/**
 * Run `fetch` for `key` on `owner` (the client), or join the identical request already in
 * flight. `route` names the request in an `aborted` error.
 */
export function shared<T>(
  owner: object,
  key: string,
  route: string,
  signal: AbortSignal | undefined,
  fetch: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  let table = inFlight.get(owner);
  if (!table) inFlight.set(owner, table = new Map());
  let entry = table.get(key);
  if (!entry) {
    const stop = new AbortController();
    const started: Entry = {
      promise: Promise.resolve(),
      waiting: 0,
      stop,
      drop: () => {
        if (table.get(key) === started) table.delete(key);
      },
    };
    const promise = fetch(stop.signal);
    started.promise = promise;
    promise.then(started.drop, started.drop);
    table.set(key, started);
    entry = started;
  }
  const joined = entry;
  joined.waiting++;
  const answer = joined.promise as Promise<T>;
  if (!signal) return answer;
  const aborted = () => new CoderError({ status: 0, route, kind: "aborted" });
  if (signal.aborted) {
    leave(joined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      leave(joined);
      reject(aborted());
    };
    signal.addEventListener("abort", onAbort, { once: true });
    answer.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** A caller leaves; the last one to leave aborts the shared request. */
function leave(entry: Entry): void {
  entry.waiting--;
  if (entry.waiting > 0) return;
  entry.drop();
  entry.stop.abort();
}
