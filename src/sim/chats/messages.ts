/**
 * `GET C/chats/{chat}/messages`: a page of a chat's messages (reference §6). `after_id` alone
 * pages forward (the oldest after the cursor); otherwise the newest before `before_id` (or of
 * all), newest first. `has_more` says more lie past the page.
 *
 * Current profile: a forward page is in ascending order, a `limit` outside 1 to 200 is 400
 * "Invalid limit parameter (1-200).", `after_id >= before_id` is 400, and `queued_messages` is
 * filled only when no cursor is set. Older profiles keep the sim's earlier answers (every page
 * newest first, a validation per bad field, the queue always).
 */
import type { World } from "../deployment.ts";
import { coderError, json } from "../http.ts";
import type { ChatRec, MsgRec } from "./store.ts";
import { chatMessageJson, chatQueuedJson } from "./wire.ts";

/** Answer one page of `c`'s messages. */
export function messagesPage(w: World, c: ChatRec, query: URLSearchParams): Response {
  const current = w.profile === "current";
  const num = (k: string, min: number, max: number): number | undefined | Response => {
    const v = query.get(k);
    if (v === null || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      if (current && k === "limit") return coderError(400, "Invalid limit parameter (1-200).");
      return coderError(400, "Invalid query parameters.", undefined, [{
        field: k,
        detail: min === 1 && max === 200
          ? "must be between 1 and 200"
          : "must be a non-negative integer",
      }]);
    }
    return n;
  };
  const limit = num("limit", 1, 200);
  const before = num("before_id", 0, Number.MAX_SAFE_INTEGER);
  const after = num("after_id", 0, Number.MAX_SAFE_INTEGER);
  for (const x of [limit, before, after]) if (x instanceof Response) return x;
  const n = (limit as number | undefined) ?? 50;
  const b = before as number | undefined;
  const a = after as number | undefined;
  if (current && a !== undefined && b !== undefined && a >= b) {
    return coderError(400, "after_id must be less than before_id.");
  }
  const inRange = c.messages.filter((m) =>
    (b === undefined || m.id < b) && (a === undefined || m.id > a)
  );
  const forward = a !== undefined && b === undefined;
  let page: MsgRec[];
  if (forward) {
    page = inRange.slice(0, n); // forward paging: the oldest ones just after the cursor
  } else {
    page = inRange.slice(Math.max(0, inRange.length - n));
  }
  const ordered = forward && current ? page : page.slice().reverse();
  const queue = current && (a !== undefined || b !== undefined) ? [] : c.queued;
  return json(200, {
    messages: ordered.map((m) => chatMessageJson(w, c, m)),
    queued_messages: queue.map((q) => chatQueuedJson(w, c, q)),
    has_more: inRange.length > n,
  });
}
