/**
 * Keyset cursors for agent lists. Rows are ordered newest first by (created_at, id); a cursor
 * holds the last row's key and a fingerprint of the query, so pages stay stable while agents are
 * created or deleted between calls, and a cursor cannot be replayed against another query.
 */
import { type Agent, compareAgents } from "../model/agent.ts";
import { FleetError } from "../model/backend.ts";

export { compareAgents };

/** A short fingerprint of the query a cursor belongs to. */
export function fingerprint(query: unknown): string {
  const s = JSON.stringify(query);
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}

/** Encode the cursor after `last`: `<created_at ms, base 36>.<id>.<query fingerprint>`. */
export function encodeCursor(last: Agent, query: unknown): string {
  return `${Date.parse(last.created_at).toString(36)}.${last.id}.${fingerprint(query)}`;
}

/** Decode a cursor, or throw a FleetError saying what to do. */
export function decodeCursor(cursor: string, query: unknown): { created_at: string; id: string } {
  const [ms, id, f, extra] = cursor.split(".");
  const created = /^-?[0-9a-z]{1,12}$/.test(ms ?? "") ? parseInt(ms, 36) : NaN;
  // Dates beyond ±8.64e15 ms cannot be represented: such a cursor was not made here.
  if (
    !id || !f || extra !== undefined || !Number.isFinite(created) || Math.abs(created) > 8.64e15
  ) {
    throw new FleetError(
      "The cursor is not valid: pass next_cursor exactly as a previous call returned it.",
      "Call again without cursor to start over.",
    );
  }
  if (f !== fingerprint(query)) {
    throw new FleetError(
      "The cursor belongs to a different query.",
      "Pass the same filters as the call that returned it, or start over without cursor.",
    );
  }
  return { created_at: new Date(created).toISOString(), id };
}

/** Rows strictly after the cursor key in {@link compareAgents} order. */
export function afterKey(sorted: Agent[], key: { created_at: string; id: string }): Agent[] {
  const probe = { created_at: key.created_at, id: key.id } as Agent;
  return sorted.filter((a) => compareAgents(probe, a) < 0);
}
