/**
 * A believable fleet for the board page's own tests and its picture (docs/board.png): 600 tasks
 * and 400 chats of eight owners, in every state, with pull requests in every state and every
 * reason to wait (decisions, reviews, replies, failures, spent budgets). The agents are the
 * server's `Agent`s and the rows come from its own `boardRows`, so the page reads exactly what
 * `fleet_board_rows` would send; what each agent waits for follows the sim's ground truth
 * (DESIGN's table). Deterministic but for the clock: a seeded PRNG, times counted back from now
 * (the page counts ages on from the rows' `at` by its own clock).
 */
import type { Agent, PrState, PullRequest } from "../../src/model/agent.ts";
import { boardRows, type BoardRowsAnswer } from "../../src/board/rows.ts";
import { pickJob, pickSummary, pickTopic, stateMessage } from "../../src/sim/seed.ts";
import { chatReason, type NormState, taskReason } from "../../src/sim/truth.ts";
import { Rng } from "../../src/sim/util.ts";
import { USAGE_LIMIT_DETAIL } from "../../src/backends/chats/state.ts";

const CODER = "https://coder.example.com";
const OWNERS = ["admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace"];

/** What the host hands the page as `fleet_board`'s result (the page reads coder and spend). */
export interface FixtureOverview {
  [key: string]: unknown;
  total: number;
  coder: { url: string; version: string; user: string };
  spend: { usd: number; limit_usd: number | null; period_end: string | null } | null;
}

/** Everything the fixture host serves: the page, the rows, the overview, and each agent. */
export interface BoardFixture {
  html: string;
  rows: BoardRowsAnswer;
  overview: FixtureOverview;
  agents: Record<string, Agent>;
}

function pick<T>(rng: Rng, weighted: readonly [T, number][]): T {
  let r = rng.next() * weighted.reduce((n, [, w]) => n + w, 0);
  for (const [v, w] of weighted) {
    r -= w;
    if (r < 0) return v;
  }
  return weighted[weighted.length - 1][0];
}

const TASK_STATES: [NormState, number][] = [
  ["working", 30],
  ["idle", 22],
  ["complete", 20],
  ["starting", 6],
  ["paused", 9],
  ["failed", 7],
  ["error", 4],
  ["unknown", 2],
];

const TASK_DETAIL: Record<NormState, string> = {
  starting: "initializing",
  working: "active/working",
  idle: "active/idle",
  complete: "active/complete",
  failed: "active/failed",
  paused: "paused",
  error: "error",
  unknown: "active/unknown",
};

/** A chat as Coder says it: status, its pull request's state if any, a usage_limit error. */
type ChatKind = [status: string, pr: PrState | null, usageLimit?: boolean];

const CHAT_KINDS: [ChatKind, number][] = [
  [["running", null], 24],
  [["running", "draft"], 5],
  [["running", "open"], 3],
  [["requires_action", null], 7],
  [["requires_action", "draft"], 2],
  [["waiting", "open"], 14],
  [["waiting", "draft"], 5],
  [["waiting", "merged"], 12],
  [["waiting", "closed"], 3],
  [["waiting", null], 13],
  [["paused", null], 3],
  [["error", null], 4],
  [["error", null, true], 3],
  [["queued", null], 2],
];

const DECISIONS = [
  "Needs approval to run: terraform apply on staging",
  "Asks which branch to target: main or release-3.2?",
  "Wants a decision: drop the legacy endpoint or keep it?",
  "Needs the result of a tool call it cannot make",
];

const ERRORS = [
  "Workspace agent disconnected",
  "Provider returned 529: overloaded",
  "Context window exceeded",
];

/** Builds agents whose times count back from `now`. */
class Maker {
  constructor(readonly rng: Rng, readonly now: number) {}
  /** A time between `minS` and `maxS` seconds ago, short ones likelier (log-uniform). */
  ago(minS: number, maxS: number): string {
    const s = minS * Math.exp(this.rng.next() * Math.log(maxS / minS));
    return new Date(this.now - Math.round(s) * 1000).toISOString();
  }
}

function pullRequest(rng: Rng, state: PrState, title: string): PullRequest {
  const number = rng.int(1200, 4800);
  const additions = Math.round(Math.exp(rng.next() * 6.5));
  return {
    number,
    state,
    title,
    url: `https://github.com/acme/webapp/pull/${number}`,
    draft: state === "draft",
    approved: state === "merged" ? true : state === "open" && rng.chance(0.3) ? true : null,
    changes_requested: state === "open" && rng.chance(0.15),
    additions,
    deletions: Math.round(additions * rng.next() * 0.6),
    changed_files: rng.int(1, 24),
  };
}

