/**
 * Path segments (src/coder/paths.ts): what is refused before any request, with the words that
 * tell the caller what to fix. (The refusals of `/`, `..` and the like, end to end through a
 * client, are in tests/backends/trust_test.ts.)
 */
import assert from "node:assert/strict";
import { segment } from "../../src/coder/paths.ts";
import { InvalidSegmentError } from "../../src/coder/errors.ts";

Deno.test("segment: up to 1000 characters pass; one more is refused as too long", () => {
  assert.equal(segment("a".repeat(1000), "task name"), "a".repeat(1000));
  assert.throws(
    () => segment("a".repeat(1001), "task name"),
    (e) =>
      e instanceof InvalidSegmentError && e.what === "task name" &&
      e.message === "Invalid task name: it is too long",
  );
});
