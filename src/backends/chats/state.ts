/**
 * Pure mappings for Coder chats: a chat's status to the fleet's agent state (DESIGN.md), and a
 * message's parts to plain text. Everything that comes out is sanitised by `text.ts`.
 */
import type { AgentState, PrState, PullRequest, WaitingFor } from "../../model/agent.ts";
import { cleanText, oneLine } from "../../model/text.ts";
import { isoTime } from "../../model/time.ts";

/** The fields of a chat that its state depends on. */
export interface ChatStatusFields {
  status?: string | null;
  updated_at?: string | null;
  /** Current Coder: the chat waits for a licence slot (at most 5 run at once on Community). */
  queued_for_capacity?: boolean | null;
}

/** A chat's normalized state: `state`, Coder's own `detail` word, and `since` (ISO 8601). */
export interface ChatStateInfo {
  state: AgentState;
  detail: string;
  since: string;
}

const STATES: Record<string, AgentState> = {
  running: "working",
  interrupting: "working",
  waiting: "idle",
  requires_action: "idle",
  // A turn ended while the next queued message is being edited (current Coder).
  paused: "idle",
  error: "error",
};

/**
 * Map a chat to `{state, detail, since}`: any status with `queued_for_capacity` -> starting
 * (waiting for a licence slot), running/interrupting -> working, waiting/requires_action/paused
 * -> idle, error -> error, anything else -> unknown. `detail` is the raw status (sanitised;
 * `unknown` when absent), plus the licence wait when queued; `since` is `updated_at` as ISO 8601
 * UTC, or `fallback` when it is missing or unparsable.
 */
export function chatState(chat: ChatStatusFields, fallback = ""): ChatStateInfo {
  return {
    ...chatStateWord(chat.status, chat.queued_for_capacity),
    since: isoTime(chat.updated_at, fallback),
  };
}

/**
 * A chat status word's normalized state and `detail` (see {@link chatState}), without `since`;
 * `queued` is the chat's `queued_for_capacity`.
 */
export function chatStateWord(
  status: string | null | undefined,
  queued?: boolean | null,
): Omit<ChatStateInfo, "since"> {
  const raw = oneLine(status ?? "", 40);
  if (queued === true) {
    return { state: "starting", detail: `${raw || "unknown"}; ${QUEUED_DETAIL}` };
  }
  const state = Object.hasOwn(STATES, raw) ? STATES[raw] : "unknown";
  return { state, detail: raw || "unknown" };
}

/** The detail words of a chat that waits for a licence slot. */
export const QUEUED_DETAIL = "queued for capacity: waits for a licence slot";

/** Coder's `diff_status` (codersdk.ChatDiffStatus) as sent: read field by field, any shape. */
type DiffStatus = unknown;

/** One field of `d`; undefined when `d` is no object (a primitive or an array has none of the
 * fields read here). */
function field(d: DiffStatus, key: string): unknown {
  return (Object(d) as Record<string, unknown>)[key];
}

function str(d: DiffStatus, key: string): string {
  const v = field(d, key);
  return typeof v === "string" ? v : "";
}

/**
 * The state of a chat's pull request from `diff_status`: `pull_request_state` (any case) open,
 * merged or closed, or draft; an open one marked `pull_request_draft` is a draft. Null when there
 * is no pull request (no diff status, a branch without one, or a word Coder's filter does not
 * know: it is not guessed).
 */
export function prStateOf(d: DiffStatus): PrState | null {
  const word = str(d, "pull_request_state").trim().toLowerCase();
  if (word === "draft" || (word === "open" && field(d, "pull_request_draft") === true)) {
    return "draft";
  }
  if (word === "open" || word === "merged" || word === "closed") return word;
  return null;
}

/** A chat's pull request from `diff_status` (sanitised), or null (see {@link prStateOf}). */
export function chatPr(d: DiffStatus): PullRequest | null {
  const state = prStateOf(d);
  if (!state) return null;
  const count = (key: string) => {
    const n = field(d, key);
    return typeof n === "number" && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
  };
  const num = field(d, "pr_number");
  const approved = field(d, "approved");
  return {
    number: typeof num === "number" && Number.isSafeInteger(num) && num > 0 ? num : null,
    state,
    title: oneLine(str(d, "pull_request_title"), 200),
    url: safeUrl(str(d, "url")),
    draft: state === "draft",
    approved: typeof approved === "boolean" ? approved : null,
    changes_requested: field(d, "changes_requested") === true,
    additions: count("additions"),
    deletions: count("deletions"),
    changed_files: count("changed_files"),
  };
}

/** An http(s) URL as one clean line, or "" (a `javascript:` or other scheme is dropped). */
function safeUrl(u: string): string {
  const s = oneLine(u, 500);
  return /^https?:\/\/[^\s]+$/i.test(s) ? s : "";
}

/**
 * What a chat waits on (DESIGN.md's `waiting_for` table, chat column): `requires_action` ->
 * action; `error` -> fix; `waiting` -> review while its PR is a draft or open, nothing once it
 * merged, reply with no PR or a closed one; `paused` (a queued message is being edited) -> reply.
 * Null while starting (queued for a licence slot) or working, and for a status it does not know.
 */
