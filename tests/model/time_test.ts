/** Coder's timestamps as one format (src/model/time.ts). */
import assert from "node:assert/strict";
import { isoTime, msOf } from "../../src/model/time.ts";

Deno.test("time: RFC 3339 to ISO UTC or the fallback; epoch ms or undefined", () => {
  assert.equal(isoTime("2026-03-01T10:00:00+02:00"), "2026-03-01T08:00:00.000Z");
  assert.equal(isoTime(null), "");
  assert.equal(isoTime("", "x"), "x");
  assert.equal(isoTime("yesterday"), "");
  assert.equal(msOf("2026-03-01T00:00:00Z"), Date.UTC(2026, 2, 1));
  assert.equal(msOf("1970-01-01T00:00:00Z"), 0, "the epoch itself is a time");
  assert.equal(msOf(undefined), undefined);
  assert.equal(msOf(null), undefined);
  assert.equal(msOf(""), undefined);
  assert.equal(msOf("soon"), undefined);
});
