import assert from "node:assert/strict";
import { CoderClient, CoderError } from "../../../src/coder/http.ts";
import {
  createTask,
  getTask,
  getTaskLogs,
  isBusyError,
  listTasks,
  normalizeTaskState,
  normalizeTaskStatus,
  sendTaskInput,
  TaskLogsSchema,
  TaskSchema,
  TasksListSchema,
  updateTaskInput,
} from "../../../src/backends/tasks/api.ts";
import {
  listAiTemplates,
  listPresets,
  PresetSchema,
  TemplateSchema,
} from "../../../src/backends/tasks/templates_api.ts";
import { AgentBusyError, FleetError } from "../../../src/model/backend.ts";
import type { Agent } from "../../../src/model/agent.ts";
import type { LogPage } from "../../../src/model/backend.ts";
import { pageTaskLogs, TasksBackend } from "../../../src/backends/tasks/backend.ts";
import { sentJson } from "../../coder/local_server.ts";
import { InvalidSegmentError } from "../../../src/coder/errors.ts";
import { pause, until } from "../../deadline.ts";

// ---------------------------------------------------------------------------------------------
// Fixtures: real v2.27 exchanges (copied from coder-api/recorded/samples.json) and swagger-shaped
// v2.29+ bodies.

interface Sample {
  route: string;
  status: number;
  request: { method: string; path: string; query: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

async function fixture(name: string): Promise<Sample> {
  const url = new URL(`../../fixtures/tasks/${name}.json`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url));
}

const TOKEN = "secret-session-token-value";
const ME = { id: "11111111-1111-4111-8111-111111111111", username: "alice" };
const NOW = Date.parse("2026-03-01T12:00:00Z");

/** A v2.29+ task, exactly as the swagger shapes it. */
function v229Task(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    name: "fix-login",
    display_name: "Fix login",
    organization_id: "0rg00000-0000-4000-8000-000000000000",
    owner_id: ME.id,
    owner_name: "alice",
    owner_avatar_url: "",
    template_id: "7e000000-0000-4000-8000-000000000001",
    template_name: "claude-code",
    template_display_name: "Claude Code",
    template_icon: "",
    template_version_id: "7e000000-0000-4000-8000-0000000000v1",
    workspace_id: { uuid: "00000000-0000-4000-8000-00000000ws01", valid: true },
    workspace_name: "alice-fix-login",
    workspace_agent_id: { uuid: "00000000-0000-4000-8000-00000000ag01", valid: true },
    workspace_agent_lifecycle: "ready",
    workspace_agent_health: { healthy: true, reason: "" },
    workspace_app_id: { uuid: "00000000-0000-0000-0000-000000000000", valid: false },
    workspace_build_number: 3,
    workspace_status: "running",
    initial_prompt: "Fix the login bug",
    status: "active",
    current_state: {
      timestamp: "2026-03-01T11:58:00Z",
      state: "idle",
      message: "Done \u001b[31mreading\u001b[0m the code",
      uri: "https://github.com/x/y/pull/1",
    },
    created_at: "2026-03-01T11:00:00Z",
    updated_at: "2026-03-01T11:50:00Z",
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------
// A stub fetch: routes by `METHOD /path`, records every call.

interface Call {
  method: string;
  path: string;
  q: string | null;
  body: unknown;
}
type Answer = { status: number; body?: unknown };
type Handler = (call: Call) => Answer | Promise<Answer>;

/**
 * Requests that reached a stub without the session token. An assertion inside the stub would be
 * swallowed (the client turns a throwing fetch into a network error, which tests of failures
 * accept), so they are recorded here and checked by the last test of this file.
 */
const TOKEN_PROBLEMS: string[] = [];
let stubbedRequests = 0;

function stub(routes: Record<string, Handler | Answer>) {
  const calls: Call[] = [];
  const fetchStub: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    stubbedRequests++;
    const got = headers.get("Coder-Session-Token");
    if (got !== TOKEN) {
      TOKEN_PROBLEMS.push(`${init?.method ?? "GET"} ${url.pathname}: token ${JSON.stringify(got)}`);
    }
    const call: Call = {
      method: init?.method ?? "GET",
      path: url.pathname,
      q: url.searchParams.get("q"),
      body: await sentJson(init),
    };
    calls.push(call);
    const route = routes[`${call.method} ${call.path}`];
    const ans: Answer = route === undefined
      ? { status: 404, body: { message: "Route not found." } }
      : typeof route === "function"
      ? await route(call)
      : route;
    if (ans.body === undefined || ans.body === "") {
      return new Response(null, { status: ans.status });
    }
    return new Response(JSON.stringify(ans.body), {
      status: ans.status,
      headers: { "Content-Type": "application/json; charset=utf-8" },
    });
  };
  const client = new CoderClient({
    url: "https://coder.example.com",
    token: TOKEN,
    fetch: fetchStub,
    retries: 0,
  });
  return { client, calls };
}

function backend(client: CoderClient, prefix = "/api/v2", version?: string) {
  return new TasksBackend({
    client,
    prefix,
    dashboardUrl: "https://coder.example.com",
    me: ME,
    now: () => NOW,
    ...(version ? { version } : {}),
  });
}

const NOT_FOUND = {
  status: 404,
  body: { message: "Resource not found or you do not have access to this resource" },
};

// ---------------------------------------------------------------------------------------------
// Schemas

Deno.test("TaskSchema parses the real v2.27 task GET", async () => {
  const s = await fixture("v227_task_get_200");
  const t = TaskSchema.parse(s.response.body);
  assert.equal(t.id, "5d9aa1c3-c2a1-4205-875e-978ba2189bbf");
  assert.equal(t.workspace_id, "5d9aa1c3-c2a1-4205-875e-978ba2189bbf"); // plain string id
  assert.equal(t.workspace_agent_id, "c15a59b8-2d04-4016-8eaa-8449da9373f9");
  assert.equal(t.workspace_app_id, undefined); // absent on v2.27
  assert.equal(t.status, "active"); // WorkspaceStatus `running`
  assert.equal(t.status_raw, "running");
  assert.equal(t.current_state?.state, "idle");
  assert.equal(t.current_state?.message, "Understanding test recording requirements");
  assert.equal(t.created_at, "2025-11-10T11:38:10.64715+01:00"); // timestamps stay strings
  assert.equal(t.template_name, "coder-devcontainer");
  assert.equal(t.owner_name, "mvgijssel");
});

Deno.test("TaskSchema tolerates every id, status and state variant", async (t) => {
  await t.step("v2.29+ NullUUID objects: valid -> uuid, invalid/zero -> undefined", () => {
    const task = TaskSchema.parse(v229Task());
    assert.equal(task.workspace_id, "00000000-0000-4000-8000-00000000ws01");
    assert.equal(task.workspace_agent_id, "00000000-0000-4000-8000-00000000ag01");
    assert.equal(task.workspace_app_id, undefined);
    assert.equal(task.status, "active");
    assert.equal(task.workspace_status, "running");
  });
  await t.step("plain-string ids and nulls", () => {
    const task = TaskSchema.parse(v229Task({
      workspace_id: "bbbbbbbb-0000-4000-8000-000000000001",
      workspace_agent_id: null,
      workspace_app_id: "",
    }));
    assert.equal(task.workspace_id, "bbbbbbbb-0000-4000-8000-000000000001");
    assert.equal(task.workspace_agent_id, undefined);
    assert.equal(task.workspace_app_id, undefined);
  });
  await t.step("v2.27 starting task: null agent fields, null current_state", () => {
    const task = TaskSchema.parse({
      id: "cccccccc-0000-4000-8000-000000000001",
      name: "agent-Alice",
      workspace_id: "cccccccc-0000-4000-8000-000000000001",
      workspace_agent_id: null,
      workspace_agent_lifecycle: null,
      workspace_agent_health: null,
      initial_prompt: "x",
      status: "starting",
      current_state: null,
      created_at: "2025-11-10T11:38:10.64715+01:00",
      updated_at: "2025-11-10T11:38:10.64715+01:00",
    });
    assert.equal(task.status, "initializing");
    assert.equal(task.current_state, undefined);
    assert.equal(task.workspace_agent_lifecycle, undefined);
  });
  await t.step("running workspace whose agent is still starting -> initializing", () => {
    for (const lifecycle of ["created", "starting"]) {
      const task = TaskSchema.parse(
        v229Task({ status: "running", workspace_agent_lifecycle: lifecycle, current_state: null }),
      );
      assert.equal(task.status, "initializing", lifecycle);
    }
  });
  await t.step("WorkspaceStatus words", () => {
    const map: Record<string, string> = {
      running: "active",
      starting: "initializing",
      pending: "pending",
      failed: "error",
      stopped: "paused",
      deleting: "unknown",
    };
    for (const [raw, want] of Object.entries(map)) {
      assert.equal(TaskSchema.parse(v229Task({ status: raw })).status, want, raw);
    }
  });
  await t.step("state words failure/completed normalise", () => {
    const st = (state: string) =>
      TaskSchema.parse(v229Task({ current_state: { state, timestamp: "", message: "", uri: "" } }))
        .current_state?.state;
    assert.equal(st("failure"), "failed");
    assert.equal(st("completed"), "complete");
    assert.equal(st("complete"), "complete");
    assert.equal(st("working"), "working");
    assert.equal(st("weird"), "unknown");
  });
  await t.step("missing optional fields (display_name, workspace_name ...) are fine", () => {
    const task = TaskSchema.parse({ id: "dddddddd-0000-4000-8000-000000000001", status: "paused" });
    assert.equal(task.name, "");
    assert.equal(task.status, "paused");
  });
  await t.step("a task without an id is rejected", () => {
    assert.equal(TaskSchema.safeParse({ name: "x" }).success, false);
  });
});

Deno.test("task status and state words: older servers' words, any case and spacing", () => {
  const statuses: Record<string, string> = {
    " Running ": "active",
    canceled: "error",
    stopping: "paused",
    stopped: "paused",
    starting: "initializing",
  };
  for (const [raw, want] of Object.entries(statuses)) {
    assert.equal(normalizeTaskStatus(raw), want, raw);
  }
  assert.equal(normalizeTaskState(" Idle\n"), "idle");
  assert.equal(normalizeTaskState("COMPLETED "), "complete");
  // v2.27's running workspace, its agent still starting, in any spacing: initializing.
  const parse = (status: string, lifecycle: string) =>
    TaskSchema.parse(v229Task({ status, workspace_agent_lifecycle: lifecycle })).status;
  assert.equal(parse(" running ", "starting"), "initializing");
  // v2.29's own `active` is Coder's word on the task: kept, whatever the agent's lifecycle.
  assert.equal(parse("active", "starting"), "active");
});

Deno.test("TasksListSchema: tasks and count; null tasks is an empty list", () => {
  const list = TasksListSchema.parse({ tasks: [v229Task()], count: 1 });
  assert.equal(list.tasks.length, 1);
  assert.equal(list.count, 1);
  assert.deepEqual(TasksListSchema.parse({ tasks: null }), { tasks: [], count: 0, skipped: [] });
});

Deno.test("TaskLogsSchema parses real v2.27 logs and v2.29+ snapshots", async () => {
  const s = await fixture("v227_logs_200");
  const logs = TaskLogsSchema.parse(s.response.body);
  assert.equal(logs.snapshot, false); // absent on v2.27
  assert.equal(logs.snapshot_at, undefined);
  assert.equal(logs.logs.length, 1);
  assert.equal(logs.logs[0].type, "output");
  assert.match(logs.logs[0].content, /Welcome back!/);

  const snap = TaskLogsSchema.parse({
    logs: [{ id: 0, content: "hi", type: "input", time: "2026-03-01T11:00:00Z" }],
    snapshot: true,
    snapshot_at: "2026-03-01T11:30:00Z",
  });
  assert.equal(snap.snapshot, true);
  assert.equal(snap.snapshot_at, "2026-03-01T11:30:00Z");
  assert.equal(snap.logs[0].type, "input");
});

Deno.test("PresetSchema: real PascalCase presets and lowercase ones", async () => {
  const s = await fixture("v227_presets_200");
  const presets = (s.response.body as unknown[]).map((p) => PresetSchema.parse(p));
  assert.deepEqual(presets.map((p) => p.name), ["Coder", "Operator", "Researcher"]);
  assert.equal(presets[0].id, "d2e0fcc7-59d5-493b-a346-2b90e26aabe9");
  assert.equal(presets[0].default, true);
  assert.equal(presets[1].default, false);

  const lower = PresetSchema.parse({
    id: "p1",
    name: "Fast",
    default: true,
    description: "quick",
    parameters: [{ name: "model", value: "haiku" }],
  });
  // Parameters are not shown anywhere, so they are not read.
  assert.deepEqual(lower, { id: "p1", name: "Fast", default: true, description: "quick" });
  assert.equal(PresetSchema.safeParse({ Name: "no id" }).success, false);
});

Deno.test("TemplateSchema parses the real v2.27 template list", async () => {
  const s = await fixture("v227_templates_200");
  const templates = (s.response.body as unknown[]).map((x) => TemplateSchema.parse(x));
  assert.equal(templates[0].name, "coder-devcontainer");
  assert.equal(templates[0].active_version_id, "247b41ce-bcdc-43d1-8dcf-8a82bf574ffd");
  assert.equal(templates[0].description, undefined); // "" -> undefined
});

// ---------------------------------------------------------------------------------------------
// HTTP functions and error mapping

Deno.test("sendTaskInput: the real v2.27 502 'not ready' is AgentBusyError", async () => {
  const s = await fixture("v227_send_502_busy");
  const { client, calls } = stub({
    [`POST ${s.request.path}`]: { status: 502, body: s.response.body },
  });
  const err = await sendTaskInput(
    client,
    "/api/experimental",
    "mvgijssel",
    s.request.path
      .split("/")[5],
    "\u001b",
  ).catch((e) => e);
  assert.ok(err instanceof AgentBusyError);
  assert.match(err.message, /Task app is not ready to accept input\./);
  assert.match(err.message, /Status: running/);
  assert.ok(!err.message.includes(TOKEN));
  assert.equal(calls.length, 1); // a write is never retried
  assert.deepEqual(calls[0].body, { input: "\u001b" });
});

Deno.test("sendTaskInput: 409 is AgentBusyError; other failures stay CoderError", async (t) => {
  const path = "/api/v2/tasks/me/aaaaaaaa-0000-4000-8000-000000000001/send";
  await t.step("409", async () => {
    const { client } = stub({
      [`POST ${path}`]: {
        status: 409,
        body: { message: "Task app is not ready to accept input.", detail: "Status: working" },
      },
    });
    const err = await sendTaskInput(
      client,
      "/api/v2",
      "me",
      "aaaaaaaa-0000-4000-8000-000000000001",
      "hi",
    )
      .catch((e) => e);
    assert.ok(err instanceof AgentBusyError);
    assert.match(err.message, /Status: working/);
  });
  await t.step("502 with another message is a gateway failure, not busy", async () => {
    const { client } = stub({
      [`POST ${path}`]: { status: 502, body: { message: "Bad Gateway" } },
    });
    const err = await sendTaskInput(
      client,
      "/api/v2",
      "me",
      "aaaaaaaa-0000-4000-8000-000000000001",
      "hi",
    )
      .catch((e) => e);
    assert.ok(err instanceof CoderError);
    assert.equal(isBusyError(err), false);
  });
  await t.step("204 (the real v2.27 success) resolves", async () => {
    const s = await fixture("v227_send_204");
    const { client, calls } = stub({ [`POST ${s.request.path}`]: { status: 204 } });
    await sendTaskInput(
      client,
      "/api/experimental",
      "mvgijssel",
      s.request.path.split("/")[5],
      "x",
    );
    assert.equal(calls.length, 1);
  });
});

Deno.test("sendTaskInput: the busy error carries Coder's words, one line each, capped", async () => {
  const path = "/api/v2/tasks/me/t1/send";
  const busy = async (body?: unknown) => {
    const { client } = stub({ [`POST ${path}`]: { status: 409, body } });
    const err = await sendTaskInput(client, "/api/v2", "me", "t1", "hi").catch((e) => e);
    assert.ok(err instanceof AgentBusyError, String(err));
    return err.message;
  };
  assert.equal(
    await busy({
      message: "Task app is not ready\n to accept input.",
      detail: "Status:\tworking\n",
    }),
    "Task app is not ready to accept input. (Status: working)",
  );
  assert.equal(await busy({ message: "Not ready.", detail: "Not ready." }), "Not ready.");
  assert.equal(await busy(), "The task cannot take input now.");
  assert.equal(
    await busy({ message: ` ${"m".repeat(250)}`, detail: "d".repeat(250) }),
    `${"m".repeat(200)} (${"d".repeat(200)})`,
  );
});

Deno.test("sendTaskInput: only Coder's 409, or its not-ready 502, is busy", async () => {
  const path = "/api/v2/tasks/me/t1/send";
  const notReady = { message: "Task app is not ready to accept input." };
  const { client } = stub({ [`POST ${path}`]: { status: 500, body: notReady } });
  const err = await sendTaskInput(client, "/api/v2", "me", "t1", "hi").catch((e) => e);
  assert.ok(err instanceof CoderError && err.status === 500, String(err));
  // No answer at all (the network failed) is no busy agent either.
  const lost = new CoderClient({
    url: "https://coder.example.com",
    token: TOKEN,
    fetch: () => Promise.reject(new TypeError("connection reset")),
    retries: 0,
  });
  const err2 = await sendTaskInput(lost, "/api/v2", "me", "t1", "hi").catch((e) => e);
  assert.ok(err2 instanceof CoderError && !(err2 instanceof AgentBusyError), String(err2));
});

Deno.test("task paths: a part that cannot be a path segment is named in the error", async () => {
  const { client, calls } = stub({});
  const invalid = async (p: Promise<unknown>) => {
    const err = await p.catch((e) => e);
    assert.ok(err instanceof InvalidSegmentError, String(err));
    return err.message;
  };
  assert.match(await invalid(getTask(client, "/api/v2", "..", "t1")), /^Invalid task owner: /);
  assert.match(
    await invalid(getTask(client, "/api/v2", "me", "a/b")),
    /^Invalid task name or id: /,
  );
  assert.match(
    await invalid(createTask(client, "/api/v2", "", { input: "p", template_version_id: "v" })),
    /^Invalid task owner: /,
  );
  // A send to such a path is refused as it is, not taken for a busy agent.
  await invalid(sendTaskInput(client, "/api/v2", "..", "t1", "hi"));
  assert.equal(calls.length, 0);
});

Deno.test("listTasks: concurrent lists share a request only when their q is the same", async () => {
  const { client, calls } = stub({
    "GET /api/v2/tasks": { status: 200, body: { tasks: [], count: 0 } },
  });
  await Promise.all([
    listTasks(client, "/api/v2", "owner:bob"),
    listTasks(client, "/api/v2", "owner:carol"),
    listTasks(client, "/api/v2"),
    listTasks(client, "/api/v2"),
  ]);
  assert.deepEqual(calls.map((c) => c.q).sort(), [null, "owner:bob", "owner:carol"]);
});

Deno.test("pause and resume: Coder's 202 with an empty body is done", async () => {
  const base = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001";
  const { client } = stub({
    [`POST ${base}/pause`]: { status: 202 },
    [`POST ${base}/resume`]: { status: 202 },
  });
  const b = backend(client);
  assert.deepEqual(await b.stop(agentOf()), { outcome: "done", detail: "paused" });
  assert.deepEqual(await b.resume(agentOf({ state: "paused" })), {
    outcome: "done",
    detail: "resumed",
  });
});

Deno.test("getTask: the real unknown-user 400 surfaces as CoderError", async () => {
  const s = await fixture("v227_task_get_400_unknown_user");
  const { client } = stub({ [`GET ${s.request.path}`]: { status: 400, body: s.response.body } });
  const err = await getTask(
    client,
    "/api/experimental",
    "nonexistent",
    s.request.path.split("/")[5],
  )
    .catch((e) => e);
  assert.ok(err instanceof CoderError);
  assert.equal(err.status, 400);
  assert.match(err.coderMessage ?? "", /must be an existing uuid or username/);
});

Deno.test("HTTP functions use the right routes and query", async () => {
  const { client, calls } = stub({
    "GET /api/v2/tasks": { status: 200, body: { tasks: [v229Task()], count: 1 } },
    "GET /api/v2/templates": { status: 200, body: [] },
    "GET /api/v2/templateversions/v1/presets": { status: 200, body: null },
    "PATCH /api/v2/tasks/bob/t%201/input": { status: 204 },
    "GET /api/v2/tasks/me/t1/logs": { status: 200, body: { logs: [] } },
  });
  const list = await listTasks(client, "/api/v2", "owner:me status:paused");
  assert.equal(list.tasks[0].name, "fix-login");
  assert.equal(calls[0].q, "owner:me status:paused");
  assert.deepEqual(await listAiTemplates(client), { items: [], skipped: [] });
  assert.equal(calls[1].q, "has-ai-task:true");
  assert.deepEqual(await listPresets(client, "v1"), { items: [], skipped: [] });
  await updateTaskInput(client, "/api/v2", "bob", "t 1", "new prompt");
  assert.deepEqual(calls[3].body, { input: "new prompt" });
  assert.equal(calls[3].method, "PATCH");
  assert.deepEqual((await getTaskLogs(client, "/api/v2", "me", "t1")).logs, []);
});

// ---------------------------------------------------------------------------------------------
// TasksBackend over a stubbed fetch

Deno.test("TasksBackend.list: one request, pushed q, sanitised agents", async (t) => {
  await t.step("agent fields", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks": { status: 200, body: { tasks: [v229Task()], count: 1 } },
    });
    const [a] = await backend(client).list({});
    assert.equal(calls.length, 1);
    assert.equal(calls[0].q, null);
    assert.equal(a.kind, "task");
    assert.equal(a.name, "fix-login");
    assert.equal(a.owner, "alice");
    assert.equal(a.state, "idle");
    assert.equal(a.detail, "active/idle");
    assert.equal(a.message, "Done reading the code"); // ANSI stripped
    assert.equal(a.template, "claude-code");
    assert.equal(a.workspace, "alice-fix-login");
    assert.equal(
      a.url,
      "https://coder.example.com/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001",
    );
    assert.deepEqual(a.labels, {});
    assert.equal(a.prompt, "Fix the login bug");
    assert.equal(a.state_since, "2026-03-01T11:58:00.000Z");
    assert.equal(a.created_at, "2026-03-01T11:00:00.000Z");
  });
  await t.step("v2.27 task: workspace falls back to the id, times become UTC", async () => {
    const s = await fixture("v227_task_get_200");
    const { client } = stub({
      "GET /api/experimental/tasks": { status: 200, body: { tasks: [s.response.body], count: 1 } },
    });
    const [a] = await backend(client, "/api/experimental").list({});
    assert.equal(a.workspace, "5d9aa1c3-c2a1-4205-875e-978ba2189bbf");
    assert.equal(a.created_at, "2025-11-10T10:38:10.647Z");
    assert.equal(a.state, "idle");
  });
  await t.step("q terms", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks": { status: 200, body: { tasks: [], count: 0 } },
      "GET /api/experimental/tasks": { status: 200, body: { tasks: [], count: 0 } },
    });
    const b = backend(client);
    await b.list({ owner: "bob", state: ["paused"] });
    await b.list({ state: ["working", "idle"] });
    await b.list({ state: ["starting"] });
    await b.list({ state: ["paused", "idle"] });
    await backend(client, "/api/experimental").list({ owner: "me", state: ["paused"] });
    assert.deepEqual(calls.map((c) => c.q), [
      "owner:bob status:paused",
      "status:active",
      null,
      null,
      "owner:me",
    ]);
  });
});

