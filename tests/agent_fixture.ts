/**
 * One agent for unit tests: every field of the model filled with a neutral value, so a test names
 * only the fields it is about (`anAgent({ state: "error" })`).
 */
import type { Agent, PullRequest } from "../src/model/agent.ts";

/** An idle task of alice's with no message, labels, PR or reason; `patch` overrides any field. */
export function anAgent(patch: Partial<Agent> = {}): Agent {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    kind: "task",
    name: "n",
    owner: "alice",
    state: "idle",
    detail: "",
    message: "",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    state_since: "2026-01-01T00:00:00Z",
    url: "",
    labels: {},
    pr: null,
    waiting_for: null,
    ...patch,
  };
}

/** Pull request #1 in `state`, with no title, url, review or changes; `patch` overrides any field. */
export function aPr(state: PullRequest["state"], patch: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 1,
    state,
    title: "",
    url: "",
    draft: false,
    approved: null,
    changes_requested: false,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    ...patch,
  };
}

/** The n-th fixture UUID: `00000000-0000-4000-8000-` and n on 12 digits. */
export const fixtureId = (n: number): string =>
  `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
