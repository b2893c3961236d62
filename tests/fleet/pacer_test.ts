/**
 * The watch-driven pacer (src/fleet/pacer.ts): when a watch opens, the next round lists at once
 * (reconcile: what changed while it was closed is in no frame). The watch here is a plain
 * AgentWatch the test opens by hand: the socket itself is tests/backends/chats/watch_test.ts's.
 */
import assert from "node:assert/strict";
import { watchPacer } from "../../src/fleet/pacer.ts";
import type { AgentWatch, WatchEvent, WatchListener } from "../../src/model/backend.ts";
import { within } from "../deadline.ts";
import { leftBehind } from "../leaks.ts";
import { anAgent } from "../agent_fixture.ts";

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
    emit(e: WatchEvent) {
      for (const l of listeners) l.event(e);
    },
    drop() {
      w.isOpen = false;
      for (const l of listeners) l.state("closed");
    },
    listeners,
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

const HOUR = 3_600_000;
const changed: WatchEvent = { kind: "status_change", agent: anAgent({ kind: "chat" }) };

Deno.test("pacer: while the watch is not open, an event wakes the wait at once, listing every kind", async () => {
  const watch = handWatch();
  // Polls an hour apart: only the event can make the round come now.
  const pacer = watchPacer(watch, "chat", ["chat", "task"], HOUR, HOUR);
  try {
    const step = pacer.next(HOUR);
    watch.emit(changed);
    const s = await within(step, "the round the event woke", 5_000);
    assert.deepEqual(s.kinds, ["chat", "task"], "not open: a poll round lists every kind");
    assert.deepEqual(s.events, [changed]);
    // An event already waiting makes the next round at once, also while not open.
    watch.emit(changed);
    const again = await within(pacer.next(HOUR), "the round of the waiting event", 5_000);
    assert.deepEqual(again.events, [changed]);
    // A quiet poll round (no event) ends at the caller's limit, listing every kind, no event.
    const quiet = await within(pacer.next(20), "a quiet poll round", 5_000);
    assert.deepEqual(quiet, { kinds: ["chat", "task"], events: [] });
  } finally {
    pacer.close();
  }
});

Deno.test("pacer: while the watch is open, an event wakes the wait with no list at all", async () => {
  const watch = handWatch();
  const pacer = watchPacer(watch, "chat", ["chat", "task"], HOUR, HOUR);
  try {
    watch.open();
    await within(pacer.next(HOUR), "the reconcile round", 5_000);
    const step = pacer.next(HOUR);
    watch.emit(changed);
    assert.deepEqual(await within(step, "the event's round", 5_000), {
      kinds: [],
      events: [changed],
    });
  } finally {
    pacer.close();
  }
});

Deno.test("pacer: with the watch open, the other kinds keep their poll, the watched one its reconcile", async () => {
  const watch = handWatch();
  // Tasks polled every 20 ms, chats reconciled every hour.
  const pacer = watchPacer(watch, "chat", ["chat", "task"], 20, HOUR);
  try {
    watch.open();
    assert.deepEqual((await within(pacer.next(HOUR), "the reconcile round", 5_000)).kinds, [
      "chat",
      "task",
    ]);
    const polled = await within(pacer.next(HOUR), "the tasks' poll round", 5_000);
    assert.deepEqual(polled, { kinds: ["task"], events: [] }, "only the tasks are listed");
  } finally {
    pacer.close();
  }
  // Chats alone, reconciled every 20 ms, polled never: the reconcile round lists them.
  const chats = handWatch();
  const alone = watchPacer(chats, "chat", ["chat"], HOUR, 20);
  try {
    chats.open();
    await within(alone.next(HOUR), "the opening's round", 5_000);
    assert.deepEqual(await within(alone.next(HOUR), "the reconcile round", 5_000), {
      kinds: ["chat"],
      events: [],
    });
  } finally {
    alone.close();
  }
});