Deno.test("TasksBackend.find", async (t) => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  await t.step("id of another user's task: GET me 404, then one list", async () => {
    const { client, calls } = stub({
      [`GET /api/v2/tasks/me/${id}`]: NOT_FOUND,
      "GET /api/v2/tasks": {
        status: 200,
        body: { tasks: [v229Task({ owner_name: "bob" }), v229Task({ id: "other" })], count: 2 },
      },
    });
    const found = await backend(client).find({ kind: "id", id, text: id });
    assert.equal(found.length, 1);
    assert.equal(found[0].owner, "bob");
    assert.equal(calls.length, 2);
  });
  await t.step("id of the caller's own task: one GET", async () => {
    const { client, calls } = stub({
      [`GET /api/v2/tasks/me/${id}`]: { status: 200, body: v229Task() },
    });
    assert.equal((await backend(client).find({ kind: "id", id, text: id })).length, 1);
    assert.equal(calls.length, 1);
  });
  await t.step("name with owner; unknown owner (real 400) and 404 -> []", async () => {
    const s = await fixture("v227_task_get_400_unknown_user");
    const { client, calls } = stub({
      "GET /api/v2/tasks/bob/fix-login": { status: 200, body: v229Task({ owner_name: "bob" }) },
      "GET /api/v2/tasks/nonexistent/x": { status: 400, body: s.response.body },
      "GET /api/v2/tasks/me/nothing": NOT_FOUND,
    });
    const b = backend(client);
    assert.equal(
      (await b.find({ kind: "name", owner: "bob", name: "fix-login", text: "" }))[0].owner,
      "bob",
    );
    assert.deepEqual(await b.find({ kind: "name", owner: "nonexistent", name: "x", text: "" }), []);
    assert.deepEqual(await b.find({ kind: "name", name: "nothing", text: "" }), []);
    assert.equal(calls[2].path, "/api/v2/tasks/me/nothing");
  });
  await t.step("Route not found is not swallowed", async () => {
    const { client } = stub({});
    await assert.rejects(backend(client).find({ kind: "name", name: "x", text: "x" }), CoderError);
  });
});

