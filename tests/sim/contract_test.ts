/**
 * The simulator's contract: on the `current` profile (Coder v2.39), every route the Chats back
 * end calls answers in Coder's shape, checked against the JSON Schemas the tests own
 * (tests/fixtures/chats/v2.39/, written from chats-v2.39-reference.md, each naming its section):
 * the list (every filter the back end sends), one chat, a create (with and without a
 * request_id, and its replay), an update (204, no body), a message page (backward and forward),
 * a send (sent, queued, with a receipt, replayed), an interrupt, the cost, the model configs,
 * the watch socket's frames, and the error bodies of each route. A sim that drifts from Coder's
 * shape (a renamed or added field, a null where Coder leaves a field out, a missing one) fails
 * here, with the path of what is wrong.
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import type { Sim } from "../../src/sim/api.ts";
import { minimalChat, schemaErrors, type SchemaName } from "../fixtures/chats/schemas.ts";

type Json = Record<string, unknown>;

function client(sim: Sim) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        "Coder-Session-Token": sim.token,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
  };
  return {
    get: (path: string) => call("GET", path),
    post: (path: string, body?: unknown) => call("POST", path, body),
    patch: (path: string, body: unknown) => call("PATCH", path, body),
  };
}

/** Assert an answer's status and that its body conforms to `schema`. */
function expect(
  r: { status: number; body: unknown },
  status: number,
  schema: SchemaName,
  what: string,
): Json {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  assert.deepEqual(schemaErrors(schema, r.body), [], `${what} is not a v2.39 ${schema}`);
  return r.body as Json;
}

const C = "/api/v2/chats";
const q = (terms: string) => `${C}?q=${encodeURIComponent(terms)}`;

