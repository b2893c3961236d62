/** Mutants of Outcomes (issue 20): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

const UNIT = ["tests/backends/outcomes_test.ts"];
const E2E = ["tests/e2e/outcomes_e2e_test.ts"];

/** The list. */
export const OUTCOMES: Mutant[] = [
  // --- pr, waiting_for, their filters, the overview's counts and spend
  {
    id: "reason-task-paused-reply",
    breaks: "waiting_for table: a paused task waits for a reply, not a resume",
    file: "src/backends/tasks/state.ts",
    find: '    case "paused":\n      return "resume";',
    replace: '    case "paused":\n      return "reply";',
    tests: [...UNIT, ...E2E],
  },
  {
    id: "reason-task-error-unknown",
    breaks: "waiting_for table: a task in error waits on nothing known (null), not a fix",
    file: "src/backends/tasks/state.ts",
    find: '    case "failed":\n    case "error":\n      return "fix";',
    replace: '    case "failed":\n      return "fix";',
    tests: [...UNIT, ...E2E],
  },
  {
    id: "reason-chat-open-pr-reply",
    breaks: "waiting_for table: a waiting chat with an open PR waits for a reply, not a review",
    file: "src/backends/chats/state.ts",
    find: 'return pr === "draft" || pr === "open" ? "review"',
    replace: 'return pr === "draft" ? "review"',
    tests: UNIT,
  },
  {
    id: "reason-chat-merged-reply",
    breaks: "waiting_for table: a chat whose PR merged waits for a reply, not nothing",
    file: "src/backends/chats/state.ts",
    find: ': pr === "merged" ? "nothing" : "reply";',
    replace: ': "reply";',
    tests: UNIT,
  },
  {
    id: "reason-chat-action-reply",
    breaks: "waiting_for table: requires_action waits for a reply, not a decision",
    file: "src/backends/chats/state.ts",
    find: '    case "requires_action":\n      return "action";',
    replace: '    case "requires_action":\n      return "reply";',
    tests: UNIT,
  },
  {
    id: "reason-queued-chat-counted",
    breaks: "a chat waiting for a licence slot is said to wait on the caller",
    file: "src/backends/chats/state.ts",
    find: "  if (queued === true) return null;\n  switch (status) {",
    replace: "  switch (status) {",
    tests: UNIT,
  },
  {
    id: "pr-draft-flag-ignored",
    breaks: "an open PR marked draft counts as open",
    file: "src/backends/chats/state.ts",
    find:
      '  if (word === "draft" || (word === "open" && field(d, "pull_request_draft") === true)) {',
    replace: '  if (word === "draft") {',
    tests: UNIT,
  },
  {
    id: "pr-javascript-url",
    breaks: "a PR url of any scheme (javascript:) reaches get_agent",
    file: "src/backends/chats/state.ts",
    find: '  return /^https?:\\/\\/[^\\s]+$/i.test(s) ? s : "";',
    replace: "  return s;",
    tests: UNIT,
  },
  {
    id: "usage-limit-silent",
    breaks: "a chat whose AI budget is spent does not say so in detail",
    file: "src/backends/chats/mapping.ts",
    find: '    this.#detail = state === "error" && kind === "usage_limit"',
    replace: '    this.#detail = state === "error" && kind === "usage_limit!"',
    tests: UNIT,
  },
  {
    id: "filter-waiting-for-ignored",
    breaks: "list_agents waiting_for matches every agent",
    file: "src/fleet/fleet.ts",
    find: "    (!waiting || (a.waiting_for !== null && waiting.has(a.waiting_for))) &&",
    replace: "",
    tests: E2E,
  },
  {
    id: "filter-pr-none-ignored",
    breaks: "list_agents pr: none does not match agents without a PR",
    file: "src/fleet/fleet.ts",
    find: '    (!prs || prs.has(a.pr?.state ?? "none")) &&',
    replace: "    (!prs || (a.pr !== null && prs.has(a.pr.state))) &&",
    tests: E2E,
  },
  {
    id: "overview-attention-no-urgency",
    breaks: "fleet_overview's attention puts decisions and failures among the rest",
    file: "src/tools/fleet_overview.ts",
    find: '  return w === "action" || w === "fix" ? 0 : 1;',
    replace: "  return 0;",
    tests: ["tests/e2e/reading_e2e_test.ts"],
  },
  {
    id: "overview-by-reason-skips-fix",
    breaks: "fleet_overview's by_waiting_for leaves out failed agents",
    file: "src/tools/fleet_overview.ts",
    find: "      if (a.waitingFor) by_waiting_for[a.waitingFor]++;",
    replace: '      if (a.waitingFor && a.waitingFor !== "fix") by_waiting_for[a.waitingFor]++;',
    tests: E2E,
  },
  {
    id: "spend-asked-every-call",
    breaks: "a Coder without AI spend (403/404) is asked again on every overview",
    file: "src/fleet/spend.ts",
    find: "        this.#available = false;\n",
    replace: "",
    tests: E2E,
  },
  {
    id: "spend-limit-dropped",
    breaks: "fleet_overview's spend says unlimited where Coder gives a budget",
    file: "src/fleet/spend.ts",
    find: 'limit_usd: typeof limit === "number" ? usd(limit) : null,',
    replace: "limit_usd: null,",
    tests: E2E,
  },
];
