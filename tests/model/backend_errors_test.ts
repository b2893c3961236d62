/**
 * The predicates back ends read Coder's failures with (src/model/backend_errors.ts): each matches
 * Coder's own answer only (kind `http`, the right status, Coder's words), never a proxy's page,
 * a lost answer or another status; and the short renderings of Coder's words and of names.
 */
import assert from "node:assert/strict";
import { CoderError } from "../../src/coder/http.ts";
import {
  coderWords,
  isHttp,
  isInvalidUuid,
  isNotFound,
  isUnknownUser,
  listNames,
} from "../../src/model/backend_errors.ts";

const coder = (status: number, coderMessage?: string, detail?: string, kind = "http") =>
  new CoderError({
    status,
    route: "GET /api/v2/chats/x",
    kind: kind as CoderError["kind"],
    coderMessage,
    detail,
  });

Deno.test("backend errors: isHttp is Coder's answer of that status, nothing else", () => {
  assert.equal(isHttp(coder(409), 409), true);
  assert.equal(isHttp(coder(409), 400), false);
  assert.equal(isHttp(coder(409, undefined, undefined, "parse"), 409), false, "a proxy's page");
  assert.equal(isHttp(coder(0, undefined, undefined, "uncertain"), 0), false);
  assert.equal(isHttp(new Error("409"), 409), false);
});

Deno.test("backend errors: not found is Coder's 404 with a message, not a missing route", () => {
  assert.equal(isNotFound(coder(404, "Chat not found.")), true);
  assert.equal(isNotFound(coder(404, "Route not found.")), false, "the API is absent");
  assert.equal(isNotFound(coder(404)), false, "no message: a proxy's 404");
  assert.equal(isNotFound(coder(404, "  ")), false);
  assert.equal(isNotFound(coder(410, "Chat not found.")), false);
  assert.equal(isNotFound(coder(404, "Chat not found.", undefined, "parse")), false);
});

Deno.test("backend errors: an unknown user and an invalid UUID, in Coder's words", () => {
  const user = 'Query param "owner" must be an existing uuid or username.';
  assert.equal(isUnknownUser(coder(400, user)), true);
  assert.equal(isUnknownUser(coder(400, user.toUpperCase())), true, "any letter case");
  assert.equal(isUnknownUser(coder(404, user)), false);
  assert.equal(isUnknownUser(coder(400, "Invalid request.")), false);
  assert.equal(isUnknownUser(coder(400)), false);
  assert.equal(isInvalidUuid(coder(400, 'Invalid UUID "abc".')), true);
  assert.equal(isInvalidUuid(coder(400, "Bad request.", "invalid UUID length: 3")), true);
  assert.equal(isInvalidUuid(coder(400, "Bad request.")), false);
  assert.equal(isInvalidUuid(coder(400)), false);
  assert.equal(isInvalidUuid(coder(404, "Invalid UUID")), false);
});

Deno.test("backend errors: Coder's words are its message, then a different detail", () => {
  assert.equal(coderWords(coder(400, "Bad.", "Because.")), "Bad. (Because.)");
  assert.equal(coderWords(coder(400, "Bad.", "Bad.")), "Bad.", "a detail that repeats it");
  assert.equal(coderWords(coder(400, "Bad.")), "Bad.");
  assert.equal(coderWords(coder(400, undefined, "Only detail.")), "Only detail.");
  const none = coder(502);
  assert.equal(coderWords(none), none.summary, "no words of Coder's: the summary");
  assert.equal(coderWords(coder(400, "m".repeat(201))), "m".repeat(199) + "…");
  assert.equal(coderWords(coder(400, "m", "d".repeat(200))), `m (${"d".repeat(200)})`);
  assert.equal(coderWords(coder(400, "m", "d".repeat(201))), `m (${"d".repeat(199)}…)`);
});

Deno.test("backend errors: listNames shows twenty, each one line of 80, then an ellipsis", () => {
  const names = Array.from({ length: 21 }, (_, i) => `n${i}`);
  assert.equal(listNames(names.slice(0, 20)), names.slice(0, 20).join(", "));
  assert.equal(listNames(names), `${names.slice(0, 20).join(", ")}, …`);
  assert.equal(listNames(names, 2), "n0, n1, …");
  assert.equal(listNames(["a\nb", "x".repeat(81)]), `a b, ${"x".repeat(79)}…`);
  assert.equal(listNames([]), "");
});