Deno.test("contract: the current profile answers every Chats route in v2.39's shape", async (t) => {
  const sim = await startSim({ profile: "current", chats: 40, seed: 11, frozen: true, pace: 20 });
  const api = client(sim);
  const status = (id: string) => (sim.chat(id) as Json).status;
  try {
    const org = (await api.get("/api/v2/users/me/organizations")).body[0].id as string;
    const own = sim.chatIds("own");
    const shared = sim.chatIds("shared")[0];
    const hidden = sim.chatIds("hidden")[0];
    assert.ok(own.length > 5 && shared && hidden, "the sim has own, shared and hidden chats");
    const idle = own.find((id) => status(id) === "waiting")!;
    const running = own.find((id) => status(id) === "running")!;

    await t.step("list (§1): every filter the back end sends; every field it serves", async () => {
      const seen = new Set<string>();
      for (
        const path of [
          C,
          q("source:created_by_me,shared_with_me"),
          q("source:created_by_me"),
          q("source:created_by_me,shared_with_me status:waiting,requires_action,paused"),
          q("source:created_by_me,shared_with_me search:tests"),
          q('title:"fix" source:created_by_me,shared_with_me'),
          q("archived:true"),
          q("pr_status:draft,open,merged,closed"),
          `${C}?label=${encodeURIComponent("team:core")}`,
        ]
      ) {
        const list = expect(await api.get(path), 200, "chat_list", path) as unknown as Json[];
        for (const c of list) for (const k of Object.keys(c)) seen.add(k);
      }
      // The optional fields the sim serves appeared, so each was checked.
      for (const k of ["workspace_id", "last_error", "diff_status", "owner_username"]) {
        assert.ok(seen.has(k), `no listed chat had ${k}`);
      }
    });

    await t.step("one chat (§2): own, shared, queued for a slot; 404 and 400", async () => {
      expect(await api.get(`${C}/${idle}`), 200, "chat", "GET own");
      const s = expect(await api.get(`${C}/${shared}`), 200, "chat", "GET shared");
      assert.equal(s.shared, true);
      const queued = own.find((id) => (sim.chat(id) as Json).queued_for_capacity === true);
      assert.ok(queued, "a chat waits for a licence slot");
      expect(await api.get(`${C}/${queued}`), 200, "chat", "GET queued");
      expect(await api.get(`${C}/${hidden}`), 404, "error", "GET hidden");
      expect(await api.get(`${C}/${crypto.randomUUID()}`), 404, "error", "GET unknown");
      expect(await api.get(`${C}/not-a-uuid`), 400, "error", "GET bad id");
      expect(await api.get(q("bare")), 400, "error", "list bare term");
      expect(await api.get(q("source:everyone")), 400, "error", "list bad source");
    });

    let created = "";
    await t.step("create (§3, §12): 201 Chat, with its receipt; replay; errors", async () => {
      const body = { organization_id: org, content: [{ type: "text", text: "Contract job" }] };
      const plain = expect(
        await api.post(C, { ...body, title: "Contract" }),
        201,
        "chat",
        "create",
      );
      assert.equal(plain.title, "Contract");
      const rid = crypto.randomUUID();
      const withId = { ...body, request_id: rid };
      const c = expect(await api.post(C, withId), 201, "chat", "create with request_id");
      assert.equal((c.submission as Json)?.state, "accepted");
      created = c.id as string;
      const again = expect(await api.post(C, withId), 201, "chat", "create replayed");
      assert.equal(again.id, created);
      expect(await api.post(C, { ...withId, title: "Other" }), 409, "error", "another input");
      expect(await api.post(C, { content: body.content }), 400, "error", "no organization");
      expect(
        await api.post(C, { ...body, organization_id: crypto.randomUUID() }),
        403,
        "error",
        "another organization",
      );
      expect(await api.post(C, { ...body, title: " " }), 400, "error", "blank title");
      const empty = expect(await api.post(C, { organization_id: org }), 201, "chat", "no content");
      assert.equal(empty.status, "waiting");
    });

    await t.step("messages (§6): backward and forward pages; 400", async () => {
      const page = expect(
        await api.get(`${C}/${idle}/messages?limit=3`),
        200,
        "chat_messages",
        "page",
      );
      const ids = (page.messages as Json[]).map((m) => m.id as number);
      expect(
        await api.get(`${C}/${idle}/messages?after_id=${Math.min(...ids) - 1}&limit=2`),
        200,
        "chat_messages",
        "forward page",
      );
      expect(await api.get(`${C}/${shared}/messages`), 200, "chat_messages", "shared page");
      expect(await api.get(`${C}/${idle}/messages?limit=500`), 400, "error", "limit 500");
      expect(await api.get(`${C}/${hidden}/messages`), 404, "error", "hidden messages");
    });

    await t.step("send (§5, §12): sent, queued, receipt, replay; 403, 400", async () => {
      const text = (s: string) => ({ content: [{ type: "text", text: s }] });
      const sent = expect(
        await api.post(`${C}/${idle}/messages`, text("hi")),
        200,
        "send_response",
        "send",
      );
      assert.equal(sent.queued, false);
      const queued = expect(
        await api.post(`${C}/${idle}/messages`, text("and then")),
        200,
        "send_response",
        "queued send",
      );
      assert.equal(queued.queued, true);
      const rid = crypto.randomUUID();
      const withId = { ...text("once"), request_id: rid };
      const r = expect(
        await api.post(`${C}/${idle}/messages`, withId),
        200,
        "send_response",
        "send with request_id",
      );
      assert.equal((r.submission as Json)?.state, "accepted");
      expect(await api.post(`${C}/${idle}/messages`, withId), 200, "send_response", "replayed");
      const refused = expect(
        await api.post(`${C}/${shared}/messages`, text("x")),
        403,
        "error",
        "send to a shared chat",
      );
      assert.equal(refused.message, "Only the chat owner may send messages.");
      expect(await api.post(`${C}/${idle}/messages`, {}), 400, "error", "no content");
    });

    await t.step("interrupt (§7): 200 Chat; 409, 404", async () => {
      const c = expect(await api.post(`${C}/${running}/interrupt`), 200, "chat", "interrupt");
      assert.equal(c.status, "interrupting");
      expect(
        await api.post(`${C}/${own.find((id) => status(id) === "error")}/interrupt`),
        409,
        "error",
        "not running",
      );
      expect(await api.post(`${C}/${shared}/interrupt`), 404, "error", "shared chat");
    });

    await t.step("update (§4): 204 with no body; 409, 400, 404", async () => {
      expect(
        await api.patch(`${C}/${running}`, { archived: true }),
        409,
        "error",
        "archive an active chat",
      );
      const r = await api.patch(`${C}/${created}`, { title: "Renamed", labels: { a: "b" } });
      assert.equal(r.status, 204, r.text);
      assert.equal(r.text, "", "no body");
      const waiting = own.find((id) => status(id) === "requires_action")!;
      assert.equal((await api.patch(`${C}/${waiting}`, { archived: true })).status, 204);
      expect(
        await api.patch(`${C}/${waiting}`, { archived: true }),
        400,
        "error",
        "archived twice",
      );
      expect(await api.patch(`${C}/${shared}`, { title: "x" }), 404, "error", "shared chat");
    });

    await t.step("cost (§8)", async () => {
      expect(await api.get(`${C}/${idle}/cost`), 200, "chat_cost", "cost");
      expect(await api.get(`${C}/${hidden}/cost`), 404, "error", "hidden cost");
    });

    await t.step("models (§9): the org-scoped route", async () => {
      const r = await api.get(`/api/v2/organizations/${org}/chats/models`);
      expect(r, 200, "chat_models", "models");
      expect(
        await api.get(`/api/v2/organizations/${crypto.randomUUID()}/chats/models`),
        404,
        "error",
        "another organization's models",
      );
      expect(await api.get(`${C}/models`), 404, "error", "the old models route");
    });

    await t.step("watch (§10): every frame is a ChatWatchEvent", async () => {
      const frames: unknown[] = [];
      const ws = new (WebSocket as unknown as new (u: string, o: unknown) => WebSocket)(
        `${sim.url.replace("http", "ws")}${C}/watch`,
        { headers: { "Coder-Session-Token": sim.token } },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          ws.onopen = () => resolve();
          ws.onerror = () => reject(new Error("the watch did not open"));
        });
        ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)));
        sim.setChat(own.find((id) => status(id) === "error")!, { status: "running" });
        sim.setChat(own[1], { pr: "open" });
        sim.setChat(own[2], { summary: "A new summary" });
        await api.post(C, { organization_id: org, content: [{ type: "text", text: "Watched" }] });
        const deadline = Date.now() + 10_000;
        while (frames.length < 4 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.ok(
          frames.length >= 4,
          `${frames.length} frames: ${JSON.stringify(frames.map((f) => (f as Json).kind))}`,
        );
        for (const f of frames) assert.deepEqual(schemaErrors("watch_event", f), [], "a frame");
        const kinds = new Set(frames.map((f) => (f as Json).kind));
        for (const k of ["status_change", "diff_status_change", "created"]) {
          assert.ok(kinds.has(k), `no ${k} frame: ${[...kinds]}`);
        }
      } finally {
        ws.close();
      }
    });

    await t.step("errors without a route or a token are Coder's Response too", async () => {
      expect(await api.get("/api/v2/nothing-here"), 404, "error", "no route");
      const r = await fetch(`${sim.url}${C}`);
      const body = await r.json();
      assert.equal(r.status, 401);
      assert.deepEqual(schemaErrors("error", body), []);
    });
  } finally {
    await sim.close();
  }
});

Deno.test("contract: the schemas are strict enough to catch a drift", () => {
  const chat = minimalChat();

  assert.deepEqual(schemaErrors("chat", chat), []);
  const { owner_id, ...renamed } = chat;
  assert.ok(schemaErrors("chat", { ...renamed, owner: owner_id }).length >= 2, "renamed field");
  assert.notDeepEqual(schemaErrors("chat", { ...chat, workspace_id: null }), [], "null omitempty");
  assert.notDeepEqual(schemaErrors("chat", { ...chat, status: "sleeping" }), [], "unknown status");
  assert.notDeepEqual(
    schemaErrors("chat_list", [{ ...chat, queued_for_capacity: true }]),
    [],
    "a list row never says queued",
  );
});
