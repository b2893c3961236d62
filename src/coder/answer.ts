/**
 * Reading what Coder answered: a success body checked against its schema (JSON required unless
 * an empty body is allowed), the `Retry-After` header, and the origin a redirect pointed to.
 */
import type { z } from "zod";

/** The parsed body, or why it is not the documented answer. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; detail: string };

/**
 * Parse a success body with `schema`. Without a schema the body is ignored. With one, the body
 * must be JSON (an empty body only when `allowEmpty`) and satisfy the schema.
 */
export function parseAnswer<T>(
  text: string,
  schema: z.ZodType<T> | undefined,
  allowEmpty: boolean,
): Parsed<T> {
  if (!schema) return { ok: true, value: undefined as T };
  let json: unknown;
  if (text.trim() === "") {
    if (!allowEmpty) return { ok: false, detail: "the body is empty, where JSON was expected" };
  } else {
    try {
      json = JSON.parse(text);
    } catch {
      return {
        ok: false,
        detail: /^\s*</.test(text)
          ? "the body is HTML, not JSON (a proxy's page?)"
          : "the body is not JSON",
      };
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      detail: `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`,
    };
  }
  return { ok: true, value: parsed.data };
}

/** The origin a redirect's `Location` points to (never its path or query). */
export function originOf(res: Response, url: URL): string | undefined {
  const loc = res.headers.get("location");
  if (!loc) return undefined;
  try {
    return new URL(loc, url).origin;
  } catch {
    return undefined;
  }
}

/** Parse a `Retry-After` header (seconds or an HTTP date) into milliseconds. */
export function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
