/**
 * Agent handles: a UUID, `owner/name`, or a bare `name` of the caller's own agent.
 */
import type { Agent } from "./agent.ts";
import type { Handle } from "./backend.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a canonical UUID string. */
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** Parse a handle. Returns undefined for an empty or malformed one. */
export function parseHandle(raw: string): Handle | undefined {
  const text = raw.trim();
  if (text === "") return undefined;
  if (isUuid(text)) return { kind: "id", id: text.toLowerCase(), text };
  const slash = text.indexOf("/");
  if (slash >= 0) {
    const owner = text.slice(0, slash).trim();
    const name = text.slice(slash + 1).trim();
    if (!owner || !name || name.includes("/")) return undefined;
    return { kind: "name", owner, name, text };
  }
  return { kind: "name", name: text, text };
}

/** Does `agent` answer to `handle`? A bare name means the caller's own agent (`me`). */
export function matchesHandle(agent: Agent, handle: Handle, me: string): boolean {
  if (handle.kind === "id") return agent.id.toLowerCase() === handle.id;
  const owner = handle.owner ?? me;
  return agent.name === handle.name && agent.owner === owner;
}
