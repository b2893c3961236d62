import assert from "node:assert/strict";
import { REDACTED, Redactor } from "../src/redact.ts";

Deno.test("Redactor: every secret, raw or URL-encoded, in texts and nested values", () => {
  const r = new Redactor(["s3cr/et+tok", "http-bearer-1", undefined, "ab"]);
  assert.equal(r.text("a s3cr/et+tok b"), `a ${REDACTED} b`);
  assert.equal(r.text(`x ${encodeURIComponent("s3cr/et+tok")}`), `x ${REDACTED}`);
  assert.equal(r.text("http-bearer-1http-bearer-1"), REDACTED + REDACTED);
  assert.equal(r.text("ab stays: too short to be a secret"), "ab stays: too short to be a secret");
  assert.deepEqual(r.value({ a: ["http-bearer-1", 3, null, { "s3cr/et+tok": true }] }), {
    a: [REDACTED, 3, null, { [REDACTED]: true }],
  });
});

Deno.test("Redactor: a secret that contains another is replaced whole", () => {
  const r = new Redactor(["token", "token-long"]);
  assert.equal(r.text("token-long"), REDACTED);
});
