/**
 * The shared chat watch against a real local WebSocket server: the token travels in the header
 * and only to the Coder origin, one socket serves every listener and closes with the last, a
 * listener that joins an open socket is told it is open, a dropped socket is reopened (listeners
 * hear closed, then open), a Coder with no usable watch is given up after a few tries (listeners
 * hear closed; nothing reopens), and frames are parsed tolerantly. Every wait has a deadline.
 */
import assert from "node:assert/strict";
import { CoderClient } from "../../../src/coder/http.ts";
import {
  agentWatch,
  ChatWatch,
  parseFrame,
  type WatchFrame,
} from "../../../src/backends/chats/watch.ts";
import type { Agent } from "../../../src/model/agent.ts";
import { stubBackend } from "./stub.ts";
import { until } from "../../deadline.ts";
import { conform, minimalChat } from "../../fixtures/chats/schemas.ts";

const TOKEN = "watch-token-0123456789";

/** A frame as Coder v2.39 sends it (checked against the contract's schema). */
const FRAME = conform("watch_event", {
  kind: "status_change",
  chat: minimalChat({ owner_username: "alice", title: "Fix the build", has_unread: true }),
});

/** A WebSocket server on 127.0.0.1; `refuse` answers every upgrade with that response instead. */
function wsServer(refuse?: () => Response) {
  const sockets: WebSocket[] = [];
  const seen: { path: string; token: string | null }[] = [];
  let closes = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: ac.signal },
    (req) => {
      const u = new URL(req.url);
      seen.push({ path: u.pathname, token: req.headers.get("Coder-Session-Token") });
      if (refuse) return refuse();
      if (req.headers.get("upgrade") !== "websocket") return new Response("no", { status: 400 });
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.onclose = () => closes++;
      sockets.push(socket);
      return response;
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    sockets,
    seen,
    closes: () => closes,
    async close() {
      for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.close();
      ac.abort();
      await server.finished;
    },
  };
}

Deno.test("chat watch: one shared socket, token in the header, reopened after a drop", async (t) => {
  const srv = wsServer();
  const client = new CoderClient({ url: srv.url, token: TOKEN });
  const watch = new ChatWatch(client, "/api/v2");
  const heard: string[] = [];
  const frames: WatchFrame[] = [];
  try {
    const a = watch.subscribe({ frame: (f) => frames.push(f), state: (s) => heard.push(`a:${s}`) });
    const b = watch.subscribe({ frame: () => {}, state: (s) => heard.push(`b:${s}`) });
    await t.step("two listeners, one socket, to C/chats/watch with the token header", async () => {
      await until(() => watch.isOpen && srv.sockets.length > 0, "the socket to open");
      assert.equal(srv.sockets.length, 1);
      assert.deepEqual(srv.seen, [{ path: "/api/v2/chats/watch", token: TOKEN }]);
      await until(() => heard.includes("a:open") && heard.includes("b:open"), "both to hear open");
    });

    await t.step("a listener that joins the open socket is told it is open", async () => {
      // A wait reconciles when it hears "open": one that joined without hearing it would sleep
      // through what changed before it joined, until its next reconcile.
      const c = watch.subscribe({ frame: () => {}, state: (s) => heard.push(`c:${s}`) });
      await until(() => heard.includes("c:open"), "the joining listener to hear open");
      assert.equal(srv.sockets.length, 1, "no second socket");
      c();
    });

    await t.step("frames reach listeners", async () => {
      srv.sockets[0].send(JSON.stringify(FRAME));
      srv.sockets[0].send("not json");
      await until(() => frames.length === 1, "the frame");
      assert.equal(frames[0].kind, "status_change");
      assert.equal(frames[0].chat.status, "waiting");
    });

    await t.step("a dropped socket: closed, then reopened and open again", async () => {
      heard.length = 0;
      srv.sockets[0].close();
      await until(
        () => heard.includes("a:closed") && heard.includes("a:open"),
        "closed, then open again",
      );
      assert.equal(srv.sockets.length, 2);
      assert.equal(watch.opened, 2);
    });

    await t.step("the last listener leaving closes the socket", async () => {
      a();
      assert.equal(watch.isOpen, true, "b still listens");
      b();
      assert.equal(watch.isOpen, false);
      await until(() => srv.closes() === 2, "the server to see the socket close");
    });
  } finally {
    watch.close();
    await srv.close();
  }
});

