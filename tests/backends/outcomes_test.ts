/**
 * What each agent produced and what it waits on, from Coder's wire objects to the agent: DESIGN.md's
 * `waiting_for` table row by row for both back ends, and a chat's pull request from `diff_status`.
 */
import assert from "node:assert/strict";
import { normalizeTask, TaskWire } from "../../src/backends/tasks/api.ts";
import { ChatWire, normalizeChat } from "../../src/backends/chats/api.ts";
import { chatSummary, chatToAgent } from "../../src/backends/chats/mapping.ts";
import { chatPr, chatStateWord, QUEUED_DETAIL } from "../../src/backends/chats/state.ts";
import { taskSummary, taskToAgent } from "../../src/backends/tasks/mapping.ts";
import { toRow } from "../../src/model/agent.ts";
import { rowLine } from "../../src/tools/format.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const ctx = { dashboardUrl: "https://coder.example", now: () => NOW };
const CREATED = "2026-03-01T10:00:00Z";
const UPDATED = "2026-03-01T11:00:00Z";

function task(status: string, state?: string) {
  return normalizeTask(TaskWire.parse({
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    name: "fix-login",
    owner_name: "alice",
    status,
    current_state: state ? { state, timestamp: UPDATED, message: "m" } : null,
    created_at: CREATED,
    updated_at: UPDATED,
  }));
}

function chat(status: string, extra: Record<string, unknown> = {}) {
  return normalizeChat(ChatWire.parse({
    id: "bbbbbbbb-0000-4000-8000-000000000002",
    title: "Fix the build",
    owner_username: "alice",
    status,
    created_at: CREATED,
    updated_at: UPDATED,
    ...extra,
  }));
}

const diff = (state: string, more: Record<string, unknown> = {}) => ({
  diff_status: {
    chat_id: "bbbbbbbb-0000-4000-8000-000000000002",
    url: "https://github.com/acme/app/pull/412",
    pull_request_state: state,
    pull_request_title: "Fix the build",
    pull_request_draft: false,
    changes_requested: false,
    additions: 120,
    deletions: 8,
    changed_files: 3,
    pr_number: 412,
    ...more,
  },
});

Deno.test("waiting_for: every row of DESIGN.md's task column", async (t) => {
  const rows: [string, string | undefined, string | null][] = [
    ["active", "idle", "reply"],
    ["active", "failed", "fix"],
    ["active", "failure", "fix"],
    ["error", undefined, "fix"], // an hour after its start: past the grace
    ["paused", undefined, "resume"],
    ["active", "complete", "nothing"],
    ["active", "completed", "nothing"],
    // not settled, or unknown: null
    ["active", "working", null],
    ["pending", undefined, null],
    ["initializing", undefined, null],
    ["unknown", undefined, null],
  ];
  for (const [status, state, want] of rows) {
    await t.step(`${status}${state ? `/${state}` : ""} -> ${want}`, () => {
      const a = taskToAgent(task(status, state), ctx);
      assert.equal(a.waiting_for, want);
      assert.equal(taskSummary(task(status, state), ctx).waitingFor, want);
      assert.equal(a.pr, null, "tasks have no pull request");
    });
  }
});

Deno.test("waiting_for: every row of DESIGN.md's chat column", async (t) => {
  const rows: [string, Record<string, unknown>, string | null][] = [
    ["requires_action", {}, "action"],
    ["requires_action", diff("open"), "action"],
    ["waiting", {}, "reply"],
    ["waiting", diff("closed"), "reply"],
    ["paused", {}, "reply"],
    ["paused", diff("open"), "reply"], // a queued message is being edited: its PR waits
    ["waiting", diff("open"), "review"],
    ["waiting", diff("draft"), "review"],
    ["waiting", diff("open", { pull_request_draft: true }), "review"],
    ["error", {}, "fix"],
    ["error", diff("merged"), "fix"],
    ["waiting", diff("merged"), "nothing"],
    // not settled, or unknown: null
    ["running", diff("open"), null],
    ["interrupting", {}, null],
    ["waiting", { queued_for_capacity: true }, null],
    ["hibernating", {}, null],
  ];
  for (const [status, extra, want] of rows) {
    const label = `${status} ${JSON.stringify(extra).slice(0, 60)} -> ${want}`;
    await t.step(label, () => {
      assert.equal(chatToAgent(chat(status, extra), ctx).waiting_for, want);
      assert.equal(chatSummary(chat(status, extra), ctx).waitingFor, want);
    });
  }
});

