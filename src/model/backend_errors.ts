/**
 * What a Coder failure means to a back end: predicates over {@link CoderError} that only ever
 * match Coder's own answers (kind `http` with Coder's JSON message), never a proxy's page, a lost
 * answer or an uncertain write.
 */
import { CoderError } from "../coder/http.ts";
import { oneLine } from "./text.ts";

/** A Coder error status (kind `http`). */
export function isHttp(err: unknown, status: number): err is CoderError {
  return err instanceof CoderError && err.kind === "http" && err.status === status;
}

/**
 * Coder's 404 "resource not found": kind `http`, with Coder's JSON message, and not "Route not
 * found." (which means the API is absent). A proxy's 404 page has no such message.
 */
export function isNotFound(err: unknown): boolean {
  return isHttp(err, 404) && !err.routeNotFound && (err.coderMessage ?? "").trim() !== "";
}

/** Coder's 400 for an owner that is no user. */
export function isUnknownUser(err: unknown): boolean {
  return isHttp(err, 400) && /must be an existing uuid or username/i.test(err.coderMessage ?? "");
}

/** Coder's 400 for a path id that is not a UUID (older servers take only ids). */
export function isInvalidUuid(err: unknown): boolean {
  return isHttp(err, 400) && /invalid uuid/i.test(`${err.coderMessage ?? ""} ${err.detail ?? ""}`);
}

/** Coder's own words of an error, one line (message, then detail). */
export function coderWords(err: CoderError): string {
  const msg = oneLine(err.coderMessage, 200);
  const detail = oneLine(err.detail, 200);
  if (!detail || detail === msg) return msg || err.summary;
  return msg ? `${msg} (${detail})` : detail;
}

/** A short list of names for a message. */
export function listNames(names: string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => oneLine(n, 80));
  return names.length > max ? `${shown.join(", ")}, …` : shown.join(", ");
}
