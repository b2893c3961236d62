/**
 * The shared input pieces (src/tools/schemas.ts): what they accept at their edges, the words of
 * their refusals, and the helpers that normalise one value or a list, and `key:value` labels.
 */
import assert from "node:assert/strict";
import {
  AgentsInput,
  HANDLE_MAX,
  HandleInput,
  LabelInput,
  listOf,
  OwnerInput,
  parseLabel,
  PrInput,
  stateList,
  StatesInput,
  TextInput,
} from "../../src/tools/schemas.ts";

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, v: unknown) =>
  schema.safeParse(v).success;

Deno.test("schemas: handles, owners, labels and texts at their edges, with their words", () => {
  assert.equal(HANDLE_MAX, 200);
  assert.equal(ok(HandleInput, "h".repeat(200)), true);
  assert.equal(ok(HandleInput, "h".repeat(201)), false);
  assert.equal(ok(HandleInput, ""), false);
  assert.equal(ok(AgentsInput, Array(100).fill("a")), true);
  assert.equal(ok(AgentsInput, Array(101).fill("a")), false);
  assert.equal(ok(AgentsInput, []), false);
  assert.equal(ok(OwnerInput, "alice-2"), true);
  assert.equal(ok(OwnerInput, "a".repeat(36)), true, "a user UUID's length");
  assert.equal(ok(OwnerInput, "a".repeat(37)), false);
  const owner = OwnerInput.safeParse("-alice");
  assert.equal(
    owner.error?.issues[0].message,
    "owner must be a Coder username: letters, digits and hyphens",
  );
  assert.equal(ok(LabelInput, "team:core"), true);
  assert.equal(ok(LabelInput, "team:"), true, "an empty value is a value");
  assert.equal(LabelInput.safeParse("team").error?.issues[0].message, "label must be key:value");
  assert.equal(ok(LabelInput, ":core"), false, "a key is needed");
  assert.equal(ok(LabelInput, `k:${"v".repeat(254)}`), true);
  assert.equal(ok(LabelInput, `k:${"v".repeat(255)}`), false);
  assert.equal(ok(TextInput, "t".repeat(100_000)), true);
  assert.equal(ok(TextInput, "t".repeat(100_001)), false);
  assert.equal(
    ok(StatesInput, ["idle", "idle", "idle", "idle", "idle", "idle", "idle", "idle"]),
    true,
  );
  assert.equal(ok(StatesInput, Array(9).fill("idle")), false);
  assert.equal(ok(PrInput, "none"), true);
  assert.equal(ok(PrInput, ["draft", "open", "merged", "closed", "none"]), true);
  assert.equal(ok(PrInput, ["draft", "open", "merged", "closed", "none", "open"]), false);
});

Deno.test("schemas: one value or a list is a list; labels split at the first colon, trimmed", () => {
  assert.deepEqual(listOf("a"), ["a"]);
  assert.deepEqual(listOf(["a", "b"]), ["a", "b"]);
  assert.equal(listOf(undefined), undefined);
  assert.deepEqual(stateList("idle"), ["idle"]);
  assert.deepEqual(stateList(["idle", "working"]), ["idle", "working"]);
  assert.equal(stateList(undefined), undefined);
  assert.deepEqual(parseLabel(" team : core "), { team: "core" });
  assert.deepEqual(parseLabel("url:http://x:8080"), { url: "http://x:8080" });
  assert.deepEqual(parseLabel("k:"), { k: "" });
  assert.equal(parseLabel(undefined), undefined);
  assert.equal(parseLabel(""), undefined);
});