export function chatWaitingFor(
  status: string | null | undefined,
  queued: boolean | null | undefined,
  pr: PrState | null,
): WaitingFor | null {
  if (queued === true) return null;
  switch (status) {
    case "requires_action":
      return "action";
    case "error":
      return "fix";
    case "paused":
      return "reply";
    case "waiting":
      return pr === "draft" || pr === "open" ? "review" : pr === "merged" ? "nothing" : "reply";
    default:
      return null;
  }
}

/** The detail of a chat whose last error is a spent budget (`last_error.kind: usage_limit`). */
export const USAGE_LIMIT_DETAIL = "usage limit: the AI budget of this period is spent";

/** The fields of a message part that rendering reads (codersdk.ChatMessagePart). */
export interface PartLike {
  type?: string | null;
  text?: string | null;
  tool_name?: string | null;
  name?: string | null;
  args?: unknown;
  args_delta?: string | null;
  result?: unknown;
  result_delta?: string | null;
  is_error?: boolean | null;
  url?: string | null;
  title?: string | null;
  media_type?: string | null;
  file_name?: string | null;
  start_line?: number | null;
  end_line?: number | null;
  context_file_path?: string | null;
  skill_name?: string | null;
}

/** Longest summary of tool arguments or results inside a rendered line. */
const SUMMARY_MAX = 100;

/**
 * Render message parts as text: text parts in full (cleaned, newlines kept); reasoning omitted;
 * each tool call as one line `[tool: name(args…)]`; each tool result as one line
 * `[result: name: summary…]`; files, sources and other parts as one short bracketed line.
 * When a message holds only reasoning, it renders as `[reasoning]`.
 */
export function renderParts(parts: readonly PartLike[] | null | undefined): string {
  const out: string[] = [];
  // Reasoning is the one part omitted (renderPart gives undefined for it alone).
  let reasoning = false;
  for (const p of parts ?? []) {
    const line = renderPart(p, p.type ?? "text");
    if (line === undefined) reasoning = true;
    else if (line !== "") out.push(line);
  }
  if (out.length === 0 && reasoning) return "[reasoning]";
  return out.join("\n");
}

function renderPart(p: PartLike, type: string): string | undefined {
  switch (type) {
    case "text":
      return cleanText(p.text ?? "").trim();
    case "reasoning":
      return undefined;
    case "tool-call": {
      const name = oneLine(p.tool_name ?? p.name, 60) || "tool";
      const args = summarize(p.args ?? p.args_delta, SUMMARY_MAX);
      return `[tool: ${name}(${args})]`;
    }
    case "tool-result": {
      const name = oneLine(p.tool_name ?? p.name, 60) || "tool";
      const result = summarize(p.result ?? p.result_delta, SUMMARY_MAX);
      const head = p.is_error ? `${name}: error` : name;
      return result ? `[result: ${head}: ${result}]` : `[result: ${head}]`;
    }
    case "file":
      return bracket("file", p.file_name ?? p.name ?? p.media_type ?? p.url);
    case "file-reference": {
      const lines = p.start_line
        ? `:${p.start_line}${p.end_line && p.end_line !== p.start_line ? `-${p.end_line}` : ""}`
        : "";
      return bracket("file-reference", p.file_name ? p.file_name + lines : undefined);
    }
    case "source":
      return bracket("source", [p.title, p.url].filter(Boolean).join(" "));
    case "context-file":
      return bracket("context-file", p.context_file_path);
    case "skill":
      return bracket("skill", p.skill_name ?? p.name);
    default:
      return bracket(type, p.text ?? p.name ?? p.title);
  }
}

function bracket(label: string, value: string | null | undefined): string {
  const l = oneLine(label, 40) || "part";
  const v = oneLine(value ?? "", 80);
  return v ? `[${l}: ${v}]` : `[${l}]`;
}

/**
 * One short line for tool arguments or a tool result, whatever shape they came in: a JSON
 * object, a JSON string, a plain string, or the byte array the swagger describes.
 */
export function summarize(value: unknown, max = SUMMARY_MAX): string {
  const v = decodeRaw(value);
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return oneLine(v.map(short).join(", "), max);
  if (typeof v === "object") {
    const obj = v as Record<string, unknown>;
    for (const key of ["output", "content", "text", "message", "error", "result"]) {
      if (typeof obj[key] === "string" && Object.keys(obj).length <= 3) {
        return oneLine(obj[key] as string, max);
      }
    }
    return oneLine(Object.entries(obj).map(([k, x]) => `${k}: ${short(x)}`).join(", "), max);
  }
  return oneLine(String(v), max); // a string, a number or a boolean
}

function short(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.slice(0, 200));
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Turn raw JSON (a string holding JSON, or an array of byte values) into a value. */
function decodeRaw(value: unknown): unknown {
  if (Array.isArray(value) && value.every(isByte) && spellsJson(value)) {
    // Only when the bytes spell JSON: a genuine array of small numbers stays as it is.
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(value));
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  if (typeof value === "string") {
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[") || t.startsWith('"')) {
      try {
        return JSON.parse(t);
      } catch {
        return value;
      }
    }
  }
  return value;
}

/** The first and last bytes are `{}`, `[]` or `""` (a lone `"` passes, and fails to parse). */
function spellsJson(bytes: number[]): boolean {
  const first = bytes[0], last = bytes[bytes.length - 1];
  return (first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d) ||
    (first === 0x22 && last === 0x22);
}

function isByte(x: unknown): boolean {
  return typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 255;
}
