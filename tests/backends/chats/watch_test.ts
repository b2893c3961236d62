/**
 * The shared chat watch against a real local WebSocket server: the token travels in the header
 * and only to the Coder origin, one socket serves every listener and closes with the last, a
 * dropped socket is reopened (listeners hear closed, then open), and frames are parsed
 * tolerantly.
 */
import assert from "node:assert/strict";
import { CoderClient } from "../../../src/coder/http.ts";
import { ChatWatch, parseFrame, type WatchFrame } from "../../../src/backends/chats/watch.ts";
import { conform, minimalChat } from "../../fixtures/chats/schemas.ts";

const TOKEN = "watch-token-0123456789";

/** A frame as Coder v2.39 sends it (checked against the contract's schema). */
const FRAME = conform("watch_event", {
  kind: "status_change",
  chat: minimalChat({ owner_username: "alice", title: "Fix the build", has_unread: true }),
});

function wsServer() {
  const sockets: WebSocket[] = [];
  const seen: { path: string; token: string | null }[] = [];
  let closes = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: ac.signal },
    (req) => {
      const u = new URL(req.url);
      seen.push({ path: u.pathname, token: req.headers.get("Coder-Session-Token") });
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

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
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
      await until(() => watch.isOpen && srv.sockets.length > 0);
      assert.equal(srv.sockets.length, 1);
      assert.deepEqual(srv.seen, [{ path: "/api/v2/chats/watch", token: TOKEN }]);
      await until(() => heard.includes("a:open") && heard.includes("b:open"));
    });

    await t.step("frames reach listeners", async () => {
      srv.sockets[0].send(JSON.stringify(FRAME));
      srv.sockets[0].send("not json");
      await until(() => frames.length === 1);
      assert.equal(frames[0].kind, "status_change");
      assert.equal(frames[0].chat.status, "waiting");
    });

    await t.step("a dropped socket: closed, then reopened and open again", async () => {
      heard.length = 0;
      srv.sockets[0].close();
      await until(() => heard.includes("a:closed") && heard.includes("a:open"));
      assert.equal(srv.sockets.length, 2);
      assert.equal(watch.opened, 2);
    });

    await t.step("the last listener leaving closes the socket", async () => {
      a();
      assert.equal(watch.isOpen, true, "b still listens");
      b();
      assert.equal(watch.isOpen, false);
      await until(() => srv.closes() === 2);
    });
  } finally {
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
  const f = parseFrame(JSON.stringify({
    kind: "created",
    chat: { id: "x", status: "running", queued_for_capacity: true, extra: 1 },
  }));
  assert.equal(f?.chat.queued_for_capacity, true);
});
