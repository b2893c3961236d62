import assert from "node:assert/strict";
import { taskState, taskWaitingFor } from "../../../src/backends/tasks/state.ts";
import { isoTime } from "../../../src/model/time.ts";
import type { TaskStateInput } from "../../../src/backends/tasks/state.ts";
import { AGENT_STATES, type AgentState } from "../../../src/model/agent.ts";
import type { TaskStatus } from "../../../src/backends/tasks/api.ts";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const CREATED = "2026-03-01T11:00:00Z";
const UPDATED = "2026-03-01T11:50:00Z";
const REPORTED = "2026-03-01T11:55:00Z";
const LONG_AFTER = T0; // 10 minutes after UPDATED
// DESIGN.md's numbers, as literals: the implementation's own constants would follow a wrong value.
/** "active with no state for 30 s" counts as idle. */
const NO_STATE_IDLE_MS = 30_000;
/** "within 5 minutes of the task's latest start it counts as starting". */
const ERROR_GRACE_MS = 300_000;

function task(
  status: string,
  state?: string,
  extra: Partial<TaskStateInput> = {},
): TaskStateInput {
  return {
    status: status as TaskStatus,
    created_at: CREATED,
    updated_at: UPDATED,
    current_state: state === undefined ? null : { state, timestamp: REPORTED },
    ...extra,
  };
}

Deno.test("taskState: every row of the DESIGN.md task column", async (t) => {
  const rows: [string, string | undefined, AgentState, string][] = [
    ["pending", undefined, "starting", "pending"],
    ["initializing", undefined, "starting", "initializing"],
    ["active", "working", "working", "active/working"],
    ["active", "idle", "idle", "active/idle"],
    ["active", "complete", "complete", "active/complete"],
    ["active", "completed", "complete", "active/complete"],
    ["active", "failed", "failed", "active/failed"],
    ["active", "failure", "failed", "active/failed"],
    ["paused", undefined, "paused", "paused"],
    ["paused", "idle", "paused", "paused"],
    ["error", undefined, "error", "error"],
    ["unknown", undefined, "unknown", "unknown"],
    ["something-new", undefined, "unknown", "unknown"],
  ];
  for (const [status, state, want, detail] of rows) {
    await t.step(`${status}${state ? "+" + state : ""} -> ${want}`, () => {
      const got = taskState(task(status, state), LONG_AFTER);
      assert.equal(got.state, want);
      assert.equal(got.detail, detail);
    });
  }
});

Deno.test("taskState: older servers' WorkspaceStatus words", async (t) => {
  const rows: [string, string | undefined, AgentState][] = [
    ["running", "idle", "idle"],
    ["running", "working", "working"],
    ["starting", undefined, "starting"],
    ["pending", undefined, "starting"],
    ["failed", undefined, "error"],
    ["stopped", undefined, "paused"],
    ["stopping", undefined, "paused"],
    ["deleted", undefined, "unknown"],
  ];
  for (const [status, state, want] of rows) {
    await t.step(`${status} -> ${want}`, () => {
      assert.equal(taskState(task(status, state), LONG_AFTER).state, want);
    });
  }
});

Deno.test("taskState: active with no reported state", async (t) => {
  const base = Date.parse(UPDATED);
  await t.step("under 30 s since updated_at: starting", () => {
    const got = taskState(task("active"), base + NO_STATE_IDLE_MS - 1);
    assert.equal(got.state, "starting");
    assert.equal(got.detail, "active");
  });
  await t.step("30 s or more since updated_at: idle", () => {
    assert.equal(taskState(task("active"), base + NO_STATE_IDLE_MS).state, "idle");
  });
  await t.step("falls back to created_at when updated_at is absent", () => {
    const t2 = task("active", undefined, { updated_at: undefined });
    assert.equal(taskState(t2, Date.parse(CREATED) + 1_000).state, "starting");
    assert.equal(taskState(t2, Date.parse(CREATED) + NO_STATE_IDLE_MS).state, "idle");
  });
  await t.step("a current_state with an empty state word counts as no state", () => {
    const t2 = task("active", "", {});
    assert.equal(taskState(t2, base + 1_000).state, "starting");
  });
  await t.step("an unrecognised state word is unknown", () => {
    const got = taskState(task("active", "dreaming"), LONG_AFTER);
    assert.equal(got.state, "unknown");
    assert.equal(got.detail, "active/dreaming");
  });
});

Deno.test("taskState: error within 5 minutes of the latest start counts as starting", async (t) => {
  const base = Date.parse(UPDATED);
  await t.step("just after updated_at: starting", () => {
    const got = taskState(task("error"), base + ERROR_GRACE_MS - 1);
    assert.equal(got.state, "starting");
    assert.equal(got.detail, "error");
  });
  await t.step("5 minutes after updated_at: error", () => {
    assert.equal(taskState(task("error"), base + ERROR_GRACE_MS).state, "error");
  });
  await t.step("created_at is used when updated_at is absent", () => {
    const t2 = task("error", undefined, { updated_at: undefined });
    assert.equal(taskState(t2, Date.parse(CREATED) + 60_000).state, "starting");
    assert.equal(taskState(t2, Date.parse(CREATED) + ERROR_GRACE_MS + 1).state, "error");
  });
  await t.step("v2.27 'failed' gets the same grace", () => {
    assert.equal(taskState(task("failed"), base + 1_000).state, "starting");
  });
});

Deno.test("taskState: since", async (t) => {
  await t.step("current_state.timestamp for reported states, as ISO UTC", () => {
    const got = taskState(
      task("active", "idle", {
        current_state: { state: "idle", timestamp: "2025-11-10T11:40:12.875825+01:00" },
      }),
      LONG_AFTER,
    );
    assert.equal(got.since, "2025-11-10T10:40:12.875Z");
  });
  await t.step("updated_at when there is no current_state", () => {
    assert.equal(taskState(task("pending"), LONG_AFTER).since, "2026-03-01T11:50:00.000Z");
  });
  await t.step("a paused task's older report does not move since back", () => {
    const got = taskState(
      task("paused", "idle", { current_state: { state: "idle", timestamp: CREATED } }),
      LONG_AFTER,
    );
    assert.equal(got.since, "2026-03-01T11:50:00.000Z");
  });
});

Deno.test("isoTime: any RFC 3339 to ISO UTC, fallback when unparseable", () => {
  assert.equal(isoTime("2025-11-10T10:40:10.44468609Z"), "2025-11-10T10:40:10.444Z");
  assert.equal(isoTime("2025-11-10T11:38:10.64715+01:00"), "2025-11-10T10:38:10.647Z");
  assert.equal(isoTime(undefined, "x"), "x");
  assert.equal(isoTime("not a time", "fallback"), "fallback");
});

Deno.test("taskWaitingFor: DESIGN's waiting_for table, task column", () => {
  const want: Record<AgentState, string | null> = {
    starting: null,
    working: null,
    idle: "reply",
    complete: "nothing",
    failed: "fix",
    paused: "resume",
    error: "fix",
    unknown: null,
  };
  for (const state of AGENT_STATES) assert.equal(taskWaitingFor(state), want[state], state);
});
