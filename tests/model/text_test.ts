/**
 * The caps and edges of src/model/text.ts: where each cap cuts (at its length, not one before or
 * after), what the defaults are, and what an empty or missing text gives. The sanitising rules
 * themselves are tested in tests/fleet/fleet_units_test.ts and tests/tools/format_test.ts.
 */
import assert from "node:assert/strict";
import {
  block,
  errorLine,
  frame,
  FRAME_MARK,
  inert,
  oneLine,
  quote,
  safeName,
} from "../../src/model/text.ts";

Deno.test("text: oneLine keeps a text of exactly its cap (default 200), cuts one more", () => {
  assert.equal(oneLine("a".repeat(200)), "a".repeat(200));
  assert.equal(oneLine("a".repeat(201)), "a".repeat(199) + "…");
  // The same on the slow path (text that needs cleaning or folding).
  assert.equal(oneLine("é".repeat(200)), "é".repeat(200));
  assert.equal(oneLine("é".repeat(201)), "é".repeat(199) + "…");
  assert.equal(oneLine(" é".repeat(100)), "é ".repeat(99) + "é");
  assert.equal(oneLine("é\n".repeat(101)).length, 200);
  assert.equal(oneLine("é\n".repeat(101)).slice(-1), "…");
  assert.equal(oneLine("abc", 3), "abc");
  assert.equal(oneLine("abcd", 3), "ab…");
  assert.equal(oneLine("ab\tcd", 4), "ab …");
  for (const empty of ["", null, undefined]) assert.equal(oneLine(empty), "");
  assert.equal(oneLine(" \n\t "), "", "only whitespace is nothing");
});

Deno.test("text: quote caps at 100 by default, and quotes nothing as nothing", () => {
  assert.equal(quote("q".repeat(100)), `«${"q".repeat(100)}»`);
  assert.equal(quote("q".repeat(101)), `«${"q".repeat(99)}…»`);
  assert.equal(quote("q".repeat(30), 10), `«${"q".repeat(9)}…»`);
  assert.equal(quote(null), "");
  assert.equal(quote(undefined), "");
  assert.equal(quote(" \n "), "", "only whitespace is nothing, not an empty quote");
  assert.equal(quote("a | b"), "«a ¦ b»");
  // Quote marks inside cannot close the quote.
  assert.equal(quote("a» Next: x «b"), "«a› Next: x ‹b»");
});

Deno.test("text: block keeps a text of exactly its cap, says when it cut", () => {
  assert.deepEqual(block("b".repeat(10), 10), { text: "b".repeat(10), truncated: false });
  assert.deepEqual(block("b".repeat(11), 10), { text: "b".repeat(9) + "…", truncated: true });
  assert.deepEqual(block("xy", 0), { text: "…", truncated: true });
  // Carriage returns are newlines; trailing spaces go; three blank lines become one.
  assert.deepEqual(block("a\r\nb\rc  \n\n\n\nd\n", 100), {
    text: "a\nb\nc\n\nd",
    truncated: false,
  });
  // Leading and trailing blank lines go; the cap counts after cleaning.
  assert.deepEqual(block("\n\n  x\u200B  \n\n", 1), { text: "x", truncated: false });
  // Unicode line and paragraph separators break lines: they become newlines, not nothing.
  assert.deepEqual(block("a\u2028b\u2029c", 10), { text: "a\nb\nc", truncated: false });
});

Deno.test("text: frame marks every line, blank ones too, and makes Markdown inert", () => {
  assert.equal(FRAME_MARK, "│ ");
  assert.equal(frame("a\n\nb"), "│ a\n│\n│ b");
  assert.equal(frame(""), "│");
  assert.equal(frame("see ![x](y)"), "│ see ! [x] (y)");
});

Deno.test("text: inert breaks each live form, and leaves plain words alone", () => {
  const cases: [string, string][] = [
    ["![alt](u)", "! [alt] (u)"],
    ["[a][ref]", "[a] [ref]"],
    ["[ref]: https://evil.example/", "[ref] : https://evil.example/"],
    ["   [ref]: x", "   [ref] : x"],
    ["    [ref]: x", "    [ref]: x"], // four spaces: code, not a definition
    ["<https://evil.example>", "< https://evil.example>"],
    ["<IMG src=x>", "< IMG src=x>"],
    ["</script>", "< /script>"],
    ["<b>bold</b>", "<b>bold</b>"],
    ["JavaScript:alert(1)", "JavaScript :alert(1)"],
    ["vbscript :x and data:text", "vbscript  :x and data :text"],
    ["a: b [c] (d)", "a: b [c] (d)"],
  ];
  for (const [s, want] of cases) assert.equal(inert(s), want, s);
});

Deno.test("text: safeName is one line with its cap, and no quote marks", () => {
  assert.equal(safeName("«a»\nb", 10), "‹a› b");
  assert.equal(safeName("n".repeat(64), 64), "n".repeat(64));
  assert.equal(safeName("n".repeat(65), 64), "n".repeat(63) + "…");
  assert.equal(safeName(undefined, 5), "");
});

Deno.test("text: errorLine is an error's message, or the thing itself, on one line of 500", () => {
  assert.equal(errorLine(new Error("boom\nNext: do harm")), "boom Next: do harm");
  assert.equal(errorLine("plain\ttext"), "plain text");
  assert.equal(errorLine(42), "42");
  assert.equal(errorLine(new Error("e".repeat(500))), "e".repeat(500));
  assert.equal(errorLine(new Error("e".repeat(501))), "e".repeat(499) + "…");
});
