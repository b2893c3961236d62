import assert from "node:assert/strict";
import { REDACTED, Redactor } from "../src/redact.ts";
import { PIECE } from "../src/coder/secrets.ts";

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

Deno.test("Redactor: a secret made of regular-expression characters is found as written", () => {
  // The quick probe is a regular expression: each piece must be escaped, or "a.b(c)d*" would
  // look for "a" any "b" ... and the secret itself, in full, would go unseen.
  const secret = "a.b(c)d*e+f?g[h]i{2}j|k^l$m\\n";
  const r = new Redactor([secret]);
  assert.equal(r.text(`token=${secret};`), `token=${REDACTED};`);
  assert.equal(r.text(secret.slice(0, PIECE)), REDACTED);
  assert.equal(r.text(secret.slice(-PIECE)), REDACTED);
});

Deno.test("Redactor: a secret that contains another is replaced whole", () => {
  const r = new Redactor(["token", "token-long"]);
  assert.equal(r.text("token-long"), REDACTED);
});

Deno.test("Redactor: a secret in any letter case, and a piece a length cap or a cut left", () => {
  const token = "AbCdEf1234-SeCrEtPaRtOfThEtOkEn12";
  const r = new Redactor([token]);
  // Case-folded on the way (a host name comes back lower-cased).
  assert.equal(r.text(`http://${token.toLowerCase()}.evil.test`), `http://${REDACTED}.evil.test`);
  assert.equal(r.text(token.toUpperCase()), REDACTED);
  // Cut by a cap: a start of the token, then "…" (30 of 33 kept), or the end after a cut.
  assert.equal(r.text(`message ${token.slice(0, 30)}…`), `message ${REDACTED}…`);
  assert.equal(r.text(`…${token.slice(-20)} and on`), `…${REDACTED} and on`);
  assert.equal(
    r.text(`${token.slice(-12)} at the text's start`),
    `${REDACTED} at the text's start`,
  );
  assert.equal(r.text(token.slice(0, PIECE)), REDACTED, `${PIECE} characters are a piece`);
  // Shorter pieces and middles are left: too little of it, and ordinary text would suffer.
  assert.equal(r.text(`x ${token.slice(0, PIECE - 1)} y`), `x ${token.slice(0, PIECE - 1)} y`);
  assert.equal(r.text(token.slice(5, 25)), token.slice(5, 25));
  // Whole copies side by side stay two; the rest of the text is untouched, case and all.
  assert.equal(r.text(`A ${token}${token} B`), `A ${REDACTED}${REDACTED} B`);
  assert.equal(r.text("Nothing Here"), "Nothing Here");
});

Deno.test("Redactor: with no secret to find, a value is passed on as it is, not copied", () => {
  const r = new Redactor([undefined, "ab"]);
  const v = { a: [1, { b: "text" }] };
  assert.equal(r.value(v), v);
  assert.equal(r.text("text"), "text");
});

Deno.test("Redactor: a text the quick probe flags but that holds no secret comes back as it was", () => {
  // The probe matches case-insensitively in all of Unicode; the exact work folds ASCII letters
  // only (a host name lower-cases ASCII). A non-ASCII letter in another case is not the secret.
  const secret = "ÉÉÉÉÉÉÉÉ-key";
  const r = new Redactor([secret]);
  assert.equal(r.text(`x ${secret} y`), `x ${REDACTED} y`);
  assert.equal(r.text("x éééééééé-other y"), "x éééééééé-other y");
});

Deno.test("Redactor: a secret of 4 to 7 characters is found whole, and only it is replaced", () => {
  const r = new Redactor(["wxyz", "Qr5t9"]);
  assert.equal(r.text("a wxyz b"), `a ${REDACTED} b`);
  assert.equal(r.text("(qr5t9) and more text"), `(${REDACTED}) and more text`);
  // Shorter than a piece, a short secret has no pieces: its start alone is ordinary text.
  assert.equal(r.text("wxy qr5t"), "wxy qr5t");
  assert.equal(new Redactor(["abc"]).text("abc"), "abc", "3 characters are not a secret");
});

Deno.test("Redactor: pieces are 8 characters or more; the replacement is [redacted]", () => {
  const token = "Zq7Xk2Lm9Pw4Rt6Yv8Bn";
  const r = new Redactor([token]);
  assert.equal(r.text(`<${token.slice(0, 8)}>`), "<[redacted]>");
  assert.equal(r.text(`<${token.slice(-8)}>`), "<[redacted]>");
  assert.equal(r.text(`<${token.slice(0, 7)}>`), `<${token.slice(0, 7)}>`);
  assert.equal(r.text(`<${token.slice(-7)}>`), `<${token.slice(-7)}>`);
});

Deno.test("Redactor: secrets and pieces in any order in the text are all replaced", () => {
  const long = "a-much-longer-secret-number-2";
  const short = "short-secret-1";
  const r = new Redactor([long, short]);
  // The shorter secret first in the text, then the longer one.
  assert.equal(r.text(`${short} then ${long}.`), `${REDACTED} then ${REDACTED}.`);
  // A piece of a secret's end before a piece of its start.
  assert.equal(
    r.text(`…${long.slice(-12)} and ${long.slice(0, 12)}…`),
    `…${REDACTED} and ${REDACTED}…`,
  );
  // A secret inside another, away from its start: the outer one is replaced whole.
  for (const secrets of [["outer-token-secret", "token"], ["token", "outer-token-secret"]]) {
    assert.equal(new Redactor(secrets).text("[outer-token-secret]"), `[${REDACTED}]`);
  }
});

Deno.test("Redactor: a piece that starts one character into a run like the secret's start", () => {
  // The secret starts with 8 a's; the text holds 9 then the secret's next characters (a start
  // cut by a cap): the piece begins at the second a, and all of it goes.
  const secret = "aaaaaaaaBcdEfgHij";
  const r = new Redactor([secret]);
  assert.equal(r.text("x aaaaaaaaaBcdEf…"), `x ${REDACTED}…`);
});

Deno.test("Redactor: a piece whose end is a run like the secret's end is found from its real start", () => {
  // The secret ends with 9 a's, so its last 8 characters occur twice in the run; the second
  // occurrence is the one that walks back to the piece's start.
  const secret = "Qr5tZaaaaaaaaa";
  const r = new Redactor([secret]);
  assert.equal(r.text("…5tZaaaaaaaaa"), `…${REDACTED}`);
});