Deno.test("pr: a chat's pull request from diff_status", async (t) => {
  await t.step("every field, and the compact row and text", () => {
    const a = chatToAgent(chat("waiting", diff("open", { approved: true })), ctx);
    assert.deepEqual(a.pr, {
      number: 412,
      state: "open",
      title: "Fix the build",
      url: "https://github.com/acme/app/pull/412",
      draft: false,
      approved: true,
      changes_requested: false,
      additions: 120,
      deletions: 8,
      changed_files: 3,
    });
    const row = toRow(a);
    assert.deepEqual(row.pr, { number: 412, state: "open", additions: 120, deletions: 8 });
    assert.equal(row.waiting_for, "review");
    assert.match(rowLine(row, NOW), /\| PR #412 open \+120 -8( \||$)/);
    assert.match(rowLine(row, NOW), /^- idle \(review\) 1h \|/);
  });
  await t.step("states in any case; an open draft is a draft", () => {
    for (
      const [word, draft, want] of [
        ["OPEN", false, "open"],
        ["Merged", false, "merged"],
        ["closed", false, "closed"],
        ["draft", false, "draft"],
        ["open", true, "draft"],
      ] as const
    ) {
      const a = chatToAgent(chat("waiting", diff(word, { pull_request_draft: draft })), ctx);
      assert.equal(a.pr?.state, want, word);
      assert.equal(a.pr?.draft, want === "draft");
      assert.equal(
        chatSummary(chat("waiting", diff(word, { pull_request_draft: draft })), ctx)
          .prState,
        want,
      );
    }
  });
  await t.step("no pull request: no diff status, a branch only, or a state nobody knows", () => {
    for (
      const extra of [
        {},
        { diff_status: null },
        { diff_status: "open" },
        { diff_status: { url: "https://github.com/acme/app/tree/fix", additions: 3 } },
        diff("reopened-ish"),
      ]
    ) {
      const a = chatToAgent(chat("waiting", extra), ctx);
      assert.equal(a.pr, null, JSON.stringify(extra));
      assert.equal(a.waiting_for, "reply");
      assert.equal(toRow(a).pr, undefined);
    }
  });
  await t.step("odd fields are read safely: no number, a javascript: url, negative counts", () => {
    const a = chatToAgent(
      chat(
        "waiting",
        diff("merged", {
          pr_number: null,
          url: "javascript:alert(1)",
          additions: -4,
          deletions: "many",
          pull_request_title: "line one\n\u202eline two",
        }),
      ),
      ctx,
    );
    assert.equal(a.pr?.number, null);
    assert.equal(a.pr?.url, "");
    assert.equal(a.pr?.additions, 0);
    assert.equal(a.pr?.deletions, 0);
    assert.equal(a.pr?.title, "line one line two");
    assert.match(rowLine(toRow(a), NOW), /\| PR merged \+0 -0( \||$)/);
  });
});

Deno.test("pr: the words and fields that are not quite right", async (t) => {
  const pr = (more: Record<string, unknown>, state = "open") =>
    chatToAgent(chat("waiting", diff(state, more)), ctx).pr;
  await t.step("a state word with spaces around it; a merged one marked draft is merged", () => {
    assert.equal(pr({}, " open ")?.state, "open");
    assert.equal(pr({ pull_request_draft: true }, "merged")?.state, "merged");
    assert.equal(pr({ pull_request_draft: true }, "closed")?.state, "closed");
    assert.equal(chatPr({}), null, "no pull request, no object");
    assert.equal(chatPr({ pull_request_state: "" }), null);
  });
  await t.step("the number: a whole number above 0, nothing else", () => {
    for (const bad of ["412", 412.5, 0, -1, Number.MAX_SAFE_INTEGER + 2]) {
      assert.equal(pr({ pr_number: bad })?.number, null, String(bad));
    }
    assert.equal(pr({ pr_number: 1 })?.number, 1);
  });
  await t.step("counts: finite numbers of 0 or more, rounded down; anything else 0", () => {
    const p = pr({ additions: "7", deletions: -0.5, changed_files: 2.9 });
    assert.deepEqual([p?.additions, p?.deletions, p?.changed_files], [0, 0, 2]);
  });
  await t.step("approval is a boolean or null; changes requested only when true", () => {
    assert.equal(pr({ approved: "yes" })?.approved, null);
    assert.equal(pr({})?.approved, null);
    assert.equal(pr({ approved: false })?.approved, false);
    assert.equal(pr({ changes_requested: true })?.changes_requested, true);
    assert.equal(pr({ changes_requested: "yes" })?.changes_requested, false);
  });
  await t.step("the title and the url are capped", () => {
    assert.equal(pr({ pull_request_title: "t".repeat(250) })?.title, "t".repeat(199) + "…");
    const url = "https://github.com/acme/app/pull/" + "9".repeat(600);
    assert.equal(pr({ url })?.url, url.slice(0, 499) + "…");
    assert.equal(pr({ url: "ftp://x.test/pr" })?.url, "");
  });
});

Deno.test("detail: a chat's status word, capped; a queued chat's says what it waits for", () => {
  assert.equal(chatStateWord("x".repeat(50)).detail, "x".repeat(39) + "…");
  assert.equal(chatStateWord("x".repeat(50)).state, "unknown");
  assert.deepEqual(chatStateWord(null, true), {
    state: "starting",
    detail: `unknown; ${QUEUED_DETAIL}`,
  });
  assert.equal(chatStateWord("running", true).detail, `running; ${QUEUED_DETAIL}`);
  assert.deepEqual(chatStateWord(undefined), { state: "unknown", detail: "unknown" });
});

Deno.test("detail: a chat whose budget is spent says so", () => {
  const spent = chatToAgent(
    chat("error", { last_error: { message: "Usage limit exceeded.", kind: "usage_limit" } }),
    ctx,
  );
  assert.equal(spent.state, "error");
  assert.equal(spent.waiting_for, "fix");
  assert.match(spent.detail, /^error; .*budget .*spent/);
  const other = chatToAgent(
    chat("error", { last_error: { message: "Overloaded.", kind: "overloaded" } }),
    ctx,
  );
  assert.equal(other.detail, "error");
});
