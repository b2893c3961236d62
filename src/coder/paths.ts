/**
 * Safe request paths: every segment built from a handle, name, owner or id goes through
 * {@link segment}, so no input can leave its place in the URL (`..`, `/`, `?`, `#` ...).
 * {@link routeKey} names a route for the rate limiter, with ids and names taken out.
 */
import { InvalidSegmentError } from "./errors.ts";

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Validate one path segment and encode it. Throws {@link InvalidSegmentError} (before any request
 * is made) for an empty segment, `.`, `..`, or one holding `/`, `\`, `?`, `#` or a control
 * character.
 */
export function segment(value: string, what: string): string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidSegmentError(what, "it is empty");
  }
  if (value === "." || value === "..") {
    throw new InvalidSegmentError(what, `"${value}" is not a name`);
  }
  if (/[/\\?#]/.test(value)) {
    throw new InvalidSegmentError(what, "it may not contain /, \\, ? or #");
  }
  if (CONTROL.test(value)) {
    throw new InvalidSegmentError(what, "it may not contain control characters");
  }
  if (value.length > 1000) throw new InvalidSegmentError(what, "it is too long");
  return encodeURIComponent(value);
}

/**
 * The rate-limit key of a request: method and path with every variable part replaced by `*`, so
 * `/api/v2/tasks/x/y` and `/api/v2/tasks/a/b` share one key. The segment after `tasks/`,
 * `chats/`, `users/`, `templates/`, `organizations/` and `templateversions/` is variable (even a
 * name that happens to be a static word, like a task called `logs`), as is the second one after
 * `tasks/`; beyond those, only the static words of Coder's agent routes stay, so any id (a UUID
 * included) in a route shape not listed here is taken out too.
 */
export function routeKey(method: string, path: string): string {
  const parts = path.split("?")[0].split("/");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    out.push(isVariable(parts, i) ? "*" : p);
  }
  return `${method.toUpperCase()} ${out.join("/")}`;
}

const STATIC = new Set([
  "",
  "api",
  "v2",
  "experimental",
  "tasks",
  "chats",
  "users",
  "templates",
  "organizations",
  "templateversions",
  "logs",
  "send",
  "input",
  "pause",
  "resume",
  "messages",
  "interrupt",
  "cost",
  "models",
  "presets",
  "buildinfo",
  "watch",
]);

function isVariable(parts: string[], i: number): boolean {
  const p = parts[i];
  if (i < 3) return false; // "", "api", "v2"
  const prev = parts[i - 1];
  // `chats/models` and `chats/watch` are routes; anything else after a collection word is an id.
  if (prev === "chats" && (p === "models" || p === "watch")) return false;
  if (
    ["tasks", "chats", "users", "templates", "organizations", "templateversions"].includes(prev)
  ) {
    return true;
  }
  // The second segment of `tasks/{user}/{task}` and `organizations/{org}/templates/{name}`.
  if (parts[i - 2] === "tasks") return true;
  return !STATIC.has(p);
}
