/**
 * What a wait leaves behind when it ends: timers not fired nor cleared, abort listeners still on
 * the caller's signal. Deno's own sanitizer does not see these in every test, so they are counted.
 */

/**
 * Timers started and not yet fired or cleared, and the abort listeners on one signal, counted
 * while `fn` runs: what a wait leaves behind keeps closures (and, for a timer, the process)
 * alive until it fires, a slot waiter's for as long as the call's budget.
 */
export async function leftBehind(
  signal: AbortSignal,
  fn: () => Promise<void>,
): Promise<{ timers: number; listeners: number }> {
  type Timer = ReturnType<typeof setTimeout>;
  const live = new Set<Timer>();
  const listeners = new Set<unknown>();
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  globalThis.setTimeout = ((cb: () => void, ms?: number) => {
    const id: Timer = realSet(() => {
      live.delete(id);
      cb();
    }, ms);
    live.add(id);
    return id;
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((id?: Timer) => {
    if (id !== undefined) live.delete(id);
    realClear(id);
  }) as typeof clearTimeout;
  signal.addEventListener = ((type: string, l: EventListener, o?: AddEventListenerOptions) => {
    if (type === "abort") listeners.add(l);
    add(type, l, o);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, l: EventListener) => {
    if (type === "abort") listeners.delete(l);
    remove(type, l);
  }) as typeof signal.removeEventListener;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
  const timers = live.size;
  for (const id of live) realClear(id);
  return { timers, listeners: listeners.size };
}
