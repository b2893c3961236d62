/**
 * Who may see and change a simulated chat: the token's user (the sim's only caller) against the
 * chat's owner and its sharing.
 *
 * Current profile (v2.39, reference §1, §2, §4, §5, §7): the caller reads its own chats and the
 * chats shared with it; the other chats are never visible, whatever its roles (the sim's caller
 * holds no org-wide chat permission), so a single read answers 404 as for an unknown id. Only the
 * owner may update or interrupt (Coder: update permission, which sharing does not give here): a
 * caller who may read but not update gets 404, as Coder's update path answers. Only the owner may
 * send: a caller who may read gets 403 "Only the chat owner may send messages.".
 *
 * Older profiles (v2.37 and before) keep the sim's earlier behaviour: every chat is visible to
 * the caller and open to its writes.
 */
import type { World } from "../deployment.ts";
import type { ChatRec } from "./store.ts";

/** What the caller may do with a chat. */
export type Access = "none" | "read" | "own";

/** The caller's access to `c`. */
export function accessOf(w: World, c: ChatRec): Access {
  if (w.profile !== "current") return "own";
  if (c.owner === w.me) return "own";
  return c.sharedWith.has(w.me.id) ? "read" : "none";
}

/** True when the caller's list can show `c` at all (own or shared). */
export function visible(w: World, c: ChatRec): boolean {
  return accessOf(w, c) !== "none";
}

/** Current Coder's answer to a send by a caller who may read the chat but does not own it. */
export const OWNER_ONLY_SEND = "Only the chat owner may send messages.";