Deno.test("chat watch: a Coder with no watch route is given up after a few tries, and listeners hear it", async () => {
  // Coder before the watch (or a proxy that refuses WebSockets) answers the upgrade with 404.
  const srv = wsServer(() =>
    new Response(JSON.stringify({ message: "Route not found." }), {
      status: 404,
      headers: { "content-type": "application/json" },
    })
  );
  const watch = new ChatWatch(new CoderClient({ url: srv.url, token: TOKEN }), "/api/v2");
  const heard: string[] = [];
  try {
    const a = watch.subscribe({ frame: () => {}, state: (s) => heard.push(s) });
    // Three tries with backoff (0.4 s, 0.8 s), then it gives up and says so.
    await until(() => heard.length > 0, "the listener to hear that the watch is gone");
    assert.deepEqual(heard, ["closed"]);
    assert.equal(watch.available, false, "waits poll instead (Fleet.watchOf skips it)");
    assert.equal(watch.isOpen, false);
    assert.equal(watch.opened, 3);
    assert.equal(srv.seen.length, 3);
    // A wait that comes now opens nothing: the watch is not tried again for a while.
    const b = watch.subscribe({ frame: () => {}, state: (s) => heard.push(`b:${s}`) });
    assert.equal(watch.opened, 3);
    a();
    b();
  } finally {
    watch.close();
    await srv.close();
  }
});

Deno.test("chat watch: once its unavailable time is over, it is tried afresh: three tries again", async () => {
  const srv = wsServer(() => new Response("no", { status: 404 }));
  const watch = new ChatWatch(new CoderClient({ url: srv.url, token: TOKEN }), "/api/v2", {
    unavailableMs: 200,
  });
  try {
    const a = watch.subscribe({ frame: () => {}, state: () => {} });
    await until(() => !watch.available, "the watch to be given up");
    assert.equal(watch.opened, 3);
    a();
    await until(() => watch.available, "the unavailable time to pass");
    const b = watch.subscribe({ frame: () => {}, state: () => {} });
    await until(() => !watch.available, "the watch to be given up again");
    assert.equal(watch.opened, 6, "the count of failed tries started again from zero");
    b();
  } finally {
    watch.close();
    await srv.close();
  }
});

Deno.test("chat watch: sockets that drop as soon as they open are given up too, not reopened five times a second", async () => {
  // A proxy that lets the upgrade through and then cuts the socket (or a Coder that closes it at
  // once): every socket opens, then drops. Reopening each after the first backoff step would
  // open five sockets a second (each a reconcile list for every wait) for as long as anyone
  // waits.
  const srv = wsServer();
  const cut = setInterval(() => {
    for (const s of srv.sockets) if (s.readyState === WebSocket.OPEN) s.close();
  }, 5);
  const watch = new ChatWatch(new CoderClient({ url: srv.url, token: TOKEN }), "/api/v2");
  const heard: string[] = [];
  try {
    const a = watch.subscribe({ frame: () => {}, state: (s) => heard.push(s) });
    await until(() => !watch.available, "the watch to be given up");
    assert.equal(watch.opened, 3, "three sockets, then no more");
    assert.equal(heard.at(-1), "closed", "the listener was told");
    const b = watch.subscribe({ frame: () => {}, state: () => {} });
    assert.equal(watch.opened, 3, "a wait that comes now opens nothing");
    a();
    b();
  } finally {
    clearInterval(cut);
    watch.close();
    await srv.close();
  }
});

