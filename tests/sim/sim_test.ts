/**
 * Real HTTP tests of the simulated Coder (src/sim): every profile, the wire decisions of
 * COMMON.md, state evolution, faults, latency, rate limit, request log and ground truth.
 */
import assert from "node:assert/strict";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";
import { until as holds } from "../deadline.ts";

interface Reply {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

async function call(
  sim: Sim,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = sim.token,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== null) headers["Coder-Session-Token"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(sim.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const get = (sim: Sim, path: string) => call(sim, "GET", path);

async function withSim(
  opts: SimOptions,
  fn: (sim: Sim) => Promise<void> | void,
): Promise<void> {
  const sim = await startSim(opts);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** Poll `fn` until it returns a truthy value (generous deadline; not a timing assertion). */
async function until<T>(fn: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// deno-lint-ignore no-explicit-any
type Json = any;

function assertRouteNotFound(r: Reply) {
  assert.equal(r.status, 404);
  assert.deepEqual(r.body, { message: "Route not found." });
}

Deno.test("tasks profile: routes, auth and deployment endpoints", async (t) => {
  await withSim({ profile: "tasks" }, async (sim) => {
    await t.step("buildinfo needs no token", async () => {
      const r = await call(sim, "GET", "/api/v2/buildinfo", undefined, null);
      assert.equal(r.status, 200);
      assert.equal(r.body.version, "v2.34.1");
      assert.equal(r.body.dashboard_url, sim.url);
      assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
    });
    await t.step("401 without or with a wrong token, token never echoed", async () => {
      for (const token of [null, "wrong-token"]) {
        const r = await call(sim, "GET", "/api/v2/tasks", undefined, token);
        assert.equal(r.status, 401);
        assert.equal(r.body.message, "You must be logged in to use this endpoint.");
        assert.equal(typeof r.body.detail, "string");
        assert.ok(!JSON.stringify(r.body).includes(sim.token));
      }
    });
    await t.step("Tasks under /api/v2 only; Chats absent", async () => {
      const r = await get(sim, "/api/v2/tasks");
      assert.equal(r.status, 200);
      assert.equal(r.body.count, 20);
      assert.equal(r.body.tasks.length, 20);
      assertRouteNotFound(await get(sim, "/api/experimental/tasks"));
      assertRouteNotFound(await get(sim, "/api/v2/chats"));
      assertRouteNotFound(await get(sim, "/api/experimental/chats"));
      assertRouteNotFound(await get(sim, "/api/v2/nope"));
    });
    await t.step("users, organizations", async () => {
      const me = await get(sim, "/api/v2/users/me");
      assert.equal(me.body.username, "admin");
      assert.equal(sim.username, "admin");
      const alice = await get(sim, "/api/v2/users/alice");
      assert.equal(alice.body.username, "alice");
      const byId = await get(sim, `/api/v2/users/${alice.body.id}`);
      assert.equal(byId.body.username, "alice");
      const nobody = await get(sim, "/api/v2/users/nobody");
      assert.equal(nobody.status, 400);
      assert.equal(nobody.body.message, '"user" must be an existing uuid or username.');
      const orgs = await get(sim, "/api/v2/users/me/organizations");
      assert.equal(orgs.body.length, 1);
      assert.equal(orgs.body[0].is_default, true);
    });
    await t.step("templates and PascalCase presets", async () => {
      const all = await get(sim, "/api/v2/templates");
      assert.equal(all.body.length, 3);
      const ai = await get(sim, "/api/v2/templates?q=has-ai-task:true");
      assert.deepEqual(ai.body.map((x: Json) => x.name).sort(), ["claude-code", "codex"]);
      const org = ai.body[0].organization_id;
      const byName = await get(sim, `/api/v2/organizations/${org}/templates/codex`);
      assert.equal(byName.body.name, "codex");
      assert.equal((await get(sim, `/api/v2/organizations/${org}/templates/zzz`)).status, 404);
      for (const tpl of ai.body) {
        const p = await get(sim, `/api/v2/templateversions/${tpl.active_version_id}/presets`);
        assert.ok(p.body.length >= 2 && p.body.length <= 3);
        assert.equal(p.body.filter((x: Json) => x.Default === true).length, 1);
        assert.deepEqual(Object.keys(p.body[0]), [
          "ID",
          "Name",
          "Parameters",
          "Default",
          "DesiredPrebuildInstances",
          "Description",
          "Icon",
        ]);
      }
      const bad = await get(sim, "/api/v2/templateversions/not-a-uuid/presets");
      assert.equal(bad.status, 400);
      assert.equal(bad.body.message, 'Invalid UUID "not-a-uuid".');
      assert.equal(bad.body.detail, "invalid UUID length: 10");
    });
  });
});

Deno.test("tasks: wire shape, q filters, lookup by name and UUID", async (t) => {
  await withSim({ profile: "tasks", tasks: 30 }, async (sim) => {
    const list = (await get(sim, "/api/v2/tasks")).body.tasks as Json[];
    await t.step("v2.29+ shape", () => {
      const x = list[0];
      assert.equal(typeof x.workspace_id, "object");
      assert.equal(typeof x.workspace_id.uuid, "string");
      assert.equal(typeof x.workspace_id.valid, "boolean");
      const statuses = new Set(list.map((x) => x.status));
      for (const s of statuses) {
        assert.ok(["pending", "initializing", "active", "paused", "error"].includes(s), s);
      }
      const states = new Set(list.filter((x) => x.current_state).map((x) => x.current_state.state));
      for (const s of ["working", "idle", "complete", "failed"]) assert.ok(states.has(s), s);
      assert.ok(list.some((x) => x.status === "active" && x.current_state === null));
      assert.ok(list.every((x) => !Number.isNaN(Date.parse(x.created_at))));
      const created = list.map((x) => Date.parse(x.created_at));
      assert.deepEqual(created, [...created].sort((a, b) => b - a));
    });
    await t.step("q: owner, status, organization; bad terms", async () => {
      const alice = (await get(sim, "/api/v2/tasks?q=owner:alice")).body;
      assert.ok(alice.count > 0 && alice.count < list.length);
      assert.ok(alice.tasks.every((x: Json) => x.owner_name === "alice"));
      const me = (await get(sim, "/api/v2/tasks?q=" + encodeURIComponent("owner:me status:paused")))
        .body;
      assert.ok(me.tasks.every((x: Json) => x.owner_name === "admin" && x.status === "paused"));
      const paused = (await get(sim, "/api/v2/tasks?q=status:paused")).body;
      assert.equal(paused.count, list.filter((x) => x.status === "paused").length);
      const org = (await get(sim, "/api/v2/tasks?q=organization:coder")).body;
      assert.equal(org.count, list.length);
      const nobody = (await get(sim, "/api/v2/tasks?q=owner:nobody")).body;
      assert.equal(nobody.count, 0);
      for (const q of ["bogus:1", "hello", "status:sleeping"]) {
        const bad = await get(sim, "/api/v2/tasks?q=" + encodeURIComponent(q));
        assert.equal(bad.status, 400, q);
        assert.equal(bad.body.message, "Invalid query parameters.");
        assert.equal(bad.body.validations[0].field, "q");
      }
    });
    await t.step("get by name / UUID / me; wrong owner is 404", async () => {
      const x = list.find((x) => x.owner_name === "alice")!;
      const byName = await get(sim, `/api/v2/tasks/alice/${x.name}`);
      assert.equal(byName.body.id, x.id);
      const byId = await get(sim, `/api/v2/tasks/${x.owner_id}/${x.id}`);
      assert.equal(byId.body.name, x.name);
      const wrong = await get(sim, `/api/v2/tasks/bob/${x.id}`);
      assert.equal(wrong.status, 404);
      assert.equal(
        wrong.body.message,
        "Resource not found or you do not have access to this resource",
      );
      const mine = list.find((x) => x.owner_name === "admin")!;
      assert.equal((await get(sim, `/api/v2/tasks/me/${mine.name}`)).body.id, mine.id);
      const unknown = await get(sim, `/api/v2/tasks/nonexistent/${x.id}`);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.detail, 'queried user="nonexistent"');
    });
    await t.step("delete: 202 and gone", async () => {
      const x = list[list.length - 1];
      const del = await call(sim, "DELETE", `/api/v2/tasks/${x.owner_name}/${x.id}`);
      assert.equal(del.status, 202);
      assert.equal((await get(sim, `/api/v2/tasks/${x.owner_name}/${x.id}`)).status, 404);
      const after = (await get(sim, "/api/v2/tasks")).body;
      assert.equal(after.count, list.length - 1);
      assert.ok(!sim.taskIds().includes(x.id));
    });
  });
});

Deno.test("tasks: create validation and errors", async () => {
  await withSim({ profile: "tasks", tasks: 2 }, async (sim) => {
    const tpl = (await get(sim, "/api/v2/templates?q=has-ai-task:true")).body[0];
    const presets = (await get(sim, `/api/v2/templateversions/${tpl.active_version_id}/presets`))
      .body;
    const missing = await call(sim, "POST", "/api/v2/tasks/me", {
      template_version_id: tpl.active_version_id,
    });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.validations[0].field, "input");
    const badTv = await call(sim, "POST", "/api/v2/tasks/me", {
      input: "x",
      template_version_id: crypto.randomUUID(),
    });
    assert.equal(badTv.status, 400);
    assert.equal(badTv.body.message, "Template version not found.");
    const ok = await call(sim, "POST", "/api/v2/tasks/alice", {
      input: "Fix the flaky payments test",
      name: "fix-flaky-1",
      display_name: "Fix flaky",
      template_version_id: tpl.active_version_id,
      template_version_preset_id: presets[1].ID,
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.status, "pending");
    assert.equal(ok.body.owner_name, "alice");
    assert.equal(ok.body.name, "fix-flaky-1");
    assert.equal(ok.body.initial_prompt, "Fix the flaky payments test");
    const dup = await call(sim, "POST", "/api/v2/tasks/alice", {
      input: "again",
      name: "fix-flaky-1",
      template_version_id: tpl.active_version_id,
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.message, 'Task "fix-flaky-1" already exists.');
    assert.deepEqual(dup.body.validations, [{
      field: "name",
      detail: "This value is already in use and should be unique.",
    }]);
    const noName = await call(sim, "POST", "/api/v2/tasks/me", {
      input: "Add dark mode please",
      template_version_id: tpl.active_version_id,
    });
    assert.equal(noName.status, 201);
    assert.match(noName.body.name, /^add-dark-mode-[0-9a-f]{4}$/);
    const logs = await get(sim, `/api/v2/tasks/me/${noName.body.id}/logs`);
    assert.equal(logs.status, 400);
    assert.equal(logs.body.message, "Task is not configured with a sidebar app.");
  });
});

Deno.test("tasks: send, busy 409, pause with snapshot logs, input update, resume", async (t) => {
  await withSim({ profile: "tasks", tasks: 12, pace: 0.001 }, async (sim) => {
    const list = (await get(sim, "/api/v2/tasks")).body.tasks as Json[];
    const x = list.find((x) => x.status === "active" && x.current_state?.state === "idle")!;
    const base = `/api/v2/tasks/${x.owner_name}/${x.name}`;
    await t.step("send to idle: 204, then working and busy", async () => {
      const before = (await get(sim, `${base}/logs`)).body.logs.length;
      const sent = await call(sim, "POST", `${base}/send`, { input: "Now add tests" });
      assert.equal(sent.status, 204);
      const now = (await get(sim, base)).body;
      assert.equal(now.current_state.state, "working");
      const busy = await call(sim, "POST", `${base}/send`, { input: "more" });
      assert.equal(busy.status, 409);
      assert.equal(busy.body.message, "Task app is not ready to accept input.");
      assert.equal(busy.body.detail, "Status: working");
      const logs = (await get(sim, `${base}/logs`)).body;
      assert.equal(logs.snapshot, false);
      assert.equal(logs.logs.length, before + 1);
      assert.deepEqual(logs.logs.map((l: Json) => l.id), [...logs.logs.keys()]);
      const last = logs.logs[logs.logs.length - 1];
      assert.equal(last.type, "input");
      assert.equal(last.content, "Now add tests");
    });
    await t.step("input update only while paused", async () => {
      const r = await call(sim, "PATCH", `${base}/input`, { input: "new prompt" });
      assert.equal(r.status, 409);
      assert.equal(r.body.message, "Task input can only be updated while the task is paused.");
      assert.equal(r.body.detail, "Task status: active");
    });
    await t.step("pause: 202, paused, snapshot logs, busy send", async () => {
      const p = await call(sim, "POST", `${base}/pause`);
      assert.equal(p.status, 202);
      assert.equal(p.body.workspace_build.transition, "stop");
      assert.equal((await get(sim, base)).body.status, "paused");
      const logs = (await get(sim, `${base}/logs`)).body;
      assert.equal(logs.snapshot, true);
      assert.ok(!Number.isNaN(Date.parse(logs.snapshot_at)));
      assert.ok(logs.logs.length > 0);
      const again = await call(sim, "POST", `${base}/pause`);
      assert.equal(again.status, 409);
      assert.equal(again.body.message, "Task is not running.");
      assert.equal(again.body.detail, "Task status: paused");
      const send = await call(sim, "POST", `${base}/send`, { input: "hi" });
      assert.equal(send.status, 409);
      assert.equal(send.body.detail, "Status: paused");
      const upd = await call(sim, "PATCH", `${base}/input`, { input: "new prompt" });
      assert.equal(upd.status, 204);
      assert.equal((await get(sim, base)).body.initial_prompt, "new prompt");
    });
    await t.step("resume: 202, initializing, 400 logs, not paused 409", async () => {
      const r = await call(sim, "POST", `${base}/resume`);
      assert.equal(r.status, 202);
      assert.equal(r.body.workspace_build.transition, "start");
      assert.equal((await get(sim, base)).body.status, "initializing");
      const logs = await get(sim, `${base}/logs`);
      assert.equal(logs.status, 400);
      const again = await call(sim, "POST", `${base}/resume`);
      assert.equal(again.status, 409);
      assert.equal(again.body.message, "Task is not paused.");
    });
    await t.step("error task: logs 409", async () => {
      const e = list.find((x) => x.status === "error")!;
      const r = await get(sim, `/api/v2/tasks/${e.owner_name}/${e.id}/logs`);
      assert.equal(r.status, 409);
      assert.equal(r.body.message, "Task is in an error state.");
    });
  });
});

Deno.test("tasks: state evolves over paced time", async () => {
  await withSim({ profile: "tasks", tasks: 3, pace: 2000 }, async (sim) => {
    const tpl = (await get(sim, "/api/v2/templates?q=has-ai-task:true")).body[0];
    const created = await call(sim, "POST", "/api/v2/tasks/me", {
      input: "Speed up CI",
      template_version_id: tpl.active_version_id,
    });
    assert.equal(created.body.status, "pending");
    const path = `/api/v2/tasks/me/${created.body.id}`;
    const settled: Json = await until(async () => {
      const x = (await get(sim, path)).body;
      return x.status === "active" && x.current_state && x.current_state.state !== "working" && x;
    }, "task to settle");
    assert.ok(["idle", "complete", "failed"].includes(settled.current_state.state));
    assert.ok(Date.parse(settled.updated_at) > Date.parse(settled.created_at));
    assert.ok(Date.parse(settled.current_state.timestamp) <= Date.now() + 1000);
    const logs = (await get(sim, `${path}/logs`)).body.logs as Json[];
    assert.ok(logs.length >= 2);
    assert.ok(logs.every((l) => l.type === "output"));
    assert.match(logs[0].content, /Speed up CI/);
    assert.ok(logs[1].content.split("\n").some((l: string) => / {2,}$/.test(l)), "padded lines");
    assert.equal((await call(sim, "POST", `${path}/send`, { input: "Go on" })).status, 204);
    await until(async () => {
      const x = (await get(sim, path)).body;
      return x.current_state.state !== "working";
    }, "task to finish the input");
    const after = (await get(sim, `${path}/logs`)).body.logs as Json[];
    assert.equal(after.length, logs.length + 2);
    assert.deepEqual(after.slice(-2).map((l) => l.type), ["input", "output"]);
    // resume goes initializing -> active idle
    assert.equal((await call(sim, "POST", `${path}/pause`)).status, 202);
    assert.equal((await call(sim, "POST", `${path}/resume`)).status, 202);
    const resumed: Json = await until(async () => {
      const x = (await get(sim, path)).body;
      return x.status === "active" && x;
    }, "resume");
    assert.equal(resumed.current_state.state, "idle");
  });
});

Deno.test("old profile: v2.27 shapes, experimental prefix, 502 busy", async () => {
  await withSim({ profile: "old", tasks: 12, pace: 0.001 }, async (sim) => {
    const info = await call(sim, "GET", "/api/v2/buildinfo", undefined, null);
    assert.equal(info.body.version, "v2.27.1");
    assertRouteNotFound(await get(sim, "/api/v2/tasks"));
    assertRouteNotFound(await get(sim, "/api/v2/chats"));
    assert.equal((await get(sim, "/api/experimental/chats")).status, 200);
    const list = (await get(sim, "/api/experimental/tasks")).body;
    assert.equal(list.count, 12);
    const x = list.tasks[0] as Json;
    assert.deepEqual(Object.keys(x), [
      "id",
      "organization_id",
      "owner_id",
      "owner_name",
      "name",
      "template_id",
      "template_name",
      "template_display_name",
      "template_icon",
      "workspace_id",
      "workspace_agent_id",
      "workspace_agent_lifecycle",
      "workspace_agent_health",
      "initial_prompt",
      "status",
      "current_state",
      "created_at",
      "updated_at",
    ]);
    assert.equal(x.workspace_id, x.id);
    assert.match(x.created_at, /\+01:00$/);
    const statuses = new Set(list.tasks.map((t: Json) => t.status));
    for (const s of statuses) {
      assert.ok(["pending", "starting", "running", "stopped", "failed"].includes(s as string));
    }
    assert.ok(
      list.tasks.some((t: Json) => t.status === "pending" && t.workspace_agent_id === null),
    );
    const working = list.tasks.find((t: Json) => t.current_state?.state === "working");
    const busy = await call(
      sim,
      "POST",
      `/api/experimental/tasks/${working.owner_name}/${working.id}/send`,
      {
        input: "hi",
      },
    );
    assert.equal(busy.status, 502);
    assert.deepEqual(busy.body, {
      message: "Task app is not ready to accept input.",
      detail: "Status: running",
    });
    const logs =
      (await get(sim, `/api/experimental/tasks/${working.owner_name}/${working.id}/logs`))
        .body;
    assert.deepEqual(Object.keys(logs), ["logs"]);
    assert.match(logs.logs[0].time, /Z$/);
  });
});

Deno.test("chats profile: routes, list filters, archived, lookup", async (t) => {
  await withSim({ profile: "chats", chats: 24 }, async (sim) => {
    await t.step("routes", async () => {
      const info = await call(sim, "GET", "/api/v2/buildinfo", undefined, null);
      assert.equal(info.body.version, "v2.37.0");
      assertRouteNotFound(await get(sim, "/api/v2/tasks"));
      assertRouteNotFound(await get(sim, "/api/experimental/tasks"));
      const v2 = await get(sim, "/api/v2/chats");
      const exp = await get(sim, "/api/experimental/chats");
      assert.equal(v2.status, 200);
      assert.ok(Array.isArray(v2.body));
      assert.deepEqual(exp.body.map((c: Json) => c.id), v2.body.map((c: Json) => c.id));
    });
    await t.step("archived hidden by default; archived:true shows them", async () => {
      const list = (await get(sim, "/api/v2/chats")).body as Json[];
      assert.deepEqual(list.map((c) => c.id).sort(), sim.chatIds().sort());
      assert.ok(list.every((c) => c.archived === false));
      const archived = (await get(sim, "/api/v2/chats?q=archived:true")).body as Json[];
      assert.ok(archived.length > 0);
      assert.equal(list.length + archived.length, 24);
      assert.ok(archived.every((c) => c.archived === true && !sim.chatIds().includes(c.id)));
      assert.equal((sim.chat(archived[0].id) as Json).archived, true);
      const one = await get(sim, `/api/v2/chats/${archived[0].id}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.archived, true);
    });
    await t.step("statuses and fields", async () => {
      const list = (await get(sim, "/api/v2/chats")).body as Json[];
      const statuses = new Set(list.map((c) => c.status));
      for (const s of ["waiting", "running", "requires_action", "error"]) {
        assert.ok(statuses.has(s));
      }
      const c = list[0];
      assert.equal(typeof c.owner_username, "string");
      assert.equal(typeof c.labels, "object");
      assert.equal(typeof c.last_turn_summary, "string");
      const err = list.find((c) => c.status === "error");
      assert.equal(err.last_error.kind, "overloaded");
    });
    await t.step("label, owner, title and search filters", async () => {
      const list = (await get(sim, "/api/v2/chats")).body as Json[];
      const withTeam = list.filter((c) => c.labels.team === "core");
      const core = (await get(sim, "/api/v2/chats?label=team:core")).body as Json[];
      assert.equal(core.length, withTeam.length);
      assert.ok(core.every((c) => c.labels.team === "core"));
      const both = (await get(sim, "/api/v2/chats?label=team:core&label=priority:high"))
        .body as Json[];
      assert.ok(both.every((c) => c.labels.team === "core" && c.labels.priority === "high"));
      // The chats query has no owner term (swagger): it is rejected like any unknown key.
      const owner = await get(sim, "/api/v2/chats?q=owner:alice");
      assert.equal(owner.status, 400);
      const mine = (await get(sim, "/api/v2/chats?q=source:created_by_me")).body as Json[];
      assert.ok(mine.length > 0 && mine.every((c) => c.owner_username === sim.username));
      const word = list[0].title.split(" ")[0];
      const byTitle = (await get(sim, `/api/v2/chats?q=${encodeURIComponent(`title:"${word}"`)}`))
        .body as Json[];
      assert.ok(byTitle.some((c) => c.id === list[0].id));
      assert.ok(byTitle.every((c) => c.title.toLowerCase().includes(word.toLowerCase())));
      const bare = await get(sim, "/api/v2/chats?q=hello");
      assert.equal(bare.status, 400);
      assert.equal(bare.body.validations[0].field, "q");
    });
    await t.step("UUID-only params", async () => {
      const bad = await get(sim, "/api/v2/chats/abc");
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, {
        message: 'Invalid UUID "abc".',
        detail: "invalid UUID length: 3",
      });
      const missing = await get(sim, `/api/v2/chats/${crypto.randomUUID()}`);
      assert.equal(missing.status, 404);
    });
    await t.step("models and cost", async () => {
      const m = (await get(sim, "/api/v2/chats/models")).body;
      assert.equal(m.providers.length, 2);
      assert.equal(m.providers.flatMap((p: Json) => p.models).length, 3);
      assert.ok(m.providers.some((p: Json) => p.available === false));
      const id = sim.chatIds()[0];
      const cost = (await get(sim, `/api/v2/chats/${id}/cost`)).body;
      assert.equal(cost.chat_id, id);
      assert.ok(cost.request_count > 0);
      assert.equal(typeof cost.total_cost_micros, "number");
    });
  });
});

Deno.test("chats: create, queue, interrupt, archive", async () => {
  await withSim({ profile: "both", tasks: 2, chats: 4, pace: 0.001 }, async (sim) => {
    const info = await call(sim, "GET", "/api/v2/buildinfo", undefined, null);
    assert.equal(info.body.version, "v2.35.0");
    assert.equal((await get(sim, "/api/v2/tasks")).status, 200);
    const models = (await get(sim, "/api/v2/chats/models")).body;
    const org = (await get(sim, "/api/v2/users/me/organizations")).body[0].id;
    const empty = await call(sim, "POST", "/api/v2/chats", { organization_id: org, content: [] });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.validations[0].field, "content");
    const badModel = await call(sim, "POST", "/api/v2/chats", {
      organization_id: org,
      content: [{ type: "text", text: "hi" }],
      model_config_id: crypto.randomUUID(),
    });
    assert.equal(badModel.status, 400);
    assert.equal(badModel.body.message, "Model config not found.");
    const created = await call(sim, "POST", "/api/v2/chats", {
      organization_id: org,
      content: [{ type: "text", text: "Review the auth middleware" }],
      labels: { team: "core" },
      model_config_id: models.providers[0].models[1].id,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, "running");
    assert.deepEqual(created.body.labels, { team: "core" });
    const base = `/api/v2/chats/${created.body.id}`;
    const queued = await call(sim, "POST", `${base}/messages`, {
      content: [{ type: "text", text: "also check CSRF" }],
    });
    assert.equal(queued.status, 200);
    assert.equal(queued.body.queued, true);
    assert.equal(queued.body.queued_message.content[0].text, "also check CSRF");
    const msgs = (await get(sim, `${base}/messages`)).body;
    assert.equal(msgs.queued_messages.length, 1);
    assert.equal(msgs.messages.length, 1);
    const interrupted = await call(sim, "POST", `${base}/interrupt`);
    assert.equal(interrupted.status, 200);
    assert.equal(interrupted.body.status, "waiting");
    const sent = await call(sim, "POST", `${base}/messages`, {
      content: [{ type: "text", text: "continue" }],
    });
    assert.equal(sent.body.queued, false);
    assert.equal(sent.body.message.role, "user");
    assert.equal((await get(sim, base)).body.status, "running");
    const forced = await call(sim, "POST", `${base}/messages`, {
      content: [{ type: "text", text: "stop and do this instead" }],
      busy_behavior: "interrupt",
    });
    assert.equal(forced.body.queued, false);
    assert.equal(forced.body.message.content[0].text, "stop and do this instead");
    assert.equal((await get(sim, base)).body.status, "running");
    const patch = await call(sim, "PATCH", base, { archived: true, title: "Auth review" });
    assert.equal(patch.status, 204);
    const after = (await get(sim, base)).body;
    assert.equal(after.archived, true);
    assert.equal(after.title, "Auth review");
    const list = (await get(sim, "/api/v2/chats")).body as Json[];
    assert.ok(!list.some((c) => c.id === created.body.id));
    const toArchived = await call(sim, "POST", `${base}/messages`, {
      content: [{ type: "text", text: "hello?" }],
    });
    assert.equal(toArchived.status, 400);
    assert.equal(toArchived.body.message, "Cannot send messages to an archived chat.");
  });
});

Deno.test("chats: turns end over time and queued messages are delivered", async () => {
  await withSim({ profile: "chats", chats: 2, pace: 2000 }, async (sim) => {
    const created = await call(sim, "POST", "/api/v2/chats", {
      content: [{ type: "text", text: "Explain the scheduler" }],
    });
    const base = `/api/v2/chats/${created.body.id}`;
    const q = await call(sim, "POST", `${base}/messages`, {
      content: [{ type: "text", text: "queued follow-up" }],
    });
    assert.equal(q.body.queued, true);
    const done: Json = await until(async () => {
      const c = (await get(sim, base)).body;
      if (c.status !== "waiting") return false;
      const m = (await get(sim, `${base}/messages?limit=200`)).body;
      return m.queued_messages.length === 0 && m;
    }, "chat to finish both turns");
    const msgs = done.messages as Json[];
    const ids = msgs.map((m) => m.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), "newest first");
    const userTexts = msgs.filter((m) => m.role === "user").map((m) => m.content[0].text);
    assert.deepEqual(userTexts, ["queued follow-up", "Explain the scheduler"]);
    const types = new Set(msgs.flatMap((m) => m.content.map((p: Json) => p.type)));
    for (const ty of ["text", "reasoning", "tool-call", "tool-result"]) {
      assert.ok(types.has(ty), ty);
    }
    const call_ = msgs.flatMap((m) => m.content).find((p: Json) => p.type === "tool-call");
    assert.equal(typeof call_.args, "object");
    const chat = (await get(sim, base)).body;
    assert.ok(chat.last_turn_summary.length > 0);
    assert.equal(chat.has_unread, true);
  });
});

Deno.test("chats: message paging with before_id, after_id, limit, has_more", async () => {
  await withSim({ profile: "chats", chats: 12, pace: 0.001 }, async (sim) => {
    let best: { id: string; all: Json[] } = { id: "", all: [] };
    for (const id of sim.chatIds()) {
      const all = (await get(sim, `/api/v2/chats/${id}/messages?limit=200`)).body.messages;
      if (all.length > best.all.length) best = { id, all };
    }
    assert.ok(best.all.length > 8, "a seeded chat with a long history");
    const base = `/api/v2/chats/${best.id}/messages`;
    const first = (await get(sim, `${base}?limit=3`)).body;
    assert.deepEqual(first.messages.map((m: Json) => m.id), best.all.slice(0, 3).map((m) => m.id));
    assert.equal(first.has_more, true);
    const seen: number[] = [];
    let page = first;
    while (true) {
      seen.push(...page.messages.map((m: Json) => m.id));
      if (!page.has_more) break;
      const last = page.messages[page.messages.length - 1].id;
      page = (await get(sim, `${base}?limit=3&before_id=${last}`)).body;
    }
    assert.deepEqual(seen, best.all.map((m) => m.id));
    const oldest = best.all[best.all.length - 1].id;
    const fwd = (await get(sim, `${base}?limit=2&after_id=${oldest}`)).body;
    const expected = best.all.slice(-3, -1).map((m) => m.id);
    assert.deepEqual(fwd.messages.map((m: Json) => m.id), expected);
    assert.equal(fwd.has_more, true);
    const newest = best.all[0].id;
    const none = (await get(sim, `${base}?after_id=${newest}`)).body;
    assert.deepEqual(none.messages, []);
    assert.equal(none.has_more, false);
    for (const limit of ["0", "201", "abc"]) {
      const bad = await get(sim, `${base}?limit=${limit}`);
      assert.equal(bad.status, 400, limit);
    }
  });
});

Deno.test("faults, latency and the request log", async (t) => {
  await withSim({ profile: "tasks", tasks: 3 }, async (sim) => {
    await t.step("status faults with times, Retry-After, default body", async () => {
      sim.fault("/api/v2/tasks", { status: 503, times: 2, retryAfter: 3 });
      const a = await get(sim, "/api/v2/tasks");
      assert.equal(a.status, 503);
      assert.equal(a.headers.get("retry-after"), "3");
      assert.deepEqual(a.body, { message: "Internal error." });
      assert.equal((await get(sim, "/api/v2/tasks")).status, 503);
      assert.equal((await get(sim, "/api/v2/tasks")).status, 200);
    });
    await t.step("regex and method filter, custom body, clearFaults", async () => {
      sim.fault(/\/send$/, { status: 500, method: "POST", body: { message: "boom" } });
      const x = (await get(sim, "/api/v2/tasks")).body.tasks[0];
      const r = await call(sim, "POST", `/api/v2/tasks/${x.owner_name}/${x.id}/send`, {
        input: "x",
      });
      assert.equal(r.status, 500);
      assert.deepEqual(r.body, { message: "boom" });
      assert.equal((await get(sim, `/api/v2/tasks/${x.owner_name}/${x.id}/send`)).status, 405);
      sim.clearFaults();
      const again = await call(sim, "POST", `/api/v2/tasks/${x.owner_name}/${x.id}/send`, {
        input: "x",
      });
      assert.notEqual(again.status, 500);
    });
    await t.step("delay faults and latency hold the answer back", async () => {
      sim.fault("/api/v2/users/me", { delayMs: 60, times: 1 });
      let t0 = performance.now();
      assert.equal((await get(sim, "/api/v2/users/me")).status, 200);
      assert.ok(performance.now() - t0 >= 50);
      sim.setLatency(60);
      t0 = performance.now();
      await get(sim, "/api/v2/buildinfo");
      assert.ok(performance.now() - t0 >= 50);
      sim.setLatency(0);
    });
    await t.step("request log", async () => {
      sim.clearRequests();
      await get(sim, "/api/v2/tasks?q=owner:me");
      await call(sim, "GET", "/api/v2/tasks", undefined, "bad");
      assert.equal(sim.requests.length, 2);
      assert.deepEqual(
        sim.requests.map((r) => [r.method, r.path, r.query, r.status]),
        [["GET", "/api/v2/tasks", "q=owner:me", 200], ["GET", "/api/v2/tasks", "", 401]],
      );
      assert.ok(sim.requests[0].at <= sim.requests[1].at);
    });
  });
});

Deno.test("a hanging fault ends when the sim closes", async () => {
  const sim = await startSim({ tasks: 1 });
  sim.fault("/api/v2/tasks", { delayMs: 60_000, status: 500 });
  const pending = fetch(sim.url + "/api/v2/tasks", {
    headers: { "Coder-Session-Token": sim.token },
  }).then(async (r) => {
    await r.body?.cancel();
    return r.status;
  }).catch(() => 0);
  // The request has reached the sim (and is held by the fault).
  await holds(() => sim.requests.length > 0, "the request to reach the sim");
  assert.equal(sim.requests[0].fault, "status");
  const t0 = performance.now();
  await sim.close();
  assert.ok(performance.now() - t0 < 30_000, "close did not wait for the 60 s hang");
  const status = await pending;
  assert.ok(status === 500 || status === 0);
});

Deno.test("rate limit: 512 per route per minute, then 429 with Retry-After", async () => {
  await withSim({ profile: "tasks", tasks: 1 }, async (sim) => {
    for (let i = 0; i < 512; i += 64) {
      const batch = await Promise.all(
        Array.from({ length: 64 }, () => get(sim, "/api/v2/users/me")),
      );
      assert.ok(batch.every((r) => r.status === 200));
    }
    const limited = await get(sim, "/api/v2/users/me");
    assert.equal(limited.status, 429);
    assert.equal(
      limited.body.message,
      "You've been rate limited for sending more than 512 requests in 1m0s.",
    );
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    // other routes (and the same template with another parameter value) count separately
    assert.equal((await get(sim, "/api/v2/users/me/organizations")).status, 200);
    assert.equal((await get(sim, "/api/v2/users/alice")).status, 429);
  });
});

Deno.test("truth() uses the normalized mapping and follows test controls", async () => {
  await withSim({ profile: "both", tasks: 20, chats: 20, pace: 0.001 }, async (sim) => {
    const tr = sim.truth();
    const archived = (await get(sim, "/api/v2/chats?q=archived:true")).body.length;
    assert.ok(archived > 0);
    assert.equal(tr.by_kind.task, 20);
    assert.equal(tr.by_kind.chat, 20 - archived);
    assert.equal(tr.total, 40 - archived);
    assert.equal(Object.values(tr.by_state).reduce((a, b) => a + b, 0), tr.total);
    // by_id: every live agent once, and its states add up to by_state.
    assert.deepEqual(Object.keys(tr.by_id).sort(), [...sim.taskIds(), ...sim.chatIds()].sort());
    const fromIds: Record<string, number> = {};
    for (const s of Object.values(tr.by_id)) fromIds[s] = (fromIds[s] ?? 0) + 1;
    assert.deepEqual(fromIds, tr.by_state);
    for (const s of ["starting", "working", "idle", "complete", "failed", "paused", "error"]) {
      assert.ok((tr.by_state[s] ?? 0) > 0, s);
    }
    const idle = sim.taskIds().find((id) =>
      (sim.task(id) as Json).current_state?.state === "idle"
    )!;
    sim.setTask(idle, { status: "paused" });
    assert.equal(sim.truth().by_state.paused, tr.by_state.paused + 1);
    assert.equal(sim.truth().by_id[idle], "paused");
    assert.equal((sim.task(idle) as Json).status, "paused");
    const failed = sim.taskIds().find((id) => (sim.task(id) as Json).status === "paused")!;
    sim.setTask(failed, { status: "active", state: "failure", message: "stuck" });
    const raw = sim.task(failed) as Json;
    assert.equal(raw.current_state.state, "failure");
    assert.equal(raw.current_state.message, "stuck");
    const waiting = sim.chatIds().find((id) =>
      (sim.chat(id) as Json).status === "waiting" &&
      !(sim.chat(id) as Json).archived
    )!;
    const before = sim.truth();
    sim.setChat(waiting, { status: "error", summary: "model down" });
    const after = sim.truth();
    assert.equal(after.by_state.error, before.by_state.error + 1);
    assert.equal((sim.chat(waiting) as Json).last_turn_summary, "model down");
    sim.setChat(waiting, { archived: true });
    assert.equal(sim.truth().by_kind.chat, before.by_kind.chat - 1);
    assert.ok(!sim.chatIds().includes(waiting));
  });
});

Deno.test("same seed, same fleet; 1000-agent fleets list", async () => {
  const a = await startSim({ seed: 7, tasks: 5 });
  const b = await startSim({ seed: 7, tasks: 5 });
  try {
    const na = (await get(a, "/api/v2/tasks")).body.tasks.map((x: Json) => x.name);
    const nb = (await get(b, "/api/v2/tasks")).body.tasks.map((x: Json) => x.name);
    assert.deepEqual(na, nb);
  } finally {
    await a.close();
    await b.close();
  }
  await withSim({ profile: "both", tasks: 1000, chats: 1000 }, async (sim) => {
    const tasks = (await get(sim, "/api/v2/tasks")).body;
    assert.equal(tasks.count, 1000);
    assert.equal(new Set(tasks.tasks.map((x: Json) => x.id)).size, 1000);
    const chats = (await get(sim, "/api/v2/chats")).body as Json[];
    assert.equal(chats.length, sim.truth().by_kind.chat);
    assert.ok(chats.length > 800);
    assert.equal(sim.truth().total, 1000 + chats.length);
  });
});

Deno.test("sim CLI flags", async () => {
  const { parseSimArgs } = await import("../../src/sim/main.ts");
  assert.deepEqual(
    parseSimArgs(["--profile", "old", "--tasks", "5", "--chats", "2", "--pace", "10"]),
    {
      profile: "old",
      tasks: 5,
      chats: 2,
      port: undefined,
      pace: 10,
      latencyMs: undefined,
      seed: undefined,
    },
  );
  assert.deepEqual(
    parseSimArgs([
      "--profile",
      "both",
      "--seed",
      "11",
      "--latency",
      "20",
      "--rate-limit",
      "0",
      "--log",
    ]),
    {
      profile: "both",
      tasks: undefined,
      chats: undefined,
      port: undefined,
      pace: undefined,
      latencyMs: 20,
      seed: 11,
      rateLimit: 0,
      log: true,
    },
  );
  assert.throws(() => parseSimArgs(["--rate-limit", "-1"]), /--rate-limit/);
  assert.throws(() => parseSimArgs(["--profile", "new"]), /--profile/);
  assert.throws(() => parseSimArgs(["--tasks", "x"]), /--tasks/);
});
