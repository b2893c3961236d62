/**
 * Finding a secret in text, however it came back: whole or URL-encoded, in any letter case (a
 * host name that carried it comes back lower-cased), or cut by a length cap (a message capped at
 * 200 characters may keep 30 of a token's 33, then "…"). A piece of a secret is a run of at least
 * {@link PIECE} characters that starts it or ends it: what a cap at the end, or a window cut at
 * the start, leaves. Shorter pieces, and pieces from the middle, are left: they hold too little
 * of a secret to matter, and matching them would redact ordinary text.
 */

/** The shortest start or end of a secret that counts as a piece of it. */
export const PIECE = 8;

/** The replacement for a secret. */
export const REDACTED = "[redacted]";

/** `s` with ASCII letters lower-cased: the same length, index for index. */
function fold(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Finds and replaces known secrets, their encodings, case-folded copies and cut pieces. */
export class Secrets {
  /** Folded forms of every secret (raw and URL-encoded). */
  readonly #forms: string[];
  /** Any start or end piece of any form, in any case: a quick test before the exact work. */
  readonly #probe: RegExp | undefined;

  /** Secrets shorter than 4 characters are ignored (they would redact ordinary text). */
  constructor(secrets: readonly (string | undefined)[]) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      forms.add(fold(s));
      forms.add(fold(encodeURIComponent(s)));
    }
    this.#forms = [...forms];
    const pieces = this.#forms.flatMap((f) => {
      const n = Math.min(PIECE, f.length);
      return [f.slice(0, n), f.slice(-n)];
    });
    this.#probe = pieces.length
      ? new RegExp(pieces.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "i")
      : undefined;
  }

  /** True when there is nothing to find. */
  get empty(): boolean {
    return this.#forms.length === 0;
  }

  /** `text` with every secret, and every piece of one, replaced by `replacement`. */
  scrub(text: string, replacement = REDACTED): string {
    if (!this.#probe?.test(text)) return text;
    const low = fold(text);
    const spans: [number, number][] = [];
    for (const form of this.#forms) {
      const piece = Math.min(PIECE, form.length);
      // Starts of the secret, as long as they go on matching.
      const head = form.slice(0, piece);
      for (let at = low.indexOf(head); at >= 0; at = low.indexOf(head, at + 1)) {
        let n = piece;
        while (n < form.length && low[at + n] === form[n]) n++;
        spans.push([at, at + n]);
      }
      // Ends of the secret, as far back as they match.
      const tail = form.slice(-piece);
      for (let at = low.indexOf(tail); at >= 0; at = low.indexOf(tail, at + 1)) {
        const end = at + piece;
        let n = piece;
        // Before the text's start, low[-1] is undefined: no character, so the walk stops.
        while (n < form.length && low[end - n - 1] === form[form.length - n - 1]) n++;
        spans.push([end - n, end]);
      }
    }
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0]);
    let out = "";
    let from = 0;
    let cur = spans[0];
    for (const s of spans) { // the first merges with itself: no span is empty
      if (s[0] < cur[1]) cur = [cur[0], Math.max(cur[1], s[1])]; // overlapping: one secret
      else {
        out += text.slice(from, cur[0]) + replacement;
        from = cur[1];
        cur = s;
      }
    }
    return out + text.slice(from, cur[0]) + replacement + text.slice(cur[1]);
  }
}