function agentOf(over: Partial<Agent> = {}): Agent {
  return {
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    kind: "task",
    name: "fix-login",
    owner: "alice",
    state: "idle",
    detail: "active/idle",
    message: "",
    created_at: "2026-03-01T11:00:00.000Z",
    updated_at: "2026-03-01T11:00:00.000Z",
    state_since: "2026-03-01T11:00:00.000Z",
    url: "",
    labels: {},
    pr: null,
    waiting_for: null,
    ...over,
  };
}

Deno.test("pageTaskLogs pages ascending per LogPage", () => {
  const entries = Array.from({ length: 7 }, (_, i) => ({
    id: 6 - i, // out of order on purpose
    type: (i % 2 ? "input" : "output") as "input" | "output",
    content: `m${6 - i}`,
    time: "2026-03-01T11:00:00Z",
  }));
  const ids = (q: Parameters<typeof pageTaskLogs>[1]) => {
    const p = pageTaskLogs(entries, q);
    return [p.messages.map((m) => m.id), p.has_older, p.has_newer];
  };
  assert.deepEqual(ids({ limit: 3 }), [[4, 5, 6], true, false]);
  assert.deepEqual(ids({ limit: 3, after_id: 1 }), [[2, 3, 4], true, true]);
  assert.deepEqual(ids({ limit: 5, before_id: 3 }), [[0, 1, 2], false, true]);
  assert.deepEqual(ids({ limit: 2, after_id: 6 }), [[], true, false]);
  // An empty page right at the edges: after the oldest id there is nothing older than the cursor
  // itself, but the cursor's own entry is older (it was read); before the oldest, nothing.
  assert.deepEqual(ids({ limit: 0, after_id: 0 }), [[], true, true]);
  assert.deepEqual(ids({ limit: 2, after_id: -1, before_id: 0 }), [[], false, true]);
  assert.deepEqual(ids({ limit: 0 }), [[], false, false]);
  const p = pageTaskLogs(entries, { limit: 1 });
  assert.equal(p.messages[0].time, "2026-03-01T11:00:00.000Z");
  assert.equal(p.messages[0].text, "m6");
});

