/**
 * The last guard on secrets: every text the server emits (tool results, structured content,
 * errors, stderr lines) passes through a {@link Redactor} that replaces the Coder session token
 * and the HTTP bearer token whatever their source (a Coder error body, an agent that wrote the
 * token into its status message, a log line) and however they came back: raw or URL-encoded, in
 * any letter case, or cut by a length cap (see `coder/secrets.ts`).
 */
import { REDACTED, Secrets } from "./coder/secrets.ts";

export { REDACTED };

/** Replaces known secrets in texts and in JSON-like values. */
export class Redactor {
  readonly #secrets: Secrets;

  /** Secrets shorter than 4 characters are ignored (they would redact ordinary text). */
  constructor(secrets: readonly (string | undefined)[]) {
    this.#secrets = new Secrets(secrets);
  }

  /** The text with every secret replaced. */
  text(s: string): string {
    return this.#secrets.scrub(s);
  }

  /** A copy of a JSON-like value with every string (keys included) redacted. */
  value<T>(v: T): T {
    if (this.#secrets.empty) return v;
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
