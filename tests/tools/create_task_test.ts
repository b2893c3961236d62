/**
 * create_task's choice of back end (DESIGN: kind; else the only back end; else a task when a
 * template or preset is given, a chat otherwise) and the promises of its text. In process, on
 * the sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { onSim } from "./on_sim.ts";

Deno.test("create_task: on a Coder with one back end, that one, whatever template and preset say", async () => {
  // Tasks only: no template means no chat (there is none), but the task back end's own answer.
  await onSim({ sim: { profile: "tasks", tasks: 1 } }, async ({ call }) => {
    const r = await call("create_task", { prompt: "Fix the login bug" });
    assert.ok(!r.isError, r.text);
    assert.equal(r.text.split("\n")[0], "Created 0 of 1 tasks:");
    assert.match(r.data.failed[0].error, /^Several templates can run tasks \(claude-code, codex\)/);
    assert.match(r.text, /^- failed #0: Several templates .*Next: Call list_templates/m);
    assert.doesNotMatch(r.text, /wait_for_agents/, "no next step about agents that were not made");
  });
  // Chats only: a template or preset is no reason to look for a task back end.
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ call }) => {
    const r = await call("create_task", { prompt: "Fix the login bug", preset: "Coder" });
    assert.ok(!r.isError, r.text);
    assert.equal(r.data.created.length, 1, r.text);
    assert.equal(r.data.created[0].kind, "chat");
    assert.equal(r.text.split("\n")[0], "Created 1 of 1 chats:");
    assert.match(
      r.text,
      /^Model: Claude Sonnet 4\.5 \(anthropic\), Coder's default for you \(no model was named\)$/m,
    );
    assert.match(r.text, /^Next: wait_for_agents with these ids to learn when they settle\.$/m);
  });
});

Deno.test("create_task: exactly one of prompt and prompts; several prompts name agents -1, -2", async () => {
  await onSim({ sim: { profile: "both", tasks: 1, chats: 1 } }, async ({ call }) => {
    for (const args of [{}, { prompt: "a", prompts: ["b"] }]) {
      const r = await call("create_task", args);
      assert.equal(r.isError, true, r.text);
      assert.equal(
        r.text,
        "Error: Give exactly one of prompt or prompts.\nNext: Use prompt for one agent, prompts for several.",
      );
    }
    // Both back ends: a template means a task; the name takes a suffix per prompt.
    const r = await call("create_task", {
      prompts: ["One", "Two"],
      template: "claude-code",
      name: "batch",
    });
    assert.ok(!r.isError, r.text);
    assert.equal(r.text.split("\n")[0], "Created 2 of 2 tasks:");
    assert.deepEqual(
      r.data.created.map((c: { name: string; kind: string }) => [c.kind, c.name]).sort(),
      [["task", "batch-1"], ["task", "batch-2"]],
    );
    assert.doesNotMatch(r.text, /^Model:/m, "a task names no model");
    // A named model is not "Coder's default".
    const chat = await call("create_task", { prompt: "Three", model: "Claude Opus 4.1" });
    assert.ok(!chat.isError, chat.text);
    assert.equal(chat.data.created[0].kind, "chat");
    assert.match(chat.text, /^Model: Claude Opus 4\.1 \(anthropic\)$/m);
  });
});

Deno.test("create_task: kind chooses the back end, whatever template says", async () => {
  await onSim({ sim: { profile: "both", tasks: 1, chats: 1 } }, async ({ call }) => {
    // A task without a template, where two can run tasks: the task back end's own refusal.
    const task = await call("create_task", { prompt: "One", kind: "task" });
    assert.ok(!task.isError, task.text);
    assert.equal(task.text.split("\n")[0], "Created 0 of 1 tasks:");
    assert.match(task.data.failed[0].error, /^Several templates can run tasks/);
    // A chat, though a template is named.
    const chat = await call("create_task", {
      prompt: "Two",
      kind: "chat",
      template: "claude-code",
    });
    assert.ok(!chat.isError, chat.text);
    assert.equal(chat.text.split("\n")[0], "Created 1 of 1 chats:");
    assert.equal(chat.data.created[0].kind, "chat");
  });
});

Deno.test("create_task: a chat for another user is one clear error; a lost answer is uncertain", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ sim, call }) => {
    const before = sim.chatIds().length;
    const r = await call("create_task", { prompts: ["a", "b"], owner: "bob" });
    assert.equal(r.isError, true, r.text);
    assert.equal(
      r.text,
      "Error: A chat cannot be created for another user (bob): Coder would make bob its owner, " +
        "and the chat would then be invisible to you and could not be driven (only its owner " +
        "may send to it).\nNext: leave owner out to create the chat as yourself, or give " +
        'template or preset (kind "task") to create a task for bob',
    );
    assert.equal(sim.chatIds().length, before, "nothing was created");
    // A gateway's 502 on the create: Coder may have made it; check before creating it again.
    sim.fault("/api/v2/chats", { method: "POST", status: 502, body: {} });
    const lost = await call("create_task", { prompts: ["c", "d"] });
    assert.ok(!lost.isError, lost.text);
    assert.deepEqual(lost.data.created, []);
    assert.deepEqual(lost.data.failed, []);
    assert.deepEqual(lost.data.uncertain.map((u: { index: number }) => u.index), [0, 1]);
    for (const u of lost.data.uncertain) {
      assert.match(
        u.error,
        / Next: check with list_agents \(query= its name or prompt\) before creating it again: Coder may have created it\.$/,
      );
    }
    assert.match(lost.text, /^- uncertain #1: .* Next: check with list_agents/m);
    assert.doesNotMatch(lost.text, /^- failed/m);
  });
});

Deno.test("create_task: failed and uncertain apart; a failure's line is one of 600; no empty line", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ sim, call }) => {
    // One create's answer lost at a gateway, the other refused by Coder: one of each list.
    sim.fault("/api/v2/chats", { method: "POST", status: 502, body: {}, times: 1 });
    const stop = sim.fault("/api/v2/chats", {
      method: "POST",
      status: 400,
      body: { message: "Bad prompt." },
    });
    const r = await call("create_task", { prompts: ["a", "b"] });
    assert.ok(!r.isError, r.text);
    assert.equal(r.data.failed.length, 1, r.text);
    assert.equal(r.data.uncertain.length, 1, r.text);
    assert.deepEqual([r.data.failed[0].index, r.data.uncertain[0].index].sort(), [0, 1]);
    assert.match(r.data.failed[0].error, /Bad prompt.*Next: Coder rejected the arguments/);
    assert.match(r.data.uncertain[0].error, /Next: check with list_agents/);
    assert.doesNotMatch(r.text, /\n\n|^\n|\n$/, "no empty line");
    assert.equal(r.text.split("\n").length, 3, r.text);
    stop();
    // Coder's answer sized (its validation's detail) so that the failure is 600 characters, then 601: whole, then cut.
    const failure = async (n: number) => {
      const off = sim.fault("/api/v2/chats", {
        method: "POST",
        status: 400,
        body: {
          message: "m".repeat(200),
          detail: "d".repeat(200),
          validations: [{ field: "prompt", detail: "v".repeat(n) }],
        },
      });
      const f = await call("create_task", { prompt: "c" });
      off();
      return { error: f.data.failed[0].error as string, line: f.text.split("\n")[1] };
    };
    const probe = await failure(10);
    const fits = await failure(10 + 600 - probe.error.length);
    assert.equal(fits.error.length, 600);
    assert.equal(fits.line, `- failed #0: ${fits.error}`);
    const over = await failure(11 + 600 - probe.error.length);
    assert.equal(over.error.length, 601);
    assert.equal(over.line, `- failed #0: ${over.error.slice(0, 599)}…`);
  });
});

Deno.test("create_task: one prompt keeps its name as given; several without a name get none", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 1 } }, async ({ call }) => {
    const one = await call("create_task", { prompt: "One", template: "codex", name: "solo" });
    assert.ok(!one.isError, one.text);
    assert.equal(one.data.created[0].name.split("/").at(-1), "solo");
    const two = await call("create_task", { prompts: ["Two", "Three"], template: "codex" });
    assert.equal(two.data.created.length, 2, two.text);
    for (const c of two.data.created) assert.doesNotMatch(c.name, /undefined|-[12]$/, c.name);
  });
});

Deno.test("create_task: the model line names the created chats' model, cut to 120 characters", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ sim, call }) => {
    const get = async (path: string) =>
      await (await fetch(`${sim.url}${path}`, {
        headers: { "Coder-Session-Token": sim.token },
      })).json();
    const [org] = await get("/api/v2/users/me/organizations") as { id: string }[];
    const route = `/api/v2/organizations/${org.id}/chats/models`;
    // The same catalog, every model's display name and provider type 100 characters long (the
    // most the mapping keeps): a label of 203 characters.
    const catalog = await get(route) as {
      models: { display_name?: string }[];
      providers: { type?: string }[];
    };
    for (const m of catalog.models) m.display_name = "M".repeat(100);
    for (const p of catalog.providers) p.type = "p".repeat(100);
    sim.fault(route, { kind: "wrong_shape", method: "GET", body: catalog });
    const r = await call("create_task", { prompts: ["one", "two"] });
    assert.ok(!r.isError, r.text);
    assert.equal(r.data.created.length, 2, r.text);
    const label = `${"M".repeat(100)} (${"p".repeat(100)})`;
    const cut = `${label.slice(0, 119)}…`;
    assert.equal(
      r.text.split("\n").find((l) => l.startsWith("Model: ")),
      `Model: ${cut}, Coder's default for you (no model was named)`,
    );
  });
});