Deno.test("TasksBackend.logs", async (t) => {
  const path = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001/logs";
  await t.step("real v2.27 body: cleaned screen text, role agent, snapshot false", async () => {
    const s = await fixture("v227_logs_200");
    const { client } = stub({ [`GET ${path}`]: { status: 200, body: s.response.body } });
    const page = await backend(client).logs(agentOf(), { limit: 20 });
    assert.equal(page.messages.length, 1);
    assert.equal(page.messages[0].role, "agent");
    assert.match(page.messages[0].text, /Welcome back!/);
    assert.ok(!/ +\n/.test(page.messages[0].text)); // right padding trimmed
    assert.equal(page.snapshot, false);
  });
  await t.step("snapshot of a paused task; input is role user", async () => {
    const { client } = stub({
      [`GET ${path}`]: {
        status: 200,
        body: {
          logs: [{ id: 0, type: "input", content: "do it\u202e", time: "2026-03-01T11:00:00Z" }],
          snapshot: true,
          snapshot_at: "2026-03-01T12:00:00+01:00",
        },
      },
    });
    const page = await backend(client).logs(agentOf({ state: "paused" }), { limit: 20 });
    assert.equal(page.snapshot, true);
    assert.equal(page.snapshot_at, "2026-03-01T11:00:00.000Z");
    assert.deepEqual(page.messages[0], {
      id: 0,
      role: "user",
      time: "2026-03-01T11:00:00.000Z",
      text: "do it", // bidi override removed
    });
  });
  await t.step("real 400 'no sidebar app' -> FleetError: still starting", async () => {
    const s = await fixture("v227_logs_400_sidebar");
    const { client } = stub({ [`GET ${path}`]: { status: 400, body: s.response.body } });
    const err = await backend(client).logs(agentOf(), { limit: 20 }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.equal(err.message, "fix-login is still starting and has no conversation yet.");
    assert.equal(err.next, "Wait with wait_for_agents, then call get_logs again.");
  });
  await t.step("409 error state -> FleetError with a next step", async () => {
    const { client } = stub({
      [`GET ${path}`]: {
        status: 409,
        body: { message: "Task is in an error state.", detail: "build failed" },
      },
    });
    const err = await backend(client).logs(agentOf(), { limit: 20 }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.match(err.message, /error state/);
    assert.ok(err.next.length > 0);
  });
});

Deno.test("TasksBackend.create", async (t) => {
  const s = await fixture("v227_templates_200");
  const presets = (await fixture("v227_presets_200")).response.body;
  const templates = s.response.body as Record<string, unknown>[];
  const version = "247b41ce-bcdc-43d1-8dcf-8a82bf574ffd";
  const created = v229Task({ status: "pending", current_state: null, name: "new-task" });

  await t.step("one AI template and its default preset are used when none are named", async () => {
    const { client, calls } = stub({
      "GET /api/v2/templates": { status: 200, body: [templates[0]] },
      [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: presets },
      "POST /api/v2/tasks/me": { status: 201, body: created },
    });
    const a = await backend(client).create({ prompt: "Write tests" });
    assert.equal(a.name, "new-task");
    assert.equal(a.state, "starting");
    const post = calls.find((c) => c.method === "POST")!;
    assert.deepEqual(post.body, {
      input: "Write tests",
      template_version_id: version,
      template_version_preset_id: "d2e0fcc7-59d5-493b-a346-2b90e26aabe9",
    });
  });
  await t.step("template and preset by name, owner and name passed on", async () => {
    const { client, calls } = stub({
      "GET /api/v2/templates": { status: 200, body: templates },
      [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: presets },
      "POST /api/v2/tasks/bob": { status: 201, body: created },
    });
    await backend(client).create({
      prompt: "p",
      template: "coder-devcontainer",
      preset: "operator",
      owner: "bob",
      name: "n1",
    });
    const post = calls.find((c) => c.method === "POST")!;
    assert.deepEqual(post.body, {
      input: "p",
      name: "n1",
      template_version_id: version,
      template_version_preset_id: "2bda65ea-d751-478d-8252-2cb10265bb5e",
    });
  });
  await t.step("several templates and none named -> FleetError naming them", async () => {
    const { client, calls } = stub({ "GET /api/v2/templates": { status: 200, body: templates } });
    const err = await backend(client).create({ prompt: "p" }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.match(err.message, /coder-devcontainer/);
    assert.match(err.message, /coder-dataone-devcontainer/);
    assert.match(err.next, /list_templates/);
    assert.equal(calls.some((c) => c.method === "POST"), false);
  });
  await t.step("unknown preset -> FleetError listing the presets", async () => {
    const { client } = stub({
      "GET /api/v2/templates": { status: 200, body: [templates[0]] },
      [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: presets },
    });
    const err = await backend(client).create({ prompt: "p", preset: "Nope" }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.match(err.message, /Coder, Operator, Researcher/);
  });
  await t.step("duplicate name (409) -> FleetError", async () => {
    const { client } = stub({
      "GET /api/v2/templates": { status: 200, body: [templates[0]] },
      [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: [] },
      "POST /api/v2/tasks/me": {
        status: 409,
        body: {
          message: 'Task "n1" already exists.',
          validations: [{
            field: "name",
            detail: "This value is already in use and should be unique.",
          }],
        },
      },
    });
    const err = await backend(client).create({ prompt: "p", name: "n1" }).catch((e) => e);
    assert.ok(err instanceof FleetError);
    assert.match(err.message, /already exists/);
  });
  await t.step("template by UUID", async () => {
    const { client, calls } = stub({
      [`GET /api/v2/templates/${templates[0].id}`]: { status: 200, body: templates[0] },
      [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: [] },
      "POST /api/v2/tasks/me": { status: 201, body: created },
    });
    await backend(client).create({ prompt: "p", template: String(templates[0].id) });
    assert.deepEqual(calls.find((c) => c.method === "POST")!.body, {
      input: "p",
      template_version_id: version,
    });
  });
});

Deno.test("TasksBackend write actions", async (t) => {
  const base = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001";
  await t.step("send: 204 -> sent; 409 -> AgentBusyError", async () => {
    const { client } = stub({ [`POST ${base}/send`]: { status: 204 } });
    assert.deepEqual(await backend(client).send(agentOf(), "go"), {
      outcome: "sent",
      detail: "sent",
    });
    const busy = stub({
      [`POST ${base}/send`]: {
        status: 409,
        body: { message: "Task app is not ready to accept input.", detail: "Status: working" },
      },
    });
    await assert.rejects(backend(busy.client).send(agentOf(), "go"), AgentBusyError);
  });
  await t.step("stop: pause; already paused is skipped without a request", async () => {
    const { client, calls } = stub({
      [`POST ${base}/pause`]: { status: 202, body: { workspace_build: {} } },
    });
    const b = backend(client);
    assert.deepEqual(await b.stop(agentOf()), { outcome: "done", detail: "paused" });
    assert.deepEqual(await b.stop(agentOf({ state: "paused" })), {
      outcome: "skipped",
      detail: "already paused",
    });
    assert.equal(calls.length, 1);
  });
  await t.step("resume: not paused is skipped; prompt is replaced before resuming", async () => {
    const { client, calls } = stub({
      [`PATCH ${base}/input`]: { status: 204 },
      [`POST ${base}/resume`]: { status: 202, body: { workspace_build: {} } },
    });
    const b = backend(client);
    assert.deepEqual(await b.resume(agentOf({ state: "working" })), {
      outcome: "skipped",
      detail: "not paused (state: working)",
    });
    assert.equal(calls.length, 0);
    const r = await b.resume(agentOf({ state: "paused" }), "new plan");
    assert.equal(r.outcome, "done");
    assert.deepEqual(calls.map((c) => c.method + " " + c.path), [
      `PATCH ${base}/input`,
      `POST ${base}/resume`,
    ]);
    assert.deepEqual(calls[0].body, { input: "new plan" });
  });
  await t.step(
    "resume: a prompt replaced, then a 409 on resume, says the prompt changed",
    async () => {
      const { client } = stub({
        [`PATCH ${base}/input`]: { status: 204 },
        [`POST ${base}/resume`]: {
          status: 409,
          body: { message: "Task is not paused.", detail: "Status: active" },
        },
      });
      const r = await backend(client).resume(agentOf({ state: "paused" }), "new plan");
      assert.equal(r.outcome, "skipped");
      assert.match(r.detail, /^prompt replaced, not resumed: not paused \(Status: active\)$/);
      const refused = stub({
        [`PATCH ${base}/input`]: {
          status: 409,
          body: { message: "Task must be paused.", detail: "Status: active" },
        },
      });
      const r2 = await backend(refused.client).resume(agentOf({ state: "paused" }), "new plan");
      assert.deepEqual(r2, { outcome: "skipped", detail: "not paused (Status: active)" });
      assert.equal(refused.calls.length, 1, "no resume after the prompt was refused");
    },
  );
  await t.step("remove: DELETE; 404 -> already deleted", async () => {
    const { client, calls } = stub({ [`DELETE ${base}`]: { status: 202 } });
    assert.deepEqual(await backend(client).remove(agentOf()), {
      outcome: "done",
      detail: "deleted",
    });
    assert.equal(calls[0].method, "DELETE");
    const gone = stub({ [`DELETE ${base}`]: NOT_FOUND });
    assert.equal((await backend(gone.client).remove(agentOf())).outcome, "skipped");
  });
});

Deno.test("TasksBackend.catalog: presets per template, at most 8 lookups at once", async () => {
  const templates = Array.from({ length: 20 }, (_, i) => ({
    id: `t${i}`,
    name: `tpl-${i}`,
    organization_id: "o",
    active_version_id: `v${i}`,
  }));
  let inFlight = 0;
  let peak = 0;
  const routes: Record<string, Handler | Answer> = {
    "GET /api/v2/templates": { status: 200, body: templates },
  };
  for (let i = 0; i < 20; i++) {
    routes[`GET /api/v2/templateversions/v${i}/presets`] = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return i === 3
        ? { status: 403, body: { message: "Forbidden." } }
        : { status: 200, body: [{ ID: `p${i}`, Name: "Default", Default: true }] };
    };
  }
  const { client } = stub(routes);
  const cat = await backend(client).catalog();
  assert.equal(cat.templates?.length, 20);
  assert.ok(peak <= 8 && peak > 1, `peak ${peak}`);
  assert.deepEqual(cat.templates?.[0].presets, [
    { id: "p0", name: "Default", default: true, description: "" },
  ]);
  assert.deepEqual(cat.templates?.[3].presets, []); // one failure does not hide the rest
  // ... and is said, not hidden.
  assert.equal(cat.skipped?.length, 1, JSON.stringify(cat.skipped));
  assert.match(cat.skipped![0], /^template tpl-3: presets could not be read: .*Forbidden/);
});

Deno.test("TasksBackend.find: a name on a Coder that takes only UUIDs is found in the owner's list", async () => {
  // Older Coder parses {task} as a UUID only: a name there is its 400 "Invalid UUID".
  const invalid = {
    status: 400,
    body: { message: 'Invalid UUID "fix-login".', detail: "invalid UUID length: 9" },
  };
  const { client, calls } = stub({
    "GET /api/v2/tasks/bob/fix-login": invalid,
    "GET /api/v2/tasks/me/fix-login": invalid,
    "GET /api/v2/tasks": {
      status: 200,
      body: {
        tasks: [
          v229Task({ id: "other", name: "other-task", owner_name: "bob" }),
          v229Task({ owner_name: "bob" }),
        ],
        count: 2,
      },
    },
  });
  const b = backend(client);
  const handle = { kind: "name", owner: "bob", name: "fix-login", text: "bob/fix-login" } as const;
  // quick looks only where one request can tell.
  assert.deepEqual(await b.find(handle, undefined, "quick"), []);
  assert.equal(calls.length, 1);
  const found = await b.find(handle);
  assert.deepEqual(found.map((a) => `${a.owner}/${a.name}`), ["bob/fix-login"]);
  assert.deepEqual(calls.slice(1).map((c) => [c.path, c.q]), [
    ["/api/v2/tasks/bob/fix-login", null],
    ["/api/v2/tasks", "owner:bob"],
  ]);
  // Without an owner, the caller's own list.
  await b.find({ kind: "name", name: "fix-login", text: "fix-login" });
  assert.equal(calls.at(-1)!.q, "owner:me");
});

Deno.test("TasksBackend.prefetch: the log request goes out before the handle resolves", async (t) => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  const signal = new AbortController().signal;
  const logsOf = (text: string) => ({
    status: 200,
    body: { logs: [{ id: 0, type: "output", content: text, time: "2026-03-01T11:00:00Z" }] },
  });
  const texts = (p: LogPage) => p.messages.map((m) => m.text);
  await t.step("a chat title names no task path: nothing is sent", () => {
    const { client, calls } = stub({});
    const b = backend(client);
    const title = "Fix the login page";
    assert.equal(
      b.prefetch({ kind: "name", name: title, text: title }, { limit: 20 }, false, signal),
      undefined,
    );
    assert.equal(calls.length, 0);
  });
  await t.step("by UUID: the caller's task is read from the request already sent", async () => {
    const { client, calls } = stub({ [`GET /api/v2/tasks/me/${id}/logs`]: logsOf("prefetched") });
    const p = backend(client).prefetch({ kind: "id", id, text: id }, { limit: 20 }, false, signal)!;
    assert.deepEqual(texts(await p.logs(agentOf())), ["prefetched"]);
    assert.deepEqual(calls.map((c) => c.path), [`/api/v2/tasks/me/${id}/logs`]);
  });
  await t.step(
    "by UUID, another user's task: after the 404 under me, its owner's path",
    async () => {
      const { client, calls } = stub({
        [`GET /api/v2/tasks/me/${id}/logs`]: NOT_FOUND,
        [`GET /api/v2/tasks/bob/${id}/logs`]: logsOf("bob's"),
      });
      const p = backend(client).prefetch(
        { kind: "id", id, text: id },
        { limit: 20 },
        false,
        signal,
      )!;
      assert.deepEqual(texts(await p.logs(agentOf({ owner: "bob" }))), ["bob's"]);
      assert.deepEqual(calls.map((c) => c.path), [
        `/api/v2/tasks/me/${id}/logs`,
        `/api/v2/tasks/bob/${id}/logs`,
      ]);
    },
  );
  await t.step("by name: the answer is used for that task only", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks/me/fix-login/logs": logsOf("by name"),
      [`GET /api/v2/tasks/alice/${id}/logs`]: logsOf("by id"),
    });
    const handle = { kind: "name", name: "fix-login", text: "fix-login" } as const;
    const p = backend(client).prefetch(handle, { limit: 20 }, false, signal)!;
    assert.deepEqual(texts(await p.logs(agentOf())), ["by name"]);
    assert.equal(calls.length, 1);
    // Another task (resolved otherwise) has its own log read.
    assert.deepEqual(texts(await p.logs(agentOf({ name: "fix-login-2" }))), ["by id"]);
    assert.equal(calls.at(-1)!.path, `/api/v2/tasks/alice/${id}/logs`);
  });
  await t.step("a failure other than a miss is the answer: no second request", async () => {
    const { client, calls } = stub({
      [`GET /api/v2/tasks/me/${id}/logs`]: { status: 403, body: { message: "Forbidden." } },
      [`GET /api/v2/tasks/alice/${id}/logs`]: logsOf("by owner"),
    });
    const p = backend(client).prefetch({ kind: "id", id, text: id }, { limit: 20 }, false, signal)!;
    const err = await p.logs(agentOf()).catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
    assert.equal(calls.length, 1);
  });
  await t.step("its extras are the agent's extras", async () => {
    const { client } = stub({
      [`GET /api/v2/tasks/me/${id}/logs`]: logsOf("x"),
      [`GET /api/v2/tasks/alice/${id}`]: { status: 200, body: v229Task() },
    });
    const p = backend(client).prefetch({ kind: "id", id, text: id }, { limit: 20 }, true, signal)!;
    assert.equal((await p.extras(agentOf())).workspace_status, "running");
  });
});

