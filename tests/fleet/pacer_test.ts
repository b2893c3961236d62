/**
 * The watch-driven pacer (src/fleet/pacer.ts): when a watch opens, the next round lists at once
 * (reconcile: what changed while it was closed is in no frame). The watch here is a plain
 * AgentWatch the test opens by hand: the socket itself is tests/backends/chats/watch_test.ts's.
 */
import assert from "node:assert/strict";
import { watchPacer } from "../../src/fleet/pacer.ts";
import type { AgentWatch, WatchListener } from "../../src/model/backend.ts";
import { within } from "../deadline.ts";

function handWatch() {
  const listeners = new Set<WatchListener>();
  const w = {
    isOpen: false,
    available: true,
    subscribe(l: WatchListener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close() {},
    open() {
      w.isOpen = true;
      for (const l of listeners) l.state("open");
    },
  };
  return w satisfies AgentWatch;
}

Deno.test("pacer: a watch that opens makes the next round list every kind at once", async () => {
  const watch = handWatch();
  const HOUR = 3_600_000;
  // Polls and reconciles an hour apart: only the opening can make a round come now.
  const pacer = watchPacer(watch, "chat", ["chat", "task"], HOUR, HOUR);
  try {
    watch.open();
    const step = await within(pacer.next(HOUR), "the reconcile round", 5_000);
    assert.deepEqual(step.kinds, ["chat", "task"]);
    assert.deepEqual(step.events, []);
    // Reconciled: the next round waits (for a frame, a poll or the end), here the end.
    const quiet = await within(pacer.next(50), "a quiet round", 5_000);
    assert.deepEqual(quiet.kinds, []);
  } finally {
    pacer.close();
  }
});
