/**
 * Sanitising agent-written text. Everything an agent or a Coder user wrote is untrusted: it may
 * carry terminal escapes, bidi overrides or invisible characters meant to hide instructions.
 */

// C0/C1 controls except \n and \t, DEL, and every format or default-ignorable code point:
// characters that render as nothing and can hide or reorder text. That is the soft hyphen, bidi
// controls, zero-width and other invisible format characters, the combining grapheme joiner
// (U+034F), Hangul fillers, Mongolian and other variation selectors (U+180B-180F, U+FE00-FE0F,
// U+E0100-E01EF), the BOM, interlinear annotation marks and specials, shorthand and musical
// format controls, tag characters (U+E0000-E007F, which can smuggle hidden text) and the rest of
// plane 14, listed below and by Unicode property (`Default_Ignorable_Code_Point`, `Cf`), and lone
// surrogates.
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFFB\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}\u{E0000}-\u{E0FFF}\p{Default_Ignorable_Code_Point}\p{Cf}\uD800-\uDFFF]/gu;
// Unicode line and paragraph separators break lines in some renderers: they become newlines.
const SEPARATORS = /[\u2028\u2029]/g;
// ANSI escape sequences (CSI, OSC) are removed whole, before single controls.
const ANSI =
  // deno-lint-ignore no-control-regex
  /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/g;

/** Strip escapes, controls, bidi and invisible characters; keep newlines and tabs. */
export function cleanText(s: string): string {
  return s.replace(ANSI, "").replace(SEPARATORS, "\n").replace(UNSAFE, "");
}

/**
 * Printable ASCII words separated by single spaces, no space at either end: text that cleaning
 * and folding leave unchanged (most names, owners and states), so it skips both.
 */
const PLAIN = /^[!-~]+(?: [!-~]+)*$/;

/** Clean, fold all whitespace to single spaces, and cap at `max` characters with an ellipsis. */
export function oneLine(s: string | undefined | null, max = 200): string {
  if (!s) return "";
  if (PLAIN.test(s)) return s.length > max ? s.slice(0, max - 1) + "…" : s;
  const flat = cleanText(s).replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

/**
 * Clean multi-line text: strip unsafe characters, trim trailing spaces of each line (terminal
 * snapshots are right-padded), collapse runs of blank lines, and cap at `max` characters.
 * Returns the text and whether it was cut.
 */
export function block(s: string, max: number): { text: string; truncated: boolean } {
  // Line ends first: cleaning would drop a lone carriage return and join its two lines.
  const cleaned = cleanText(s.replace(/\r\n?/g, "\n"))
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (cleaned.length <= max) return { text: cleaned, truncated: false };
  return { text: cleaned.slice(0, Math.max(0, max - 1)) + "…", truncated: true };
}

/** The marker that starts every line of framed agent text. */
export const FRAME_MARK = "│ ";

/**
 * Frame multi-line agent text for a text rendering: every line starts with {@link FRAME_MARK},
 * so no line of agent text can start at column 0 and pass for the frame's own lines (a header,
 * an end marker, a `Next:` line), and its Markdown is made {@link inert}. Expects text already
 * cleaned (see {@link block}).
 */
export function frame(text: string): string {
  return inert(text).split("\n").map((l) => l ? FRAME_MARK + l : FRAME_MARK.trimEnd()).join(
    "\n",
  );
}

/** HTML elements that can load or run something when a client renders Markdown. */
const LIVE_TAGS =
  /<(\/?(?:a|img|image|iframe|frame|svg|math|script|style|link|meta|base|object|embed|video|audio|source|picture|form|input|button|details|body|html)\b)/gi;

/**
 * Agent text that a client may render as Markdown, made inert: no image (`![` becomes `! [`), no
 * inline or reference link (`](`, `][` and `[ref]:` are broken apart), no autolink (`<scheme:`)
 * and no HTML element that can load or run anything (`<img`, `<a`, ...), and no `javascript:`
 * scheme left whole. The words stay readable; nothing in them loads, links or runs.
 */
export function inert(s: string): string {
  return s
    .replace(/!\[/g, "! [")
    .replace(/\]\(/g, "] (")
    .replace(/\]\[/g, "] [")
    .replace(/^( {0,3}\[[^\]\n]*\]):/gm, "$1 :")
    .replace(/<([a-z][a-z0-9+.-]{1,31}:)/gi, "< $1")
    .replace(LIVE_TAGS, "< $1")
    .replace(/\b(javascript|vbscript|data)(\s*):/gi, "$1$2 :");
}

/**
 * Agent text as one quoted line: cleaned, folded, capped, its Markdown made {@link inert}, the
 * quote marks `«»` inside it replaced (by `‹›`) so that it cannot close its own quote, and the
 * column separator `|` replaced (by `¦`) so that it cannot forge a column of a row.
 */
export function quote(s: string | undefined | null, max = 100): string {
  const one = inert(oneLine(s, max)).replace(/«/g, "‹").replace(/»/g, "›").replace(/\|/g, "¦");
  return one ? `«${one}»` : "";
}

/** A name, title or label written by a user, for a text line: one line, no quote marks. */
export function safeName(s: string | undefined | null, max: number): string {
  return oneLine(s, max).replace(/«/g, "‹").replace(/»/g, "›");
}

/** One safe line for any error (sanitised: Coder's messages are untrusted text too). */
export function errorLine(err: unknown): string {
  return oneLine(err instanceof Error ? err.message : String(err), 500);
}