Deno.test("TasksBackend.logs: a failure it cannot explain stays the CoderError it is", async () => {
  const path = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001/logs";
  const { client } = stub({ [`GET ${path}`]: { status: 403, body: { message: "Forbidden." } } });
  const err = await backend(client).logs(agentOf(), { limit: 20 }).catch((e) => e);
  assert.ok(err instanceof CoderError && err.status === 403, String(err));
});

Deno.test("TasksBackend.create: what Coder refuses, with the next step", async (t) => {
  const version = "247b41ce-bcdc-43d1-8dcf-8a82bf574ffd";
  const template = {
    id: "t1",
    name: "claude-code",
    organization_id: "o",
    active_version_id: version,
  };
  await t.step("a template without an active version: no request to create", async () => {
    const long = "t".repeat(81); // names are capped in the message
    const { client, calls } = stub({
      "GET /api/v2/templates": {
        status: 200,
        body: [{ ...template, name: long, active_version_id: undefined }],
      },
    });
    const err = await backend(client).create({ prompt: "p" }).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(err.message, `Template "${"t".repeat(79)}…" has no active version.`);
    assert.equal(
      err.next,
      "Ask a Coder admin to publish a version of it, or pick another template (list_templates).",
    );
    assert.deepEqual(calls.map((c) => c.method), ["GET"]);
  });
  const routes = (post: Answer) => ({
    "GET /api/v2/templates": { status: 200, body: [template] },
    [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: [] },
    "POST /api/v2/tasks/nobody": post,
    [`POST /api/v2/tasks/${"n".repeat(81)}`]: post,
    "POST /api/v2/tasks/me": post,
  });
  await t.step("an owner that is no user", async () => {
    const s = await fixture("v227_task_get_400_unknown_user");
    const { client } = stub(routes({ status: 400, body: s.response.body }));
    const err = await backend(client).create({ prompt: "p", owner: "nobody" }).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(err.message, 'Coder has no user "nobody".');
    assert.equal(
      err.next,
      "Check the owner's username, or omit owner to create the task for yourself.",
    );
    const long = await backend(client).create({ prompt: "p", owner: "n".repeat(81) }).catch((
      e,
    ) => e);
    assert.equal(long.message, `Coder has no user "${"n".repeat(79)}…".`);
  });
  await t.step("any other failure stays the CoderError it is", async () => {
    const { client } = stub(routes({ status: 403, body: { message: "Forbidden." } }));
    const err = await backend(client).create({ prompt: "p" }).catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
  });
});