Deno.test("pacer: a cancelled wait ends its doze at once, with the cancel's reason", async () => {
  for (const open of [false, true]) {
    const watch = handWatch();
    const pacer = watchPacer(watch, "chat", ["chat", "task"], HOUR, HOUR);
    try {
      if (open) {
        watch.open();
        await within(pacer.next(HOUR), "the reconcile round", 5_000);
      }
      const gone = new Error("cancelled by the caller");
      const early = new AbortController();
      early.abort(gone);
      await assert.rejects(within(pacer.next(HOUR, early.signal), "a cancelled round"), gone);
      const late = new AbortController();
      const step = pacer.next(HOUR, late.signal);
      late.abort(gone);
      await assert.rejects(within(step, "a round cancelled while it dozes", 5_000), gone);
    } finally {
      pacer.close();
    }
  }
});

Deno.test("pacer: a round dozing while the watch is closed is woken when it opens, listing every kind", async () => {
  const watch = handWatch();
  const pacer = watchPacer(watch, "chat", ["chat", "task"], HOUR, HOUR);
  try {
    const step = pacer.next(HOUR);
    watch.open();
    assert.deepEqual(await within(step, "the opening's round", 5_000), {
      kinds: ["chat", "task"],
      events: [],
    });
  } finally {
    pacer.close();
  }
  assert.equal(watch.listeners.size, 0, "closed: it no longer listens");
});

Deno.test("pacer: with the watch open, an event that came between rounds is the next round, at once", async () => {
  const watch = handWatch();
  const pacer = watchPacer(watch, "chat", ["chat"], HOUR, HOUR);
  try {
    watch.open();
    await within(pacer.next(HOUR), "the reconcile round", 5_000);
    watch.emit(changed);
    assert.deepEqual(await within(pacer.next(HOUR), "the event's round", 5_000), {
      kinds: [],
      events: [changed],
    });
  } finally {
    pacer.close();
  }
});

Deno.test("pacer: after a poll of the other kinds, the next poll is a poll period away", async () => {
  const watch = handWatch();
  const pacer = watchPacer(watch, "chat", ["chat", "task"], 300, HOUR);
  try {
    watch.open();
    await within(pacer.next(HOUR), "the reconcile round", 5_000);
    assert.deepEqual((await within(pacer.next(HOUR), "the tasks' poll", 5_000)).kinds, ["task"]);
    // Not due again yet: the round waits, and an event ends it first.
    const step = pacer.next(HOUR);
    watch.emit(changed);
    assert.deepEqual(await within(step, "the event's round", 5_000), {
      kinds: [],
      events: [changed],
    });
  } finally {
    pacer.close();
  }
});

Deno.test("pacer: a watch that drops while a round waits on it makes that round poll every kind", async () => {
  const watch = handWatch();
  const pacer = watchPacer(watch, "chat", ["chat"], 20, HOUR);
  try {
    watch.open();
    await within(pacer.next(HOUR), "the reconcile round", 5_000);
    const step = pacer.next(HOUR);
    watch.drop();
    assert.deepEqual(await within(step, "the round after the drop", 5_000), {
      kinds: ["chat"],
      events: [],
    });
  } finally {
    pacer.close();
  }
});

Deno.test("pacer: rounds that doze leave no timer or abort listener on the caller's signal", async () => {
  const watch = handWatch();
  const pacer = watchPacer(watch, "chat", ["chat", "task"], HOUR, HOUR);
  const ctl = new AbortController();
  try {
    // The watch is closed: each round dozes to its end (20 ms), then lists every kind. A long
    // wait has hundreds of rounds on one signal: a listener left per round would pile up.
    const left = await leftBehind(ctl.signal, async () => {
      for (let i = 0; i < 3; i++) {
        const step = await within(pacer.next(20, ctl.signal), `round ${i + 1}`, 5_000);
        assert.deepEqual(step.kinds, ["chat", "task"]);
      }
      // And one woken early, by an event, from a doze of an hour: its timer is cleared.
      const woken = pacer.next(HOUR, ctl.signal);
      watch.emit(changed);
      assert.equal((await within(woken, "the woken round", 5_000)).events.length, 1);
    });
    assert.deepEqual(left, { timers: 0, listeners: 0 });
  } finally {
    pacer.close();
  }
});