Deno.test("chat watch: a socket that stayed open worked: its drop does not count towards giving up", async () => {
  // Coder restarts, or a proxy ends idle sockets: sockets that lived past the stable time are
  // reopened each time, however many there were.
  const srv = wsServer();
  let cuts = 0;
  const openSince = new Map<WebSocket, number>();
  const cut = setInterval(() => {
    for (const s of srv.sockets) {
      if (s.readyState !== WebSocket.OPEN || cuts >= 5) continue;
      if (!openSince.has(s)) openSince.set(s, Date.now());
      // Open for twice the stable time at least, as the server saw it.
      if (Date.now() - openSince.get(s)! >= 100) {
        cuts++;
        s.close();
      }
    }
  }, 10);
  const client = new CoderClient({ url: srv.url, token: TOKEN });
  const watch = new ChatWatch(client, "/api/v2", { stableMs: 50 });
  try {
    const a = watch.subscribe({ frame: () => {}, state: () => {} });
    await until(() => watch.opened === 6 && watch.isOpen, "five sockets cut, and a sixth open");
    assert.equal(cuts, 5);
    assert.equal(watch.available, true);
    a();
  } finally {
    clearInterval(cut);
    watch.close();
    await srv.close();
  }
});

Deno.test("chat watch: a path that would leave the Coder URL opens nothing", () => {
  const client = new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN });
  let opened = 0;
  const open = () => {
    opened++;
    return {} as WebSocket;
  };
  for (const p of ["@evil.example/x", "/../../x", ".evil.example/x"]) {
    assert.throws(() => client.openWebSocket(p, open), /leave the Coder URL/);
  }
  assert.equal(opened, 0);
  const urls: string[] = [];
  client.openWebSocket("/api/v2/chats/watch", (u, init) => {
    urls.push(u);
    assert.equal(init.headers["Coder-Session-Token"], TOKEN);
    return {} as WebSocket;
  });
  assert.deepEqual(urls, ["ws://127.0.0.1:9/api/v2/chats/watch"]);
});

Deno.test("chat watch: frames are parsed tolerantly", () => {
  assert.equal(parseFrame("{"), undefined);
  assert.equal(parseFrame(JSON.stringify({ kind: "created" })), undefined);
  assert.equal(parseFrame(JSON.stringify({ chat: { id: "x" } })), undefined);
  assert.equal(parseFrame(new Uint8Array([1])), undefined);
  // Frames up to 1 MiB are read; a bigger one is ignored. The kind is cut at 64 characters.
  const sized = (n: number) => {
    const base = JSON.stringify({ kind: "k".repeat(100), chat: { id: "x" }, pad: "" });
    return base.replace('"pad":""', `"pad":"${"p".repeat(n - base.length)}"`);
  };
  assert.equal(sized(1024 * 1024).length, 1024 * 1024);
  assert.equal(parseFrame(sized(1024 * 1024))?.kind, "k".repeat(64));
  assert.equal(parseFrame(sized(1024 * 1024 + 1)), undefined);
  for (const notObject of ["null", "5", '"created"', "true"]) {
    assert.equal(parseFrame(notObject), undefined, notObject);
  }
  const f = parseFrame(JSON.stringify({
    kind: "created",
    chat: { id: "x", status: "running", queued_for_capacity: true, extra: 1 },
  }));
  assert.equal(f?.chat.queued_for_capacity, true);
});

/** Sockets that the test opens, drops and feeds by hand (`open` of ChatWatch's options). */
function fakeSockets() {
  const made: WebSocket[] = [];
  return {
    made,
    open: () => {
      const ws = { close() {} } as unknown as WebSocket;
      made.push(ws);
      return ws;
    },
    last: () => made[made.length - 1] as unknown as Record<string, (e?: unknown) => void>,
  };
}

Deno.test("chat watch: a socket that cannot even be made counts as a failed try", async () => {
  let tries = 0;
  const watch = new ChatWatch(new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN }), "", {
    open: () => {
      tries++;
      throw new SyntaxError("bad URL");
    },
  });
  const heard: string[] = [];
  try {
    const a = watch.subscribe({ frame: () => {}, state: (s) => heard.push(s) });
    // Three tries with backoff (0.4 s, 0.8 s), then it gives up and says so.
    await until(() => heard.length > 0, "the listener to hear that the watch is gone");
    assert.deepEqual(heard, ["closed"]);
    assert.equal(tries, 3);
    assert.equal(watch.available, false);
    a();
  } finally {
    watch.close();
  }
});