Deno.test("TasksBackend pause and resume on a Coder without those routes", async (t) => {
  // v2.27/v2.28 answer a pause or resume with 404 "Route not found.".
  const { client } = stub({});
  const routeGone = async (b: TasksBackend, act: (b: TasksBackend) => Promise<unknown>) => {
    const err = await act(b).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    return err;
  };
  await t.step("stop names the version and what to do instead", async () => {
    const err = await routeGone(backend(client, "/api/v2", "v2.27.1"), (b) => b.stop(agentOf()));
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(
      err.message,
      "Coder v2.27.1 cannot pause or resume tasks (it has no pause or resume route); tasks can be paused through the API from Coder v2.29 on.",
    );
    assert.equal(
      err.next,
      "Stop the task's workspace in the Coder dashboard, or delete the task with delete_agents; upgrading Coder to v2.29 or later adds pause and resume.",
    );
  });
  await t.step("resume says how to start it instead", async () => {
    const err = await routeGone(
      backend(client, "/api/v2", "v2.28.0"),
      (b) => b.resume(agentOf({ state: "paused" })),
    );
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(
      err.message,
      "Coder v2.28.0 cannot pause or resume tasks (it has no pause or resume route); tasks can be resumed through the API from Coder v2.29 on.",
    );
    assert.equal(
      err.next,
      "Start the task's workspace in the Coder dashboard; upgrading Coder to v2.29 or later adds pause and resume.",
    );
  });
  await t.step("an unknown version, or a long one, still reads as one sentence", async () => {
    const unknown = await routeGone(backend(client), (b) => b.stop(agentOf()));
    assert.match(unknown.message, /^This Coder version cannot pause or resume tasks/);
    const long = await routeGone(
      backend(client, "/api/v2", `v2.27.1-${"x".repeat(40)}`),
      (b) => b.stop(agentOf()),
    );
    assert.match(long.message, new RegExp(`^Coder v2\\.27\\.1-${"x".repeat(31)}… cannot pause`));
  });
});

