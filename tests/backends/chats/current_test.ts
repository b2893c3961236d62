/**
 * The Chats back end against what current Coder (v2.37 to v2.39) does, over a stubbed fetch
 * (our own code is not mocked): org-scoped model configs with the old route as fallback, the
 * status filter probed once, and request_id receipts learned from the first answer.
 */
import assert from "node:assert/strict";
import { type Route, stubBackend } from "./stub.ts";
import type { Agent } from "../../../src/model/agent.ts";

const ID1 = "11111111-1111-4111-8111-111111111111";
const ORG = "d0000000-0000-4000-8000-000000000000";

function chat(over: Record<string, unknown> = {}) {
  return { id: ID1, title: "t", status: "waiting", owner_username: "alice", ...over };
}

const backend = (route: Route) => stubBackend(route, ORG);

const MODELS = { providers: [{ provider: "anthropic", models: [{ id: "m1", model: "claude" }] }] };
const agent = { id: ID1, kind: "chat", state: "idle" } as Agent;

Deno.test("current Coder: model configs are org-scoped, the old route is the fallback", async (t) => {
  await t.step("org route answers: used, and remembered", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === `/api/v2/organizations/${ORG}/chats/models`
        ? { status: 200, body: MODELS }
        : undefined
    );
    assert.deepEqual((await b.catalog()).models?.map((m) => m.id), ["m1"]);
    assert.equal(b.models.route, "org");
    seen.length = 0;
    await b.catalog();
    assert.deepEqual(seen.map((r) => r.url.pathname), [
      "/api/v2/users/me/organizations",
      `/api/v2/organizations/${ORG}/chats/models`,
    ]);
  });
  await t.step("org route 404: the old route, remembered (no org request again)", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats/models" ? { status: 200, body: MODELS } : undefined
    );
    assert.deepEqual((await b.catalog()).models?.map((m) => m.id), ["m1"]);
    assert.equal(b.models.route, "legacy");
    seen.length = 0;
    await b.catalog();
    assert.deepEqual(seen.map((r) => r.url.pathname), ["/api/v2/chats/models"]);
  });
  await t.step("neither: no models, and no more asking", async () => {
    const { b, seen } = backend(() => undefined);
    assert.deepEqual((await b.catalog()).models, []);
    seen.length = 0;
    assert.deepEqual((await b.catalog()).models, []);
    assert.equal(seen.length, 0);
  });
});

Deno.test("current Coder: the state filter goes to Coder where it can, probed once", async (t) => {
  await t.step("accepted: status terms pushed, every time", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [chat()] } : undefined
    );
    await b.list({ state: ["idle", "error"] });
    await b.list({ state: ["working"] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      "status:waiting,requires_action,paused,error",
      "status:running,interrupting",
    ]);
    assert.equal(b.statusFilter, true);
  });
  await t.step("v2.37's 400: filtered locally from then on (one extra request, once)", async () => {
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== "/api/v2/chats") return undefined;
      return r.url.searchParams.get("q")?.includes("status:")
        ? {
          status: 400,
          body: {
            message: "Invalid chat search query.",
            validations: [{ field: "q", detail: "status" }],
          },
        }
        : {
          status: 200,
          body: [chat(), chat({ id: "22222222-2222-4222-8222-222222222222", status: "running" })],
        };
    });
    const first = await b.list({ state: ["idle"] });
    assert.equal(first.length, 2, "the back end leaves state filtering to the fleet");
    await b.list({ state: ["idle"] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      "status:waiting,requires_action,paused",
      null,
      null,
    ]);
    assert.equal(b.statusFilter, false);
  });
  await t.step("starting and unknown cannot be pushed", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [] } : undefined
    );
    await b.list({ state: ["starting"] });
    await b.list({ state: ["idle", "unknown"] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [null, null]);
  });
});

Deno.test("current Coder: request_id on sends, receipts, and safe retries", async (t) => {
  const path = `/api/v2/chats/${ID1}/messages`;
  await t.step(
    "receipts: a lost answer is sent again with the same id, where supported",
    async () => {
      let n = 0;
      const { b, seen } = backend((r) => {
        if (r.url.pathname !== path) return undefined;
        n++;
        if (n === 2) return "lost";
        return {
          status: 200,
          body: {
            id: "s",
            request_id: r.body?.request_id,
            chat_id: ID1,
            state: "accepted",
            message_id: n,
          },
        };
      });
      const a = await b.send(agent, "one", undefined, "req-1");
      assert.match(a.detail, /receipt accepted/);
      const c = await b.send(agent, "two", undefined, "req-2");
      assert.equal(c.outcome, "sent");
      const ids = seen.filter((r) => r.url.pathname === path).map((r) => r.body?.request_id);
      assert.deepEqual(ids, ["req-1", "req-2", "req-2"]);
    },
  );
  await t.step("a rejected receipt fails with Coder's reason", async () => {
    const { b } = backend((r) =>
      r.url.pathname === path
        ? { status: 200, body: { request_id: "r", state: "rejected", error: "chat is archived" } }
        : undefined
    );
    await assert.rejects(b.send(agent, "x", undefined, "r"), /rejected\): chat is archived/);
  });
  await t.step("an uncertain receipt is uncertain", async () => {
    const { b } = backend((r) =>
      r.url.pathname === path
        ? { status: 200, body: { request_id: "r", state: "uncertain" } }
        : undefined
    );
    await assert.rejects(
      b.send(agent, "x", undefined, "r"),
      (e: { uncertain?: boolean }) => e.uncertain === true,
    );
  });
  await t.step(
    "a server that ignores request_id: not sent again, lost answers not retried",
    async () => {
      let n = 0;
      const { b, seen } = backend((r) => {
        if (r.url.pathname !== path) return undefined;
        n++;
        return n === 2 ? "lost" : { status: 200, body: { queued: false, message: { id: n } } };
      });
      await b.send(agent, "one", undefined, "req-1");
      await assert.rejects(b.send(agent, "two", undefined, "req-2"));
      const ids = seen.filter((r) => r.url.pathname === path).map((r) => r.body?.request_id);
      assert.deepEqual(ids, ["req-1", undefined]);
    },
  );
  await t.step("a server that refuses request_id (400 naming it): sent again without", async () => {
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== path) return undefined;
      return r.body?.request_id
        ? {
          status: 400,
          body: {
            message: "Invalid request.",
            validations: [{ field: "request_id", detail: "unknown field" }],
          },
        }
        : { status: 200, body: { queued: false } };
    });
    assert.equal((await b.send(agent, "one", undefined, "req-1")).outcome, "sent");
    await b.send(agent, "two", undefined, "req-2");
    const ids = seen.filter((r) => r.url.pathname === path).map((r) => r.body?.request_id);
    assert.deepEqual(ids, ["req-1", undefined, undefined]);
  });
});
