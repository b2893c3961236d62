/**
 * The seeded chats of a simulated deployment: whose they are, who they are shared with, what
 * state each is in, and (current profile) which opened a pull request.
 *
 * Older profiles give the users chats in turn, each in the same order of states. The current
 * profile (v2.39) seeds what a real user's Coder holds: half the chats are the token user's own
 * (in every state, the first nine in a fixed order), the rest belong to the other users, one in
 * eight of those shared with the token user (the rest it never sees), and a believable share of the
 * settled chats have a pull request in each state.
 */
import type { SimUser } from "../deployment.ts";
import { pickFollowUp, pickLabels, pickTopic } from "../seed.ts";
import type { Rng } from "../util.ts";
import type { ChatRec, ChatStore, PrRec } from "./store.ts";

/** The states seeding gives chats, in order (the first ones), then at random (WEIGHTED). */
const KINDS = [
  "running",
  "waiting",
  "requires_action",
  "error",
  "archived",
  "queued",
  "waiting",
  "waiting",
  "running",
];
const WEIGHTED = [...KINDS, "waiting", "waiting", "running"];

/** Of the other users' chats (current profile), one in this many is shared with the caller. */
const SHARED_ONE_IN = 8;

/** Where the `i`-th seeded chat goes: its owner, whether the caller shares it, its state slot. */
interface Placement {
  owner: SimUser;
  shared: boolean;
  /** Index into KINDS (random state beyond it). */
  ordinal: number;
}

/** Seed `n` chats into `store`. */
export function seedChats(store: ChatStore, rng: Rng, n: number): void {
  const w = store.world;
  const now = w.clock.now();
  const current = w.profile === "current";
  const others = w.users.filter((u) => u !== w.me);
  let mine = 0;
  for (let i = 0; i < n; i++) {
    const place: Placement = !current || others.length === 0
      ? { owner: w.users[i % w.users.length], shared: false, ordinal: i }
      : i % 2 === 0
      ? { owner: w.me, shared: false, ordinal: mine++ }
      : {
        owner: others[(i >> 1) % others.length],
        shared: (i >> 1) % SHARED_ONE_IN === 0,
        ordinal: i,
      };
    const kind = place.ordinal < KINDS.length ? KINDS[place.ordinal] : rng.pick(WEIGHTED);
    const topic = pickTopic(rng);
    const c = store.newRec(place.owner, topic.title, now);
    if (place.shared) c.sharedWith.add(w.me.id);
    const r = c.rng;
    c.labels = pickLabels(r);
    if (r.chance(0.5)) c.workspaceId = r.uuid();
    if (current && r.chance(0.3)) c.clientType = "ui";
    const live = kind === "running" || kind === "queued";
    c.updatedAt = live ? now - r.int(5_000, 60_000) : now - r.int(60_000, 2 * 86_400_000);
    const turns = r.int(1, 6);
    const step = r.int(2, 30) * 60_000;
    c.createdAt = c.updatedAt - turns * step;
    let at = c.createdAt;
    for (let k = 0; k < turns; k++) {
      const text = k === 0 ? topic.prompt : pickFollowUp(r);
      store.push(c, "user", [{ type: "text", text }], at);
      const last = k === turns - 1;
      if (last && live) {
        c.asked = text;
        c.messages[c.messages.length - 1].at = c.updatedAt;
        break;
      }
      const end = last ? c.updatedAt : at + step / 2;
      store.turn(c, text, end);
      at += step;
    }
    c.hasUnread = !live && r.chance(0.5);
    shape(store, c, kind, i, place.ordinal);
    if (current && turns > 1) c.pr = seededPr(c, kind);
    store.add(c);
  }
  store.queueOverflow();
}

/** Put a seeded chat in its state. */
function shape(store: ChatStore, c: ChatRec, kind: string, i: number, ordinal: number): void {
  const w = store.world;
  const r = c.rng;
  const now = w.clock.now();
  switch (kind) {
    case "running":
    case "queued":
      c.status = "running";
      c.phase = "turn";
      c.nextAt = now + r.int(15_000, 120_000) / w.pace;
      if (kind === "queued") {
        for (let k = 0; k < 2; k++) {
          c.queued.push({
            id: store.nextQueueId(),
            parts: [{ type: "text", text: pickFollowUp(r) }],
            at: now - (2 - k) * 1000,
          });
        }
      }
      break;
    case "waiting": {
      // A turn ended while the next queued message is being edited (current Coder's `paused`).
      const paused = w.profile === "current" &&
        (w.me === c.owner
          ? ordinal === 6 || (ordinal >= KINDS.length && r.chance(0.2))
          : i % 4 === 1);
      if (paused) {
        c.status = "paused";
        c.queued.push({
          id: store.nextQueueId(),
          parts: [{ type: "text", text: pickFollowUp(r) }],
          at: c.updatedAt,
        });
      }
      break;
    }
    case "requires_action":
      c.status = "requires_action";
      store.push(c, "assistant", [{
        type: "tool-call",
        tool_call_id: `toolu_${r.hex(20)}`,
        tool_name: "ask_user",
        args: { question: "Which environment should I deploy to?" },
        created_at: w.time(c.updatedAt),
      }], c.updatedAt);
      c.summary = "Asked which environment to deploy to";
      break;
    case "error":
      c.status = "error";
      // Current Coder meters AI spend: some turns end on a spent budget (reference 2 and 11).
      c.lastError = w.profile === "current" && r.chance(0.4)
        ? {
          message: "You have reached your AI spend limit for this period.",
          kind: "usage_limit",
          retryable: false,
          status_code: 429,
        }
        : {
          message: "The model provider is overloaded. Try again later.",
          kind: "overloaded",
          provider: "anthropic",
          retryable: true,
          status_code: 529,
        };
      break;
    case "archived":
      c.archived = true;
      break;
  }
}

const PR_TITLES = [
  "Fix SSO redirect to a blank page",
  "Add token-bucket rate limiter",
  "Split users table into users and profiles",
  "Speed up CI with cached dependencies",
  "Fix flaky payments test",
  "Add dark mode toggle",
  "Plug websocket gateway memory leak",
  "Cursor pagination for /orders",
];

/**
 * A seeded chat's pull request, or null: most settled chats that worked a while have one (open,
 * draft, merged, closed), a running one sometimes has a draft or an open one.
 */
function seededPr(c: ChatRec, kind: string): PrRec | null {
  const r = c.rng;
  const odds = kind === "waiting" ? 0.55 : kind === "running" || kind === "queued" ? 0.2 : 0.1;
  if (!r.chance(odds)) return null;
  const roll = r.int(0, 99);
  const state: PrRec["state"] = kind === "running" || kind === "queued"
    ? (roll < 60 ? "draft" : "open")
    : roll < 40
    ? "open"
    : roll < 60
    ? "draft"
    : roll < 88
    ? "merged"
    : "closed";
  return makePr(r, state, c.updatedAt);
}

/** A pull request in `state`, refreshed at `at`. */
export function makePr(r: Rng, state: PrRec["state"], at: number): PrRec {
  const reviewers = state === "draft" ? 0 : r.int(1, 3);
  const approved = state === "merged" || (state === "open" && r.chance(0.4));
  return {
    number: r.int(100, 4999),
    state,
    title: r.pick(PR_TITLES),
    additions: r.int(3, 900),
    deletions: r.int(0, 400),
    changedFiles: r.int(1, 30),
    commits: r.int(1, 12),
    approved,
    changesRequested: state === "open" && !approved && r.chance(0.3),
    reviewers,
    headBranch: `agent/${r.hex(6)}`,
    refreshedAt: at,
  };
}
