/**
 * Agent handles (src/model/handle.ts) at their edges: the lengths of usernames, task names and
 * titles, spaces around the parts, and which agents a handle names: an id only its agent, a name
 * the caller's own (or the owner's), a title exactly, or else in any letter case.
 */
import assert from "node:assert/strict";
import type { Agent } from "../../src/model/agent.ts";
import {
  bestMatches,
  isOwner,
  isTaskName,
  isTitle,
  matchesHandle,
  ownerOf,
  parseHandle,
  TASK_NAME_MAX,
  TITLE_MAX,
  USERNAME_MAX,
} from "../../src/model/handle.ts";
import { anAgent, fixtureId } from "../agent_fixture.ts";

let n = 0;
const agent = (patch: Partial<Agent>): Agent =>
  anAgent({ id: fixtureId(++n), kind: "chat", ...patch });

Deno.test("handles: each part's length at its edge", () => {
  assert.deepEqual([USERNAME_MAX, TASK_NAME_MAX, TITLE_MAX], [32, 64, 200]);
  assert.equal(isOwner("a".repeat(32)), true);
  assert.equal(isOwner("a".repeat(33)), false);
  assert.equal(isOwner("11111111-1111-4111-8111-111111111111"), true, "a user's UUID");
  assert.equal(isTaskName("t".repeat(64)), true);
  assert.equal(isTaskName("t".repeat(65)), false);
  assert.equal(isTaskName("_t"), false, "starts with a letter or digit");
  assert.equal(isTaskName("t_1-x"), true);
  assert.equal(isTitle("T".repeat(200)), true);
  assert.equal(isTitle("T".repeat(201)), false);
  assert.equal(isTitle(" Fix"), false, "no space at either end");
  assert.equal(isTitle("Fix "), false);
  assert.equal(isTitle("Fix it"), true);
  assert.equal(isTitle("--"), false, "a letter or digit somewhere");
  assert.equal(isTitle("a/b"), false);
  // A 65-character name is no task name, but may be a title; 201 is neither.
  assert.equal(parseHandle("t".repeat(65))?.kind, "name");
  assert.equal(parseHandle("t".repeat(201)), undefined);
  assert.equal(parseHandle(`alice/${"t".repeat(201)}`), undefined);
});

Deno.test("handles: spaces around the whole and its parts are not part of them", () => {
  assert.equal(parseHandle("   "), undefined);
  assert.equal(parseHandle("\t"), undefined);
  assert.deepEqual(parseHandle(" alice / fix-bug "), {
    kind: "name",
    owner: "alice",
    name: "fix-bug",
    text: "alice / fix-bug",
  });
  assert.deepEqual(parseHandle("alice/Fix the login"), {
    kind: "name",
    owner: "alice",
    name: "Fix the login",
    text: "alice/Fix the login",
  });
  assert.equal(ownerOf({ kind: "name", name: "x", text: "x" }, "me-user"), "me-user");
  assert.equal(ownerOf({ kind: "name", owner: "me", name: "x", text: "me/x" }, "bob"), "bob");
  assert.equal(
    ownerOf({ kind: "name", owner: "carol", name: "x", text: "carol/x" }, "bob"),
    "carol",
  );
});

Deno.test("handles: which agents a handle names", () => {
  const fix = agent({ name: "Fix login" });
  const fixLower = agent({ name: "fix login" });
  const other = agent({ name: "Other" });
  const task = agent({ kind: "task", name: "fix-login" });
  const bobs = agent({ owner: "bob", name: "Fix login" });
  const all = [fix, fixLower, other, task, bobs];
  // An id: only its agent, in any letter case.
  const byId = parseHandle(other.id.toUpperCase())!;
  assert.deepEqual(bestMatches(all, byId, "alice"), [other]);
  assert.equal(matchesHandle(fix, byId, "alice"), false);
  // A title: exactly first; in any letter case only when nothing matches exactly.
  assert.deepEqual(bestMatches(all, parseHandle("Fix login")!, "alice"), [fix]);
  assert.deepEqual(bestMatches(all, parseHandle("FIX LOGIN")!, "alice"), [fix, fixLower]);
  assert.equal(matchesHandle(other, parseHandle("Fix login")!, "alice"), false);
  assert.deepEqual(bestMatches(all, parseHandle("bob/fix LOGIN")!, "alice"), [bobs]);
  // A task name matches exactly only.
  assert.deepEqual(bestMatches(all, parseHandle("fix-login")!, "alice"), [task]);
  assert.deepEqual(bestMatches(all, parseHandle("FIX-LOGIN")!, "alice"), []);
  // A bare name is the caller's own.
  assert.deepEqual(bestMatches(all, parseHandle("Fix login")!, "bob"), [bobs]);
  assert.deepEqual(bestMatches(all, parseHandle("nothing")!, "alice"), []);
});

Deno.test("handles: a UUID in any letter case names the same agent", () => {
  const id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  const upper = parseHandle(id.toUpperCase())!;
  assert.deepEqual(upper, { kind: "id", id, text: id.toUpperCase() });
  assert.equal(matchesHandle(agent({ id: id.toUpperCase() }), upper, "alice"), true);
  assert.equal(matchesHandle(agent({ id }), parseHandle(id)!, "alice"), true);
});

Deno.test("handles: what the caller sees is what is matched: nothing invisible", () => {
  assert.equal(parseHandle(""), undefined);
  // A zero-width space or a bidi override would hide what the handle really says.
  assert.equal(parseHandle("Fix\u200B login"), undefined);
  assert.equal(parseHandle("alice/Fix \u202Elogin"), undefined);
  assert.equal(parseHandle("Fix login")?.kind, "name");
});
