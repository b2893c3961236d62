/**
 * The last guard on secrets: every text the server emits (tool results, structured content,
 * errors, stderr lines) passes through a {@link Redactor} that replaces the Coder session token
 * and the HTTP bearer token, raw or URL-encoded, whatever their source: a Coder error body, an
 * agent that wrote the token into its status message, a log line.
 */

/** The replacement for a secret. */
export const REDACTED = "[redacted]";

/** Replaces known secrets in texts and in JSON-like values. */
export class Redactor {
  readonly #needles: string[];

  /** Secrets shorter than 4 characters are ignored (they would redact ordinary text). */
  constructor(secrets: readonly (string | undefined)[]) {
    const needles = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      needles.add(s);
      needles.add(encodeURIComponent(s));
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.#needles = [...needles].sort((a, b) => b.length - a.length);
  }

  /** The text with every secret replaced. */
  text(s: string): string {
    for (const n of this.#needles) if (s.includes(n)) s = s.split(n).join(REDACTED);
    return s;
  }

  /** A copy of a JSON-like value with every string (keys included) redacted. */
  value<T>(v: T): T {
    if (this.#needles.length === 0) return v;
    return this.#walk(v) as T;
  }

  #walk(v: unknown): unknown {
    if (typeof v === "string") return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.#walk(x));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.#walk(x);
      return out;
    }
    return v;
  }
}
