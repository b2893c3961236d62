/** Coder's timestamps, as one format. */

/**
 * Any RFC 3339 time (Coder sends `+01:00` offsets with microseconds, and `Z` with nanoseconds) as
 * ISO 8601 UTC; `fallback` when absent or unparsable (never the raw input).
 */
export function isoTime(value: string | null | undefined, fallback = ""): string {
  if (!value) return fallback;
  const t = Date.parse(value);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/** A time as epoch ms, or undefined when absent or unparsable. */
export function msOf(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
