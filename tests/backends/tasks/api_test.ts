import assert from "node:assert/strict";
import { CoderClient, CoderError } from "../../../src/coder/http.ts";
import {
  getTask,
  getTaskLogs,
  isBusyError,
  listTasks,
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
import { pageTaskLogs, TasksBackend } from "../../../src/backends/tasks/backend.ts";
import { sentJson } from "../../coder/local_server.ts";

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

function backend(client: CoderClient, prefix = "/api/v2") {
  return new TasksBackend({
    client,
    prefix,
    dashboardUrl: "https://coder.example.com",
    me: ME,
    now: () => NOW,
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
  assert.equal(presets[0].parameters[0].name, "system_prompt");
  assert.match(presets[0].parameters[0].value, /software development assistant/);

  const lower = PresetSchema.parse({
    id: "p1",
    name: "Fast",
    default: true,
    description: "quick",
    parameters: [{ name: "model", value: "haiku" }],
  });
  assert.deepEqual(lower, {
    id: "p1",
    name: "Fast",
    default: true,
    description: "quick",
    parameters: [{ name: "model", value: "haiku" }],
  });
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

// Registered last, so it runs after every test above (a file's tests run in order).
Deno.test("every stubbed request carried the session token", () => {
  assert.ok(stubbedRequests > 20, `only ${stubbedRequests} stubbed requests: the stub is unused?`);
  assert.deepEqual(TOKEN_PROBLEMS, []);
});
