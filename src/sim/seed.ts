/**
 * Content of the simulated fleet: task names and prompts, status messages, terminal-like log
 * screens, chat titles, labels and assistant turns. Everything is drawn from a seeded PRNG.
 */
import type { Rng } from "./util.ts";

const JOBS: readonly [string, string][] = [
  ["fix-login-bug", "Fix the login bug where users with SSO get redirected to a blank page."],
  ["add-rate-limiter", "Add a token-bucket rate limiter to the public REST API."],
  ["refactor-billing-api", "Refactor the billing API handlers into a service layer with tests."],
  ["update-deps", "Update all npm dependencies and fix any breaking changes."],
  ["write-e2e-tests", "Write Playwright end-to-end tests for the checkout flow."],
  ["migrate-db-schema", "Write a migration that splits the users table into users and profiles."],
  ["speed-up-ci", "Find out why CI takes 25 minutes and cut it below 10."],
  ["flaky-test-hunt", "Find and fix the flaky test in the payments package."],
  ["docs-quickstart", "Rewrite the quickstart guide so a new user succeeds in five minutes."],
  ["add-dark-mode", "Add a dark mode toggle to the settings page."],
  ["fix-memory-leak", "Track down the memory leak in the websocket gateway."],
  ["cleanup-feature-flags", "Remove feature flags that have been at 100% for a month."],
  ["audit-logging", "Add audit log entries for every admin action."],
  ["k8s-helm-chart", "Create a Helm chart for the worker service."],
  ["i18n-support", "Extract UI strings and add French translations."],
  ["pagination-api", "Add cursor pagination to the /orders endpoint."],
];

/** A task name base and prompt. */
export function pickJob(rng: Rng): { base: string; prompt: string } {
  const [base, prompt] = rng.pick(JOBS);
  return { base, prompt };
}

const WORKING = [
  "Reading the codebase to understand the request flow",
  "Running the test suite",
  "Editing src/server/handlers.ts",
  "Investigating the failing assertion in payments_test",
  "Writing unit tests for the new service layer",
  "Bisecting the regression between v1.8 and v1.9",
];
const IDLE = [
  "Waiting for input: should I also update the API docs?",
  "Done with the first pass; which branch should I push to?",
  "Ready for the next instruction",
  "Need a decision: keep backwards compatibility or not?",
];
const COMPLETE = [
  "Opened a pull request with the fix and tests",
  "All tests pass; changes pushed to the feature branch",
  "Finished: migration written and verified locally",
];
const FAILED = [
  "Blocked: DATABASE_URL is not set in the workspace",
  "Cannot reproduce the bug; need a failing example",
  "Tests fail on main before my change; need guidance",
];

/** A status message for a task state. */
export function stateMessage(rng: Rng, state: string): string {
  switch (state) {
    case "working":
      return rng.pick(WORKING);
    case "idle":
      return rng.pick(IDLE);
    case "complete":
      return rng.pick(COMPLETE);
    default:
      return rng.pick(FAILED);
  }
}

/** A plausible status link for a state (complete tasks point at a pull request). */
export function stateUri(rng: Rng, state: string): string {
  return state === "complete" ? `https://github.com/acme/webapp/pull/${rng.int(100, 999)}` : "";
}

const WIDTH = 67;

/** Right-pad every line to the terminal width, as the Claude Code TUI snapshots are. */
export function screen(lines: string[]): string {
  return lines.map((l) => l.length >= WIDTH ? l : l + " ".repeat(WIDTH - l.length)).join("\n");
}

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = indent + word;
    } else {
      line = line ? line + " " + word : word;
    }
  }
  if (line) out.push(line);
  return out;
}

function centered(text: string): string {
  const inner = WIDTH - 2;
  const left = Math.floor((inner - text.length) / 2);
  return "│" + " ".repeat(left) + text + " ".repeat(inner - left - text.length) + "│";
}

/** The welcome screen an agent shows when it starts, with the prompt echoed. */
export function welcomeScreen(prompt: string, modelName: string): string {
  const top = "╭─ Claude Code " + "─".repeat(WIDTH - 16) + "╮";
  const bottom = "╰" + "─".repeat(WIDTH - 2) + "╯";
  return screen([
    top,
    centered(""),
    centered("Welcome back!"),
    centered(""),
    centered(modelName),
    centered("/workspaces/webapp"),
    centered(""),
    bottom,
    "",
    ...wrap("> " + prompt, WIDTH - 2, "  "),
    "",
  ]);
}

/** A screen of agent output after working on `input`, ending with `summary`. */
export function workScreen(rng: Rng, input: string, summary: string): string {
  const file = rng.pick(["src/server/handlers.ts", "src/lib/auth.ts", "tests/api_test.ts"]);
  return screen([
    ...wrap("> " + input, WIDTH - 2, "  "),
    "",
    ...wrap("● I'll start by looking at the relevant code.", WIDTH - 2, "  "),
    "",
    `● Read(${file})`,
    `  ⎿  Read ${rng.int(40, 400)} lines`,
    "",
    `● Bash(deno test -A)`,
    `  ⎿  ok | ${rng.int(10, 90)} passed | 0 failed (${rng.int(1, 9)}s)`,
    "",
    ...wrap("● " + summary, WIDTH - 2, "  "),
    "",
  ]);
}