Deno.test("TasksBackend.stop: Coder's 409", async (t) => {
  const base = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001";
  const conflict = (detail: string) =>
    stub({
      [`POST ${base}/pause`]: { status: 409, body: { message: "Task is not running.", detail } },
    }).client;
  await t.step("already paused (listed before it was): skipped", async () => {
    assert.deepEqual(await backend(conflict("Task status: paused")).stop(agentOf()), {
      outcome: "skipped",
      detail: "already paused",
    });
  });
  await t.step("not running yet: a FleetError saying to wait", async () => {
    const err = await backend(conflict("Task status: pending")).stop(agentOf()).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(
      err.message,
      "fix-login cannot be paused now: Task is not running. (Task status: pending)",
    );
    assert.equal(
      err.next,
      "Wait with wait_for_agents until it is running, then call stop_agents again.",
    );
  });
  await t.step("any other failure stays the CoderError it is", async () => {
    const { client } = stub({
      [`POST ${base}/pause`]: { status: 403, body: { message: "Forbidden." } },
    });
    const err = await backend(client).stop(agentOf()).catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
  });
});

Deno.test("TasksBackend.resume: the outcome says whether the prompt was replaced", async () => {
  const base = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001";
  const { client } = stub({
    [`PATCH ${base}/input`]: { status: 204 },
    [`POST ${base}/resume`]: { status: 202, body: { workspace_build: {} } },
  });
  const b = backend(client);
  assert.deepEqual(await b.resume(agentOf({ state: "paused" }), "new plan"), {
    outcome: "done",
    detail: "prompt replaced, resumed",
  });
  assert.deepEqual(await b.resume(agentOf({ state: "paused" })), {
    outcome: "done",
    detail: "resumed",
  });
});

Deno.test("TasksBackend.extras: the workspace facts of get_agent", async (t) => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  await t.step("an agent it listed: no second request", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks": {
        status: 200,
        body: { tasks: [v229Task({ status: "running", workspace_status: "running" })], count: 1 },
      },
    });
    const b = backend(client);
    const [a] = await b.list({});
    assert.deepEqual(await b.extras(a), {
      coder_status: "running", // v2.27's word, which the agent shows as active
      workspace_status: "running",
      agent_lifecycle: "ready",
      link: "https://github.com/x/y/pull/1",
    });
    assert.equal(calls.length, 1);
  });
  await t.step("another agent: its task is read, and long words are capped", async () => {
    const uri = `https://example.com/${"u".repeat(600)}`;
    const { client, calls } = stub({
      [`GET /api/v2/tasks/alice/${id}`]: {
        status: 200,
        body: v229Task({
          workspace_status: "w".repeat(41),
          workspace_agent_lifecycle: "l".repeat(41),
          current_state: { state: "idle", uri },
        }),
      },
    });
    assert.deepEqual(await backend(client).extras(agentOf()), {
      workspace_status: `${"w".repeat(39)}…`,
      agent_lifecycle: `${"l".repeat(39)}…`,
      link: `${uri.slice(0, 499)}…`,
    });
    assert.equal(calls.length, 1);
    const { client: c2 } = stub({
      [`GET /api/v2/tasks/alice/${id}`]: {
        status: 200,
        body: v229Task({ status: `s${"x".repeat(40)}`, current_state: null }),
      },
    });
    assert.deepEqual(await backend(c2).extras(agentOf()), {
      coder_status: `s${"x".repeat(38)}…`,
      workspace_status: "running",
      agent_lifecycle: "ready",
    });
  });
  await t.step("the task cannot be read: no extras, no error", async () => {
    const { client } = stub({ [`GET /api/v2/tasks/alice/${id}`]: NOT_FOUND });
    assert.deepEqual(await backend(client).extras(agentOf()), {});
  });
  await t.step("a cancelled read is not hidden", async () => {
    const { client } = stub({
      [`GET /api/v2/tasks/alice/${id}`]: { status: 200, body: v229Task() },
    });
    const ac = new AbortController();
    ac.abort();
    const err = await backend(client).extras(agentOf(), ac.signal).catch((e) => e);
    assert.ok(err instanceof CoderError && err.kind === "aborted", String(err));
  });
});

Deno.test("TasksBackend.list: malformed tasks are skipped and said, not fatal", async () => {
  const { client } = stub({
    "GET /api/v2/tasks": {
      status: 200,
      body: { tasks: [v229Task(), { id: 7, name: "bad" }], count: 2 },
    },
    "GET /api/experimental/tasks": { status: 200, body: { tasks: [v229Task()], count: 1 } },
  });
  const list = await backend(client).list({ owner: " bob " });
  assert.deepEqual(list.map((a) => a.name), ["fix-login"]);
  assert.equal(list.skipped?.length, 1, JSON.stringify(list.skipped));
  assert.match(list.skipped![0], /^task #2 skipped, malformed/);
  const summaries = await backend(client).summaries({});
  assert.equal(summaries.skipped?.length, 1);
  // Nothing skipped: nothing to say.
  const clean = await backend(client, "/api/experimental").list({});
  assert.equal(clean.skipped, undefined);
  assert.equal((await backend(client, "/api/experimental").summaries({})).skipped, undefined);
});

Deno.test("TasksBackend.listQuery: an owner is pushed trimmed", () => {
  const b = backend(stub({}).client);
  assert.equal(b.listQuery({ owner: " bob " }), "owner:bob");
  assert.equal(b.listQuery({ owner: "bob smith" }), ""); // not one username: not pushed
  assert.equal(b.listQuery({ state: [] }), "");
});

Deno.test("TasksBackend.find: what is a miss and what is a failure", async (t) => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  const forbidden = { status: 403, body: { message: "Forbidden." } };
  const list = { status: 200, body: { tasks: [v229Task()], count: 1 } };
  await t.step("an owner that cannot be a path segment finds nothing, asks nothing", async () => {
    const { client, calls } = stub({});
    assert.deepEqual(
      await backend(client).find({ kind: "name", owner: "..", name: "x", text: "" }),
      [],
    );
    assert.equal(calls.length, 0);
  });
  await t.step("by id, quick: the caller's 404 is the answer", async () => {
    const { client, calls } = stub({
      [`GET /api/v2/tasks/me/${id}`]: NOT_FOUND,
      "GET /api/v2/tasks": list,
    });
    assert.deepEqual(
      await backend(client).find({ kind: "id", id, text: id }, undefined, "quick"),
      [],
    );
    assert.equal(calls.length, 1);
  });
  await t.step("by id: a refusal is not a miss", async () => {
    const { client, calls } = stub({
      [`GET /api/v2/tasks/me/${id}`]: forbidden,
      "GET /api/v2/tasks": list,
    });
    const err = await backend(client).find({ kind: "id", id, text: id }).catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
    assert.equal(calls.length, 1);
  });
  await t.step("by name: a refusal is not a miss", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks/me/fix-login": forbidden,
      "GET /api/v2/tasks": list,
    });
    const err = await backend(client).find({ kind: "name", name: "fix-login", text: "fix-login" })
      .catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
    assert.equal(calls.length, 1);
  });
});

