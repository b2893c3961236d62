/**
 * `GET C/chats`: the chat list of the simulated Coder, its `q` search terms and `label` filters
 * (reference §1).
 *
 * Current profile (v2.39): the list holds the caller's own chats (`source:created_by_me`, the
 * default), the chats shared with it (`source:shared_with_me`), or both (comma-separated); no
 * role widens it. `status:` and `pr_status:` take comma-separated or repeated values (OR);
 * `search:` cannot be combined with `title:`, `pr_title:` or `pr:`; a bad term answers 400
 * "Invalid chat search query." with a validation; pinned chats would come first, then
 * `(updated_at, id)` descending.
 *
 * Older profiles: every chat is listed (the sim's caller sees every owner's), `source:` takes one
 * value (a comma-separated list answers 400, so a client's probe sees what v2.37 would say),
 * `status:` is no key (400), and a bad term answers 400 "Invalid query parameters.".
 */
import type { World } from "../deployment.ts";
import { coderError, json, parseQuery } from "../http.ts";
import { textOf } from "../seed.ts";
import { accessOf } from "./access.ts";
import { fullTextMatch, stems } from "./search.ts";
import type { ChatRec, ChatStore } from "./store.ts";
import { chatWire, diffStatusWire, prStatusOf } from "./wire.ts";

const KEYS = new Set([
  "title",
  "archived",
  "search",
  "has_unread",
  "source",
  "pr_status",
  "diff_url",
  "pr",
  "repo",
  "pr_title",
]);
const SOURCES = new Set(["created_by_me", "shared_with_me"]);
const PR_STATES = new Set(["draft", "open", "merged", "closed", "none"]);

/** A parsed `q`: each filter, or the 400 to answer. */
interface ChatQuery {
  archived: boolean;
  /** Sources asked for (current profile); undefined: the default. */
  sources?: Set<string>;
  /** Older profiles: `source:created_by_me` (the caller's own), `shared_with_me` (none). */
  onlyMine?: boolean;
  nothing?: boolean;
  title?: string;
  search?: string[];
  unread?: boolean;
  statuses?: Set<string>;
  prStates?: Set<string>;
  prNumber?: number;
  prTitle?: string;
  repo?: string;
  diffUrl?: string;
}

/** Answer the chat list. */
export function listChats(store: ChatStore, query: URLSearchParams): Response {
  const w = store.world;
  const q = parse(w, query.get("q") ?? "");
  if (q instanceof Response) return q;
  const labels: [string, string][] = [];
  for (const l of query.getAll("label")) {
    const i = l.indexOf(":");
    if (i <= 0 || i === l.length - 1) {
      return w.profile === "current"
        ? coderError(
          400,
          `Invalid label filter: "${l}" (expected format key:value, both must be non-empty)`,
        )
        : coderError(400, "Invalid label filter.", undefined, [{
          field: "label",
          detail: `label "${l}" must be key:value`,
        }]);
    }
    labels.push([l.slice(0, i), l.slice(i + 1)]);
  }
  const out = q.nothing
    ? []
    : store.all.filter((c) => listed(w, c, q) && labels.every(([k, v]) => c.labels[k] === v));
  out.sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return json(200, out.map((c) => chatWire(w, c)));
}

/** Whether the list shows `c` for the query `q`. */
function listed(w: World, c: ChatRec, q: ChatQuery): boolean {
  if (c.archived !== q.archived) return false;
  if (w.profile === "current") {
    const access = accessOf(w, c);
    const sources = q.sources ?? new Set(["created_by_me"]);
    const source = access === "own" ? "created_by_me" : access === "read" ? "shared_with_me" : "";
    if (!sources.has(source)) return false;
  } else if (q.onlyMine && c.owner !== w.me) return false;
  if (q.unread !== undefined && c.hasUnread !== q.unread) return false;
  if (q.statuses && !q.statuses.has(c.status)) return false;
  if (q.title && !c.title.toLowerCase().includes(q.title)) return false;
  if (q.prStates && !q.prStates.has(prStatusOf(c))) return false;
  if (q.prNumber !== undefined && c.pr?.number !== q.prNumber) return false;
  if (q.prTitle !== undefined && !c.pr?.title.toLowerCase().includes(q.prTitle)) return false;
  if (q.repo !== undefined && !(c.pr && "acme/webapp".includes(q.repo))) return false;
  if (q.diffUrl !== undefined && !(c.pr && diffStatusWire(w, c, c.pr).url === q.diffUrl)) {
    return false;
  }
  if (q.search) {
    const pr = c.pr ? `${c.pr.title} ${c.pr.number}` : "";
    const hay = [c.title, pr, ...c.messages.map((m) => textOf(m.parts))].join("\n");
    if (!fullTextMatch(q.search, hay)) return false;
  }
  return true;
}

/** Parse `q` for this profile, or the 400 it answers. */
function parse(w: World, text: string): ChatQuery | Response {
  const current = w.profile === "current";
  const bad = (detail: string) =>
    current
      ? coderError(400, "Invalid chat search query.", undefined, [{ field: "q", detail }])
      : coderError(400, "Invalid query parameters.", undefined, [{ field: "q", detail }]);
  const q: ChatQuery = { archived: false };
  const list = (value: string) => value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const { key, value } of parseQuery(text)) {
    if (key === "") {
      return bad(
        `Bare terms are not supported; use title:<value> or search:<value> (got "${value}")`,
      );
    }
    if (key === "status" && current) {
      q.statuses ??= new Set();
      for (const s of list(value)) q.statuses.add(s);
      continue;
    }
    if (!KEYS.has(key)) return bad(`Query param "${key}" is not a valid query param`);
    switch (key) {
      case "archived":
      case "has_unread":
        if (value !== "true" && value !== "false") {
          return bad(`Query param "${key}" must be a valid boolean`);
        }
        if (key === "archived") q.archived = value === "true";
        else q.unread = value === "true";
        break;
      case "title":
        q.title = value.toLowerCase();
        break;
      case "search":
        q.search = stems(value);
        break;
      case "source": {
        const values = list(value);
        if (values.length === 0 || values.some((v) => !SOURCES.has(v))) {
          return bad(`Query param "source" must be one of created_by_me, shared_with_me`);
        }
        if (current) {
          q.sources ??= new Set();
          for (const v of values) q.sources.add(v);
        } else if (values.length > 1) {
          return bad(`Query param "source" must be one of created_by_me, shared_with_me`);
        } else if (values[0] === "created_by_me") q.onlyMine = true;
        else q.nothing = true; // nothing is shared on older profiles
        break;
      }
      case "pr_status":
        q.prStates ??= new Set();
        for (const v of list(value)) {
          if (!PR_STATES.has(v)) {
            return bad(`Query param "pr_status" must be one of draft, open, merged, closed, none`);
          }
          q.prStates.add(v);
        }
        break;
      case "pr": {
        const n = Number(value);
        if (!Number.isInteger(n) || n <= 0) {
          return bad(`Query param "pr" must be a positive integer`);
        }
        q.prNumber = n;
        break;
      }
      case "pr_title":
        q.prTitle = value.toLowerCase();
        break;
      case "repo":
        q.repo = value.toLowerCase();
        break;
      case "diff_url":
        q.diffUrl = value;
        break;
    }
  }
  if (
    current && q.search &&
    (q.title !== undefined || q.prTitle !== undefined || q.prNumber !== undefined)
  ) {
    return bad(`"search" cannot be combined with "title", "pr_title" or "pr"`);
  }
  return q;
}