Deno.test("chat watch: a listener that leaves when told of a drop leaves nothing behind", () => {
  const fake = fakeSockets();
  const watch = new ChatWatch(new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN }), "", {
    open: fake.open,
  });
  try {
    let stop = () => {};
    stop = watch.subscribe({ frame: () => {}, state: (s) => s === "closed" && stop() });
    fake.last().onopen();
    assert.equal(watch.isOpen, true);
    fake.last().onclose();
    assert.equal(watch.isOpen, false);
    // Nobody listens: no reopen is pending, so the next listener opens a socket at once.
    const again = watch.subscribe({ frame: () => {}, state: () => {} });
    assert.equal(watch.opened, 2);
    again();
  } finally {
    watch.close();
  }
});

Deno.test("chat watch: the last listener leaving during a backoff cancels the reopen", () => {
  // The timers the watch sets and clears, seen through the globals it calls.
  const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
  const pending = new Set<ReturnType<typeof setTimeout>>();
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    const id = realSet(fn, ms);
    pending.add(id);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id?: ReturnType<typeof setTimeout>) => {
    if (id !== undefined) pending.delete(id);
    realClear(id);
  }) as typeof clearTimeout;
  const fake = fakeSockets();
  const watch = new ChatWatch(new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN }), "", {
    open: fake.open,
  });
  try {
    const a = watch.subscribe({ frame: () => {}, state: () => {} });
    fake.last().onclose(); // never opened: a failed try, a reopen pending
    assert.equal(pending.size, 1, "the reopen is pending");
    a();
    assert.equal(pending.size, 0, "nobody listens: the reopen is cancelled");
    assert.equal(watch.opened, 1);
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
    for (const id of pending) realClear(id);
    watch.close();
  }
});

Deno.test("agentWatch: the watch as the fleet sees it, each frame's chat as an agent", () => {
  const fake = fakeSockets();
  const watch = new ChatWatch(new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN }), "", {
    open: fake.open,
  });
  const seen = agentWatch(watch, (c) => ({ id: c.id, name: c.title ?? "" }) as Agent);
  const events: string[] = [];
  try {
    assert.equal(seen.isOpen, false);
    assert.equal(seen.available, true);
    const stop = seen.subscribe({
      event: (e) => events.push(`${e.kind}:${e.agent.name}`),
      state: (s) => events.push(s),
    });
    fake.last().onopen();
    assert.equal(seen.isOpen, true);
    fake.last().onmessage({ data: JSON.stringify(FRAME) });
    assert.deepEqual(events, ["open", "status_change:Fix the build"]);
    stop();
    assert.equal(seen.isOpen, false);
  } finally {
    seen.close();
  }
});

Deno.test("the Chats back end has one watch for its life, opened only when listened to", () => {
  const { b, seen } = stubBackend(() => undefined);
  const w = b.watch();
  assert.equal(b.watch(), w, "every wait shares the one watch");
  assert.equal(w.isOpen, false);
  assert.equal(w.available, true);
  assert.deepEqual(seen, []);
  w.close();
});

Deno.test("chat watch: reopened after 200 ms when the socket worked, then 400 and 800 ms", () => {
  // The reopen timers the watch sets, fired by hand (all of this runs synchronously).
  const { setTimeout: realSet } = globalThis;
  const timers: { fn: () => void; ms?: number }[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    timers.push({ fn, ms });
    return timers.length;
  }) as unknown as typeof setTimeout;
  const fake = fakeSockets();
  const watch = new ChatWatch(new CoderClient({ url: "http://127.0.0.1:9", token: TOKEN }), "", {
    open: fake.open,
    stableMs: 0,
  });
  try {
    const a = watch.subscribe({ frame: () => {}, state: () => {} });
    fake.last().onopen();
    fake.last().onclose(); // it was open: it worked
    for (let i = 0; i < 3; i++) {
      timers[i].fn(); // the reopen
      fake.last().onclose(); // never opened: a failed try
    }
    assert.deepEqual(timers.map((t) => t.ms), [200, 400, 800]);
    assert.equal(watch.opened, 4);
    assert.equal(watch.available, false, "given up at the third failed try");
    a();
  } finally {
    globalThis.setTimeout = realSet;
    watch.close();
  }
});