Deno.test("TasksBackend.prefetch: a name handle fits only the caller's task of that name", async (t) => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  const signal = new AbortController().signal;
  const logsOf = (text: string) => ({
    status: 200,
    body: { logs: [{ id: 0, type: "output", content: text, time: "2026-03-01T11:00:00Z" }] },
  });
  const handle = { kind: "name", name: "fix-login", text: "fix-login" } as const;
  await t.step("another user's task of the same name has its own log read", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks/me/fix-login/logs": logsOf("mine"),
      [`GET /api/v2/tasks/bob/${id}/logs`]: logsOf("bob's"),
    });
    const p = backend(client).prefetch(handle, { limit: 20 }, false, signal)!;
    const page = await p.logs(agentOf({ owner: "bob" }));
    assert.deepEqual(page.messages.map((m) => m.text), ["bob's"]);
    assert.equal(calls.at(-1)!.path, `/api/v2/tasks/bob/${id}/logs`);
  });
  await t.step("an unread prefetch that failed is no unhandled rejection", async () => {
    const { client, calls } = stub({
      "GET /api/v2/tasks/me/fix-login/logs": NOT_FOUND,
      [`GET /api/v2/tasks/alice/${id}/logs`]: logsOf("other"),
    });
    const p = backend(client).prefetch(handle, { limit: 20 }, false, signal)!;
    await p.logs(agentOf({ name: "other-task" }));
    await until(() => calls.length === 2, "both log requests");
    await pause(0); // the failed request settles unread (Deno fails a test on an unhandled one)
  });
});

Deno.test("TasksBackend.logs: a paused task on a Coder without log snapshots", async () => {
  const path = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001/logs";
  const s = await fixture("v227_logs_400_sidebar");
  const { client } = stub({ [`GET ${path}`]: { status: 400, body: s.response.body } });
  const paused = agentOf({ state: "paused", detail: "paused" });
  const err = await backend(client, "/api/v2", "v2.27.1")
    .logs(paused, { limit: 20 }).catch((e) => e);
  assert.ok(err instanceof FleetError, String(err));
  assert.equal(
    err.message,
    "fix-login is stopped (paused), and Coder v2.27.1 reads a task's conversation only from its running app: it keeps no copy while the workspace is stopped.",
  );
  assert.equal(
    err.next,
    "Start the task's workspace in the Coder dashboard, wait with wait_for_agents, then call get_logs again; get_agent shows its latest status message meanwhile.",
  );
  const unknown = await backend(client).logs(paused, { limit: 20 }).catch((e) => e);
  assert.match(unknown.message, /, and This Coder reads a task's conversation/);
  const long = await backend(client, "/api/v2", `v2.27.1-${"x".repeat(40)}`)
    .logs(paused, { limit: 20 }).catch((e) => e);
  assert.match(long.message, new RegExp(`, and Coder v2\\.27\\.1-${"x".repeat(31)}… reads`));
});

Deno.test("TasksBackend.logs: a live log has no snapshot time", async () => {
  const path = "/api/v2/tasks/alice/aaaaaaaa-0000-4000-8000-000000000001/logs";
  const { client } = stub({
    [`GET ${path}`]: { status: 200, body: { logs: [], snapshot: false } },
  });
  const page = await backend(client).logs(agentOf(), { limit: 20 });
  assert.equal(page.snapshot, false);
  assert.equal("snapshot_at" in page, false);
});

Deno.test("TasksBackend writes: the path user, Coder's words, and failures kept", async (t) => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  const base = `/api/v2/tasks/alice/${id}`;
  const forbidden = { status: 403, body: { message: "Forbidden." } };
  await t.step("an agent without an owner is the caller's: path user me", async () => {
    const { client, calls } = stub({ [`DELETE /api/v2/tasks/me/${id}`]: { status: 202 } });
    assert.deepEqual(await backend(client).remove(agentOf({ owner: "" })), {
      outcome: "done",
      detail: "deleted",
    });
    assert.equal(calls[0].path, `/api/v2/tasks/me/${id}`);
  });
  await t.step("remove: a 404 is already deleted; a refusal is kept", async () => {
    const gone = stub({ [`DELETE ${base}`]: NOT_FOUND });
    assert.deepEqual(await backend(gone.client).remove(agentOf()), {
      outcome: "skipped",
      detail: "already deleted",
    });
    const { client } = stub({ [`DELETE ${base}`]: forbidden });
    const err = await backend(client).remove(agentOf()).catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
  });
  await t.step("resume: an empty prompt replaces nothing", async () => {
    const { client, calls } = stub({
      [`PATCH ${base}/input`]: { status: 204 },
      [`POST ${base}/resume`]: { status: 202, body: { workspace_build: {} } },
    });
    assert.deepEqual(await backend(client).resume(agentOf({ state: "paused" }), ""), {
      outcome: "done",
      detail: "resumed",
    });
    assert.deepEqual(calls.map((c) => c.method), ["POST"]);
  });
  await t.step("resume: Coder's 409 detail is one capped line", async () => {
    const { client } = stub({
      [`POST ${base}/resume`]: {
        status: 409,
        body: { message: "Task is not paused.", detail: `Status: ${"a".repeat(100)}` },
      },
    });
    const r = await backend(client).resume(agentOf({ state: "paused" }));
    assert.deepEqual(r, {
      outcome: "skipped",
      detail: `not paused (Status: ${"a".repeat(71)}…)`,
    });
  });
  await t.step("resume: a refusal is kept", async () => {
    const { client } = stub({ [`POST ${base}/resume`]: forbidden });
    const err = await backend(client).resume(agentOf({ state: "paused" })).catch((e) => e);
    assert.ok(err instanceof CoderError && err.status === 403, String(err));
  });
});

Deno.test("TasksBackend.create: the owner is trimmed; a taken name is said with what to do", async () => {
  const version = "247b41ce-bcdc-43d1-8dcf-8a82bf574ffd";
  const template = {
    id: "t1",
    name: "claude-code",
    organization_id: "o",
    active_version_id: version,
  };
  const created = v229Task({ status: "pending", current_state: null, name: "n1" });
  const { client, calls } = stub({
    "GET /api/v2/templates": { status: 200, body: [template] },
    [`GET /api/v2/templateversions/${version}/presets`]: { status: 200, body: [] },
    "POST /api/v2/tasks/bob": { status: 201, body: created },
    "POST /api/v2/tasks/me": {
      status: 409,
      body: { message: 'Task "n1" already exists.', detail: "name is in use" },
    },
  });
  await backend(client).create({ prompt: "p", owner: " bob " });
  assert.equal(calls.at(-1)!.path, "/api/v2/tasks/bob");
  const err = await backend(client).create({ prompt: "p", name: "n1" }).catch((e) => e);
  assert.ok(err instanceof FleetError, String(err));
  assert.equal(
    err.message,
    'A task named "n1" already exists: Task "n1" already exists. (name is in use)',
  );
  assert.equal(err.next, "Choose another name, or omit name to let Coder pick one.");
});

Deno.test("TasksBackend.extras: facts Coder did not send are left out", async () => {
  const id = "aaaaaaaa-0000-4000-8000-000000000001";
  const { client } = stub({
    [`GET /api/v2/tasks/alice/${id}`]: {
      status: 200,
      body: v229Task({
        workspace_status: null,
        workspace_agent_lifecycle: null,
        current_state: { state: "idle", uri: "" },
      }),
    },
  });
  assert.deepEqual(await backend(client).extras(agentOf()), {});
});

// Registered last, so it runs after every test above (a file's tests run in order).
Deno.test("every stubbed request carried the session token", () => {
  assert.ok(stubbedRequests > 20, `only ${stubbedRequests} stubbed requests: the stub is unused?`);
  assert.deepEqual(TOKEN_PROBLEMS, []);
});
