/**
 * Request ids of idempotent writes: one per tool call and item (and per fresh attempt after a
 * definite refusal), the same for every retry of a write whose answer was lost.
 */
import { createHash } from "node:crypto";

/** A fresh id for one tool call. */
export function newCallId(): string {
  return crypto.randomUUID();
}

/**
 * The request id of item `index` of call `callId` (attempt `attempt`, 0 for the first): a UUID
 * derived from them, so the same item of the same call always sends the same id.
 */
export function requestIdFor(callId: string, index: number, attempt = 0): string {
  const h = createHash("sha256").update(`${callId}\u0000${index}\u0000${attempt}`).digest("hex");
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${
    h.slice(20, 32)
  }`;
}
