/**
 * The back ends' Coder I/O under hostile inputs and a misbehaving Coder (issue 6, findings 2, 7
 * and 13): handles never reach outside the agent APIs, one malformed list item is skipped (and
 * reported) instead of failing the back end, and a write is `done` only on Coder's documented
 * answer: a proxy's page or a lost answer propagates as the CoderError it is.
 */
import assert from "node:assert/strict";
import { CoderClient, CoderError } from "../../src/coder/http.ts";
import { getTask } from "../../src/backends/tasks/api.ts";
import { InvalidSegmentError } from "../../src/coder/errors.ts";
import { segment } from "../../src/coder/paths.ts";
import type { Agent } from "../../src/model/agent.ts";
import { type BackendContext, FleetError, type Handle } from "../../src/model/backend.ts";
import { detect } from "../../src/fleet/detect.ts";
import { ChatsBackend } from "../../src/backends/chats/backend.ts";
import { TasksBackend } from "../../src/backends/tasks/backend.ts";
import { html, json, serve } from "../coder/local_server.ts";

const TOKEN = "tok-" + crypto.randomUUID();
const ME = { id: "11111111-1111-4111-8111-111111111111", username: "alice" };
const TASK_ID = "aaaaaaaa-0000-4000-8000-000000000001";
const CHAT_ID = "cccccccc-0000-4000-8000-000000000001";

const task = (over: Record<string, unknown> = {}) => ({
  id: TASK_ID,
  name: "fix-login",
  owner_name: "alice",
  status: "active",
  current_state: { state: "idle", message: "done" },
  created_at: "2026-03-01T11:00:00Z",
  updated_at: "2026-03-01T11:50:00Z",
  ...over,
});
const chat = (over: Record<string, unknown> = {}) => ({
  id: CHAT_ID,
  title: "fix the build",
  status: "waiting",
  owner_username: "alice",
  created_at: "2026-03-01T11:00:00Z",
  updated_at: "2026-03-01T11:50:00Z",
  ...over,
});
const NOT_FOUND = () =>
  json(404, { message: "Resource not found or you do not have access to this resource" });

function ctx(url: string): BackendContext {
  return {
    client: new CoderClient({ url, token: TOKEN, retries: 0 }),
    prefix: "/api/v2",
    dashboardUrl: url,
    me: ME,
    now: () => Date.parse("2026-03-01T12:00:00Z"),
  };
}

function agentOf(kind: "task" | "chat", over: Partial<Agent> = {}): Agent {
  return {
    id: kind === "task" ? TASK_ID : CHAT_ID,
    kind,
    name: "x",
    owner: "alice",
    state: "working",
    detail: "active/working",
    message: "",
    created_at: "2026-03-01T11:00:00Z",
    updated_at: "2026-03-01T11:50:00Z",
    state_since: "2026-03-01T11:50:00Z",
    url: "",
    labels: {},
    pr: null,
    waiting_for: null,
    ...over,
  };
}