function task(m: Maker, i: number): Agent {
  const rng = m.rng;
  const state = pick(rng, TASK_STATES);
  const job = pickJob(rng);
  const owner = rng.pick(OWNERS);
  const id = rng.uuid();
  const name = `${job.base}-${i + 1}`;
  const since = state === "working" || state === "starting"
    ? m.ago(5, 1800)
    : state === "failed" || state === "error"
    ? m.ago(60, 86400)
    : m.ago(60, 3 * 86400);
  return {
    id,
    kind: "task",
    name,
    owner,
    state,
    detail: TASK_DETAIL[state],
    message: state === "starting" ? "" : state === "unknown" ? "" : stateMessage(rng, state),
    template: rng.pick(["claude-code", "aider", "goose"]),
    workspace: `${owner}-${name}`,
    created_at: m.ago(4 * 86400, 6 * 86400),
    updated_at: since,
    state_since: since,
    url: `${CODER}/tasks/${owner}/${id}`,
    labels: {},
    prompt: job.prompt,
    pr: null,
    waiting_for: taskReason(state),
  };
}

function chat(m: Maker): Agent {
  const rng = m.rng;
  const [status, prState, usageLimit] = pick(rng, CHAT_KINDS);
  const topic = pickTopic(rng);
  const owner = rng.pick(OWNERS);
  const id = rng.uuid();
  const raw = {
    status: status === "queued" ? "pending" : status,
    queued_for_capacity: status === "queued",
    diff_status: prState ? { pull_request_state: prState === "draft" ? "open" : prState } : null,
  };
  if (prState === "draft") (raw.diff_status as Record<string, unknown>).pull_request_draft = true;
  const state: Agent["state"] = status === "queued"
    ? "starting"
    : status === "running"
    ? "working"
    : status === "error"
    ? "error"
    : "idle";
  const since = state === "working" || state === "starting" ? m.ago(5, 2400) : m.ago(60, 3 * 86400);
  const message = status === "requires_action"
    ? rng.pick(DECISIONS)
    : usageLimit
    ? "Your AI budget for this period is spent"
    : status === "error"
    ? rng.pick(ERRORS)
    : status === "queued"
    ? ""
    : pickSummary(rng);
  return {
    id,
    kind: "chat",
    name: topic.title,
    owner,
    state,
    detail: usageLimit ? `error; ${USAGE_LIMIT_DETAIL}` : raw.status,
    message,
    created_at: m.ago(86400, 5 * 86400),
    updated_at: since,
    state_since: since,
    url: `${CODER}/agents/${id}`,
    labels: { team: rng.pick(["core", "infra", "web", "data"]) },
    prompt: topic.prompt,
    ...(status === "queued" ? { queued_for_capacity: true } : {}),
    pr: prState ? pullRequest(rng, prState, topic.title) : null,
    waiting_for: chatReason(raw),
  };
}

/**
 * The fleet: `tasks` tasks and `chats` chats (default 600 and 400), the same on every call but
 * for its times, which count back from `now`.
 */
export function fixtureAgents(now: number, tasks = 600, chats = 400, seed = 20): Agent[] {
  const m = new Maker(new Rng(seed), now);
  const out: Agent[] = [];
  for (let i = 0; i < tasks; i++) out.push(task(m, i));
  for (let i = 0; i < chats; i++) out.push(chat(m));
  return out;
}

/** The whole fixture, taken now: the page to host, the rows, the overview, the agents by id. */
export async function boardFixture(html: string): Promise<BoardFixture> {
  const now = Date.now();
  const agents = fixtureAgents(now);
  const rows = await boardRows(agents, now, CODER, []);
  const today = new Date(now);
  const monthEnd = Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 1);
  return {
    html,
    rows,
    overview: {
      total: agents.length,
      coder: { url: CODER, version: "v2.39.1", user: "admin" },
      // This month's spend against a $50 budget, as the sim's spend route has it.
      spend: { usd: 41.27, limit_usd: 50, period_end: new Date(monthEnd).toISOString() },
    },
    agents: Object.fromEntries(agents.map((a) => [a.id, a])),
  };
}
