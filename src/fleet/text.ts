/**
 * Sanitising agent-written text. Everything an agent or a Coder user wrote is untrusted: it may
 * carry terminal escapes, bidi overrides or invisible characters meant to hide instructions.
 */

// C0/C1 controls except \n and \t, DEL, bidi controls, zero-width and other invisible format
// characters, the BOM and interlinear annotation marks, and tag characters.
const UNSAFE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDCFF]/g;
// ANSI escape sequences (CSI, OSC) are removed whole, before single controls.
const ANSI =
  // deno-lint-ignore no-control-regex
  /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/g;

/** Strip escapes, controls, bidi and invisible characters; keep newlines and tabs. */
export function cleanText(s: string): string {
  return s.replace(ANSI, "").replace(UNSAFE, "");
}

/** Clean, fold all whitespace to single spaces, and cap at `max` characters with an ellipsis. */
export function oneLine(s: string | undefined | null, max = 200): string {
  if (!s) return "";
  const flat = cleanText(s).replace(/\s+/g, " ").trim();
  return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
}

/**
 * Clean multi-line text: strip unsafe characters, trim trailing spaces of each line (terminal
 * snapshots are right-padded), collapse runs of blank lines, and cap at `max` characters.
 * Returns the text and whether it was cut.
 */
export function block(s: string, max: number): { text: string; truncated: boolean } {
  const cleaned = cleanText(s)
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (cleaned.length <= max) return { text: cleaned, truncated: false };
  return { text: cleaned.slice(0, Math.max(0, max - 1)) + "…", truncated: true };
}
