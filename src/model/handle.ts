/**
 * Agent handles: a UUID, `owner/name`, or a bare `name` of the caller's own agent.
 *
 * The grammar keeps a handle from steering a request outside the agent APIs (DESIGN, "Trust"):
 * - `owner` is a Coder username (letters, digits, single inner hyphens, at most 32) or a user UUID;
 * - `name` is a task name (letters, digits, hyphens, underscores, at most 64), which may go into
 *   a task URL, or a chat title: free text that is only ever compared locally with the titles of
 *   a chat list, never put into a URL. A title has no `/`, no control characters, and at least
 *   one letter or digit (so `.` and `..` are not handles).
 */
import type { Agent } from "./agent.ts";
import type { Handle } from "./backend.ts";
import { cleanText } from "./text.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USERNAME = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/;
const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
// deno-lint-ignore no-control-regex
const TITLE_UNSAFE = /[\u0000-\u001F\u007F-\u009F/\\]/;
const HAS_WORD = /[\p{L}\p{N}]/u;

/** Longest username Coder allows. */
export const USERNAME_MAX = 32;
/** Longest task name accepted in a handle. */
export const TASK_NAME_MAX = 64;
/** Longest chat title accepted in a handle. */
export const TITLE_MAX = 200;

/** True for a canonical UUID string. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** True for a Coder username (or a user's UUID, which stands in when Coder gives no name). */
export function isOwner(s: string): boolean {
  return (s.length <= USERNAME_MAX && USERNAME.test(s)) || isUuid(s);
}

/** True when `name` may be a task name, and so may be looked up in a task URL. */
export function isTaskName(name: string): boolean {
  return name.length <= TASK_NAME_MAX && TASK_NAME.test(name);
}

/** True when `name` may be a chat title (compared locally only). */
export function isTitle(name: string): boolean {
  return name.length <= TITLE_MAX && !TITLE_UNSAFE.test(name) && HAS_WORD.test(name) &&
    name.trim() === name;
}

/** Parse a handle. Returns undefined for an empty or malformed one. */
export function parseHandle(raw: string): Handle | undefined {
  const text = raw.trim();
  // Nothing invisible or unsafe: what the caller sees is what is matched. (An empty text is
  // neither a UUID, an owner/name, a task name nor a title: it falls through to undefined.)
  if (cleanText(text) !== text) return undefined;
  if (isUuid(text)) return { kind: "id", id: text.toLowerCase(), text };
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const owner = text.slice(0, slash).trim();
    const name = text.slice(slash + 1).trim();
    if (!isOwner(owner) || !(isTaskName(name) || isTitle(name))) return undefined;
    return { kind: "name", owner, name, text };
  }
  if (!(isTaskName(text) || isTitle(text))) return undefined;
  return { kind: "name", name: text, text };
}

/** The owner a name handle means: its own, or the caller (`me` or no owner). */
export function ownerOf(handle: Handle & { kind: "name" }, me: string): string {
  return !handle.owner || handle.owner === "me" ? me : handle.owner;
}

/**
 * Does `agent` answer to `handle`? A bare name means the caller's own agent (`me`). Task names
 * match exactly; a chat title matches exactly, or else case-insensitively (see {@link bestMatches}).
 */
export function matchesHandle(agent: Agent, handle: Handle, me: string): boolean {
  if (handle.kind === "id") return agent.id.toLowerCase() === handle.id;
  if (agent.owner !== ownerOf(handle, me)) return false;
  return agent.name === handle.name ||
    (agent.kind === "chat" && agent.name.toLowerCase() === handle.name.toLowerCase());
}

/** The agents a handle names among `agents`: exact matches first, case-insensitive titles else. */
export function bestMatches(agents: Agent[], handle: Handle, me: string): Agent[] {
  const hits = agents.filter((a) => matchesHandle(a, handle, me));
  if (handle.kind === "id") return hits;
  const exact = hits.filter((a) => a.name === handle.name);
  return exact.length > 0 ? exact : hits;
}