const CHAT_TOPICS: readonly [string, string][] = [
  ["Investigate flaky CI on main", "CI on main fails about one run in five. Find out why."],
  ["Add OpenTelemetry tracing", "Add OpenTelemetry tracing to the HTTP server and the DB layer."],
  ["Review auth middleware", "Review the auth middleware for security issues."],
  ["Upgrade to Postgres 16", "Plan and test the upgrade from Postgres 14 to 16."],
  ["Write release notes", "Draft the release notes for v3.2 from the merged PRs."],
  ["Fix N+1 queries in orders", "The orders page issues hundreds of queries. Fix the N+1s."],
  ["Port build to Bazel", "Evaluate porting the monorepo build to Bazel."],
  ["Triage open bugs", "Go through open bugs labelled needs-triage and propose priorities."],
  ["Harden Dockerfile", "Make the production Dockerfile rootless and smaller."],
  ["Explain the scheduler", "Explain how the job scheduler picks the next job."],
];

/** A chat title and first message. */
export function pickTopic(rng: Rng): { title: string; prompt: string } {
  const [title, prompt] = rng.pick(CHAT_TOPICS);
  return { title, prompt };
}

/** Chat labels like `{"team":"core","priority":"high"}` (sometimes none). */
export function pickLabels(rng: Rng): Record<string, string> {
  if (rng.chance(0.15)) return {};
  const labels: Record<string, string> = {
    team: rng.pick(["core", "infra", "web", "data"]),
  };
  if (rng.chance(0.7)) labels.priority = rng.pick(["high", "medium", "low"]);
  if (rng.chance(0.3)) labels.source = "fleet";
  return labels;
}

const FOLLOW_UPS = [
  "Also add tests for the edge cases.",
  "Can you keep the public API unchanged?",
  "Please push it to a branch and summarize.",
  "What did you find so far?",
];

/** A follow-up user message. */
export function pickFollowUp(rng: Rng): string {
  return rng.pick(FOLLOW_UPS);
}

const SUMMARIES = [
  "Found the root cause and proposed a fix",
  "Implemented the change and all tests pass",
  "Summarized findings; waiting for your decision",
  "Opened a draft pull request",
  "Need credentials for the staging database",
];

/** A one-line turn summary. */
export function pickSummary(rng: Rng): string {
  return rng.pick(SUMMARIES);
}

/** One part of a chat message, as codersdk.ChatMessagePart. */
export type Part = Record<string, unknown>;

/** The messages of one assistant turn: assistant (reasoning, text, tool-call), tool, assistant. */
export function assistantTurn(
  rng: Rng,
  userText: string,
  summary: string,
  at: number,
  time: (ms: number) => string,
  from = at - 4000,
): { role: "assistant" | "tool"; parts: Part[]; at: number }[] {
  const callId = `toolu_${rng.hex(20)}`;
  const tool = rng.pick(["execute", "read_file", "search"]);
  const args = tool === "execute"
    ? { command: "git log --oneline -5" }
    : tool === "read_file"
    ? { path: "/home/coder/webapp/src/server.ts" }
    : { query: userText.split(" ").slice(0, 3).join(" ") };
  const span = Math.min(4000, Math.max(0, at - from));
  const t0 = at - span;
  return [
    {
      role: "assistant",
      at: t0,
      parts: [
        {
          type: "reasoning",
          text: `The user asked: "${userText.slice(0, 60)}". I should look at the code first.`,
          created_at: time(t0),
          completed_at: time(t0 + span * 0.2),
        },
        { type: "text", text: "Let me look at the relevant code first." },
        {
          type: "tool-call",
          tool_call_id: callId,
          tool_name: tool,
          args,
          created_at: time(t0 + span * 0.25),
        },
      ],
    },
    {
      role: "tool",
      at: t0 + span * 0.5,
      parts: [{
        type: "tool-result",
        tool_call_id: callId,
        tool_name: tool,
        result: { output: tool === "execute" ? "a1b2c3d fix: guard nil session\n" : "ok" },
        is_error: false,
        created_at: time(t0 + span * 0.5),
      }],
    },
    {
      role: "assistant",
      at,
      parts: [{
        type: "text",
        text: `${summary}.\n\nDetails: I checked ${tool} output and ${
          rng.pick(["updated two files", "found nothing unusual", "ran the tests"])
        }.`,
      }],
    },
  ];
}

/** Plain text of message parts. */
export function textOf(parts: Part[]): string {
  return parts.map((p) => (typeof p.text === "string" ? p.text : "")).filter(Boolean).join("\n");
}
