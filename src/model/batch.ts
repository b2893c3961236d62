/**
 * A bounded-concurrency batch runner: runs every item, reports every item, in input order.
 * One failure never hides the others.
 */

/** The outcome of one item. */
export type BatchResult<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Run `fn` over `items` with at most `limit` in flight (default 8). */
export async function runBatch<I, T>(
  items: readonly I[],
  fn: (item: I, index: number) => Promise<T>,
  limit = 8,
): Promise<BatchResult<T>[]> {
  const results: BatchResult<T>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i], i) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