Deno.test("segments: bad ones are refused before any request", async () => {
  for (const bad of ["", ".", "..", "a/b", "a\\b", "a?b", "a#b", "a\u0000b", "a\nb"]) {
    assert.throws(() => segment(bad, "name"), InvalidSegmentError, JSON.stringify(bad));
  }
  assert.equal(segment("fix login", "name"), "fix%20login");
  assert.equal(segment("%2e%2e", "name"), "%252e%252e");
  const s = serve(() => json(200, task()));
  try {
    const c = new CoderClient({ url: s.url, token: TOKEN });
    await assert.rejects(getTask(c, "/api/v2", "..", "users"), InvalidSegmentError);
    assert.equal(s.seen.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("handles never reach outside the agent APIs", async () => {
  const s = serve((req) => {
    const p = new URL(req.url).pathname;
    if (p === "/api/v2/tasks") return json(200, { tasks: [task()], count: 1 });
    if (p === "/api/v2/chats") return json(200, [chat()]);
    return NOT_FOUND();
  });
  try {
    const tasks = new TasksBackend(ctx(s.url));
    const chats = new ChatsBackend(ctx(s.url));
    const names: [string | undefined, string][] = [
      [undefined, "../users"],
      [undefined, ".."],
      ["a", "../../users/me"],
      ["..", "users"],
      ["..", ".."],
      ["a/../../users", "me"],
      ["me", "."],
    ];
    for (const [owner, name] of names) {
      const h: Handle = { kind: "name", owner, name, text: `${owner ?? ""}/${name}` };
      assert.deepEqual(await tasks.find(h), [], `${owner}/${name}`);
      await chats.find(h);
    }
    for (const id of ["..", "../users", ".", "a/../../users/me"]) {
      const h: Handle = { kind: "id", id, text: id };
      assert.deepEqual(await tasks.find(h), []);
      assert.deepEqual(await chats.find(h), []);
    }
    const outside = s.seen.filter((r) => !/^\/api\/v2\/(tasks|chats)(\/|$)/.test(r.path));
    assert.deepEqual(outside.map((r) => r.path), []);
  } finally {
    await s.close();
  }
});

Deno.test("lists: a malformed item is skipped and reported, not the back end", async () => {
  const s = serve((req) => {
    const p = new URL(req.url).pathname;
    if (p === "/api/v2/tasks") {
      return json(200, {
        tasks: [
          task(),
          { id: 42, name: "bad" },
          task({ id: "bbbbbbbb-0000-4000-8000-00000000000b" }),
        ],
        count: 3,
      });
    }
    return json(200, [chat(), { id: "dddd", title: 7 }, null]);
  });
  try {
    const tl = await new TasksBackend(ctx(s.url)).list({});
    assert.equal(tl.length, 2);
    assert.equal(tl.skipped?.length, 1);
    assert.match(tl.skipped![0], /^task #2 skipped, malformed: id: /);
    const cl = await new ChatsBackend(ctx(s.url)).list({});
    assert.equal(cl.length, 1);
    assert.equal(cl.skipped?.length, 2);
    assert.match(cl.skipped![0], /^chat #2 \(id dddd\) skipped, malformed: title/);
  } finally {
    await s.close();
  }
});

Deno.test("writes: done only on Coder's documented answer", async (t) => {
  let answer: () => Response | Promise<Response> = () => html(200);
  const s = serve(() => answer());
  const tasks = new TasksBackend(ctx(s.url));
  const chats = new ChatsBackend(ctx(s.url));
  const kindOf = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (e) => e);
    assert.ok(e instanceof CoderError, `expected a CoderError, got ${JSON.stringify(e)}`);
    return e.kind;
  };
  try {
    await t.step("a proxy's 200 page is no send, delete, pause, resume or archive", async () => {
      answer = () => html(200);
      assert.equal(await kindOf(tasks.send(agentOf("task"), "hi")), "parse");
      assert.equal(await kindOf(tasks.remove(agentOf("task"))), "parse");
      assert.equal(await kindOf(tasks.stop(agentOf("task"))), "parse");
      assert.equal(await kindOf(tasks.resume(agentOf("task", { state: "paused" }))), "parse");
      assert.equal(await kindOf(chats.remove(agentOf("chat"))), "parse");
      assert.equal(await kindOf(chats.stop(agentOf("chat"))), "parse");
      assert.equal(await kindOf(chats.send(agentOf("chat"), "hi")), "parse");
    });
    await t.step("a proxy's 404 page is not 'already deleted'; Coder's 404 is", async () => {
      answer = () => html(404);
      assert.equal(await kindOf(tasks.remove(agentOf("task"))), "http");
      answer = NOT_FOUND;
      assert.deepEqual(await tasks.remove(agentOf("task")), {
        outcome: "skipped",
        detail: "already deleted",
      });
    });
    await t.step("a lost answer propagates as uncertain", async () => {
      const slow = new CoderClient({ url: s.url, token: TOKEN, timeoutMs: 100 });
      const gate = Promise.withResolvers<void>();
      answer = async () => {
        await gate.promise;
        return new Response(null, { status: 202 });
      };
      try {
        const tb = new TasksBackend({ ...ctx(s.url), client: slow });
        const cb = new ChatsBackend({ ...ctx(s.url), client: slow });
        assert.equal(await kindOf(tb.remove(agentOf("task"))), "uncertain");
        assert.equal(await kindOf(tb.send(agentOf("task"), "hi")), "uncertain");
        assert.equal(await kindOf(cb.remove(agentOf("chat"))), "uncertain");
      } finally {
        gate.resolve();
      }
    });
    await t.step("the documented answers are done", async () => {
      answer = () => new Response(null, { status: 202 });
      assert.deepEqual(await tasks.remove(agentOf("task")), {
        outcome: "done",
        detail: "deleted",
      });
      answer = () => json(202, { workspace_build: {} });
      assert.equal((await tasks.stop(agentOf("task"))).outcome, "done");
      answer = () => new Response(null, { status: 204 });
      assert.equal((await tasks.send(agentOf("task"), "hi")).outcome, "sent");
      // An idle chat is archived at once (a working one is interrupted first).
      const idle = agentOf("chat", { state: "idle", detail: "waiting" });
      assert.equal((await chats.remove(idle)).outcome, "done");
    });
  } finally {
    await s.close();
  }
});

Deno.test("detection: a proxy's 200 page is no API; a redirect is explained", async (t) => {
  await t.step("200 HTML on the list routes", async () => {
    const s = serve((req) => {
      const p = new URL(req.url).pathname;
      if (p === "/api/v2/buildinfo") return json(200, { version: "v2.34.1" });
      if (p === "/api/v2/users/me") return json(200, ME);
      return html(200);
    });
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN });
      const e = await detect(c, "auto").then(() => undefined, (e) => e);
      assert.ok(e instanceof FleetError, String(e));
      assert.match(e.message, /not understood: the body is HTML/);
    } finally {
      await s.close();
    }
  });
  await t.step("a redirect to another origin", async () => {
    const s = serve(() =>
      new Response(null, { status: 302, headers: { location: "https://sso.example.com/x?y" } })
    );
    try {
      const c = new CoderClient({ url: s.url, token: TOKEN });
      const e = await detect(c, "auto").then(() => undefined, (e) => e);
      assert.ok(e instanceof FleetError, String(e));
      assert.match(e.message, /redirect \(302\) to https:\/\/sso\.example\.com/);
      assert.equal(
        e.next,
        "Set CODER_URL to the address Coder really answers at, then restart the server.",
      );
    } finally {
      await s.close();
    }
  });
  await t.step("each failure says what to do next: 401, 403, unreachable", async () => {
    const s = serve((req) =>
      new URL(req.url).pathname === "/api/v2/buildinfo"
        ? json(200, { version: "v2.34.1" })
        : req.headers.get("Coder-Session-Token") === "revoked"
        ? json(401, { message: "You must be logged in." })
        : json(403, { message: "Forbidden." })
    );
    const next = async (c: CoderClient) => {
      const e = await detect(c, "auto").then(() => undefined, (e) => e);
      assert.ok(e instanceof FleetError, String(e));
      return `${e.message} Next: ${e.next}`;
    };
    try {
      assert.match(
        await next(new CoderClient({ url: s.url, token: "revoked", retries: 0 })),
        /rejected the session token \(401\).* Next: .*coder tokens create/,
      );
      assert.match(
        await next(new CoderClient({ url: s.url, token: TOKEN, retries: 0 })),
        /refused access \(403\): Forbidden\. Next: Use a token of a user who may see tasks or chats\./,
      );
    } finally {
      await s.close();
    }
    const gone = new CoderClient({ url: s.url, token: TOKEN, retries: 0 });
    assert.match(
      await next(gone),
      /^Cannot reach Coder at .* Next: Check CODER_URL and the network, then call the tool again\.$/,
    );
  });
});
