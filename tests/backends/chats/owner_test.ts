/**
 * Whose chat it is (`backends/chats/owner.ts`, DESIGN "Whose agents"): the caller's own, or
 * another user's shared with it, whose writes are refused before any request, and Coder's own
 * refusal, should one come anyway, read the same.
 */
import assert from "node:assert/strict";
import { Chat } from "../../../src/backends/chats/wire.ts";
import { ownerRefusal, ownerRefusalOf, ownsChat } from "../../../src/backends/chats/owner.ts";
import { CoderError } from "../../../src/coder/errors.ts";
import type { Agent } from "../../../src/model/agent.ts";
import { FleetError } from "../../../src/model/backend.ts";
import { stubBackend } from "./stub.ts";

const ID = "11111111-1111-4111-8111-111111111111";
const ME = { id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", username: "alice" };

const chat = (over: Record<string, unknown> = {}) =>
  Chat.parse({ id: ID, owner_id: ME.id, owner_username: "alice", ...over });

const theirs = (over: Partial<Agent> = {}) =>
  ({ id: ID, kind: "chat", name: "Fix the build", owner: "bob", shared: true, ...over }) as Agent;

const coder = (status: number, message?: string) =>
  new CoderError({
    status,
    route: `POST /api/v2/chats/${ID}/messages`,
    kind: "http",
    coderMessage: message,
  });

Deno.test("ownsChat: the caller's id or username; a chat naming no owner is the caller's", () => {
  assert.ok(ownsChat(chat(), ME));
  assert.ok(ownsChat(chat({ owner_id: null }), ME), "by username alone");
  assert.ok(ownsChat(chat({ owner_username: null, owner_id: ME.id.toUpperCase() }), ME));
  assert.ok(ownsChat(chat({ owner_id: null, owner_username: null }), ME));
  assert.ok(!ownsChat(chat({ owner_id: null, owner_username: "bob" }), ME));
  assert.ok(
    !ownsChat(chat({ owner_id: "99999999-9999-4999-8999-999999999999", owner_username: null }), ME),
  );
});

Deno.test("ownerRefusal: the caller's own chat may be written; another's is refused, saying whose", () => {
  assert.equal(ownerRefusal(theirs({ shared: undefined }), "send"), undefined);
  const said = (a: Agent, write: "send" | "stop" | "remove") => {
    const e = ownerRefusal(a, write);
    assert.ok(e instanceof FleetError);
    return `${e.message} | ${e.next}`;
  };
  assert.equal(
    said(theirs(), "send"),
    `Chat "Fix the build" (${ID}) belongs to bob and is shared with you: only its owner can ` +
      "send to it. | ask bob to do it, or start a chat of your own with create_task",
  );
  assert.match(said(theirs(), "stop"), /only its owner can interrupt it\. \|/);
  assert.match(said(theirs(), "remove"), /only its owner can archive it\. \|/);
  // No owner named: "another user"; long names are capped.
  assert.match(
    said(theirs({ owner: "" }), "send"),
    /belongs to another user and .* \| ask another user to do it/,
  );
  const long = said(theirs({ owner: "o".repeat(70), name: "n".repeat(90) }), "send");
  assert.ok(long.includes(`"${"n".repeat(79)}…"`), long);
  assert.ok(long.includes(`belongs to ${"o".repeat(63)}… and`), long);
});

Deno.test("ownerRefusalOf: Coder's own refusal of a write to a shared chat reads the same", () => {
  const send = ownerRefusalOf(
    coder(403, "Only the chat owner may send messages."),
    theirs(),
    "send",
  );
  assert.ok(send instanceof FleetError);
  assert.match(send.message, /only its owner can send to it \(Coder answered 403\)\.$/);
  // Another 403, or a 404, to a send: not this refusal.
  assert.equal(ownerRefusalOf(coder(403, "Forbidden."), theirs(), "send"), undefined);
  assert.equal(ownerRefusalOf(coder(403), theirs(), "send"), undefined);
  assert.equal(ownerRefusalOf(coder(404, "Resource not found."), theirs(), "send"), undefined);
  // An interrupt or an archive: Coder hides the chat with a 404.
  for (const write of ["stop", "remove"] as const) {
    const e = ownerRefusalOf(coder(404, "Resource not found."), theirs(), write);
    assert.ok(e instanceof FleetError, write);
    assert.match(
      e.message,
      /\(Coder answered 404: it hides a chat from those who may not change it\)\.$/,
    );
    // ... but not the 404 of an absent route, nor a 403.
    assert.equal(ownerRefusalOf(coder(404, "Route not found."), theirs(), write), undefined);
    assert.equal(
      ownerRefusalOf(coder(403, "Only the chat owner may send messages."), theirs(), write),
      undefined,
    );
  }
  assert.equal(ownerRefusalOf(new Error("x"), theirs(), "stop"), undefined);
});

Deno.test("the back end refuses a write to a shared chat before any request", async () => {
  const { b, seen } = stubBackend(() => ({ status: 500, body: { message: "must not be asked" } }));
  const busy = theirs({ state: "working" });
  const refusedBy = (what: string) => (e: unknown) =>
    e instanceof FleetError && e.message.includes(`only its owner can ${what}.`);
  await assert.rejects(b.send(busy, "hi"), refusedBy("send to it"));
  await assert.rejects(b.stop(busy), refusedBy("interrupt it"));
  await assert.rejects(b.remove(busy), refusedBy("archive it"));
  assert.deepEqual(seen, []);
  // What the tools ask before a write: the same refusal, or none for the caller's own chat.
  assert.ok(refusedBy("send to it")(b.refusal(busy, "send")));
  assert.equal(b.refusal(theirs({ shared: undefined }), "send"), undefined);
});
