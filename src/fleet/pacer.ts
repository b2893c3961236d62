/**
 * The rhythm of waits: when to list again, and what changed in between. Without a watch, every
 * round is one list per back end after `pollMs` (the old way). With a back end's watch open
 * (Coder's chat watch), its agents wake the wait as their events arrive, and are listed only to
 * reconcile: when the stream opens (first connect, every reconnect) and every
 * {@link RECONCILE_MS}; the other kinds keep their `pollMs` rounds. While the stream is not open,
 * rounds poll as before, so a dropped watch never strands a wait.
 */
import { sleep } from "../coder/http.ts";
import type { AgentKind } from "../model/agent.ts";
import type { AgentWatch, WatchEvent } from "../model/backend.ts";

/** How often a watch-driven wait lists the chats anyway (the watch has no replay). */
export const RECONCILE_MS = 30_000;

/** What the next round does: list these kinds (maybe none), and apply these watch events. */
export interface Step {
  kinds: AgentKind[];
  events: WatchEvent[];
}

/** Paces the rounds of one wait. */
export interface Pacer {
  next(maxMs: number, signal?: AbortSignal): Promise<Step>;
  /** Stop listening (the watch's last listener closes the socket). */
  close(): void;
}

/** Rounds every `pollMs`, each listing every kind. */
export function pollingPacer(kinds: AgentKind[], pollMs: number): Pacer {
  return {
    async next(maxMs, signal) {
      await sleep(Math.min(pollMs, Math.max(0, maxMs)), signal);
      return { kinds, events: [] };
    },
    close() {},
  };
}

/** Rounds driven by the watch of kind `watched` (see the module's notes). */
export function watchPacer(
  watch: AgentWatch,
  watched: AgentKind,
  kinds: AgentKind[],
  pollMs: number,
  reconcileMs = RECONCILE_MS,
): Pacer {
  let frames: WatchEvent[] = [];
  let reconcile = false;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const unsubscribe = watch.subscribe({
    event(f) {
      frames.push(f);
      poke();
    },
    state(s) {
      if (s === "open") reconcile = true;
      poke();
    },
  });
  const others = kinds.filter((k) => k !== watched);
  let lastChats = Date.now();
  let lastTasks = Date.now();
  const drain = () => {
    const out = frames;
    frames = [];
    return out;
  };
  const doze = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener("abort", abort);
        wake = undefined;
        resolve();
      };
      const abort = () => {
        reject(signal?.reason);
        done();
      };
      const t = setTimeout(done, Math.max(0, ms));
      wake = done;
      signal?.addEventListener("abort", abort, { once: true });
    });
  const all = (): Step => {
    lastChats = lastTasks = Date.now();
    reconcile = false;
    return { kinds, events: drain() };
  };
  return {
    async next(maxMs, signal) {
      const end = Date.now() + Math.max(0, maxMs);
      for (;;) {
        if (!watch.isOpen) {
          // Not (yet, or no longer) open: poll as before; an opening socket wakes this early.
          if (frames.length === 0 && !reconcile) {
            await doze(Math.min(pollMs, end - Date.now()), signal);
          }
          return all();
        }
        if (reconcile) return all();
        const dueChats = lastChats + reconcileMs;
        const dueTasks = others.length > 0 ? lastTasks + pollMs : Infinity;
        if (frames.length === 0) await doze(Math.min(dueChats, dueTasks, end) - Date.now(), signal);
        const now = Date.now();
        if (reconcile || now >= dueChats) return all();
        if (now >= dueTasks) {
          lastTasks = now;
          return { kinds: others, events: drain() };
        }
        if (frames.length > 0 || now >= end) {
          return { kinds: [], events: drain() };
        }
      }
    },
    close() {
      wake = undefined;
      unsubscribe();
    },
  };
}
