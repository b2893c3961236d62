/**
 * The lifecycle tools' answers (stop_agents, resume_agents, delete_agents: tools/actions.ts),
 * line by line: the counts first (a dry run's and a real run's, with uncertain and duplicate only
 * when there are some), one line per agent with its outcome and why, the id beside an agent that
 * `where` chose, and what each tool would do with each kind and state. In process, on the sim
 * (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { resultLine } from "../../src/tools/actions.ts";
import { onSim } from "./on_sim.ts";

const NOT_FOUND = (h: string) =>
  `- ${h}: failed (No agent "${h}" was found. Next: A bare name means one of your own agents; ` +
  "use owner/name for another user's, or find it with list_agents.)";

Deno.test("actions: what each tool would do with a task in each state, and the counts", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    const ids = sim.taskIds();
    const state = sim.truth().by_id;
    const paused = ids.filter((id) => state[id] === "paused");
    const others = ids.filter((id) => state[id] !== "paused");
    assert.ok(paused.length === 1 && others.length === 5, ids.map((id) => state[id]).join());
    const named = [...ids, ids[0], "nobody"];

    const stop = await call("stop_agents", { agents: named, dry_run: true });
    assert.ok(!stop.isError, stop.text);
    assert.deepEqual(stop.text.split("\n"), [
      "Dry run: 5 would be acted on, 1 skipped, 1 cannot be, duplicate 1.",
      ...ids.map((id) =>
        state[id] === "paused"
          ? `- ${id}: skipped (would skip: already paused)`
          : `- ${id}: would (pause task (now ${state[id]}))`
      ),
      `- ${ids[0]}: duplicate (same agent as "${ids[0]}" (item 1): handled once)`,
      NOT_FOUND("nobody"),
    ]);
    assert.deepEqual(stop.data.results.at(-1), {
      agent: "nobody",
      outcome: "failed",
      detail: 'No agent "nobody" was found. Next: A bare name means one of your own agents; ' +
        "use owner/name for another user's, or find it with list_agents.",
    });
    assert.equal(stop.data.results[0].kind, "task");
    assert.equal(stop.data.results[0].id, ids[0]);

    const resume = await call("resume_agents", { agents: ids, dry_run: true });
    assert.deepEqual(resume.text.split("\n"), [
      "Dry run: 1 would be acted on, 5 skipped, 0 cannot be.",
      ...ids.map((id) =>
        state[id] === "paused"
          ? `- ${id}: would (resume (paused))`
          : `- ${id}: skipped (would skip: not paused (state: ${state[id]}))`
      ),
    ]);
    const withPrompt = await call("resume_agents", {
      agents: paused,
      prompt: "Carry on, with tests",
      dry_run: true,
    });
    assert.equal(
      withPrompt.text.split("\n")[1],
      `- ${paused[0]}: would (replace the prompt, then resume (paused))`,
    );

    const del = await call("delete_agents", { agents: [ids[0]], dry_run: true });
    const row = del.text.split("\n")[1];
    assert.match(
      row,
      new RegExp(`^- ${ids[0]}: would \\(delete task «admin/[^»]+» \\(${state[ids[0]]}\\)\\)$`),
    );

    // Acting: the counts of what was done, then each agent.
    const done = await call("stop_agents", {
      agents: [...others.slice(0, 2), ...paused, "nobody"],
    });
    assert.ok(!done.isError, done.text);
    const lines = done.text.split("\n");
    assert.equal(lines[0], "done 2, skipped 1, failed 1");
    assert.equal(lines.length, 5);
    assert.match(lines[1], new RegExp(`^- ${others[0]}: done`));
    assert.match(lines[3], new RegExp(`^- ${paused[0]}: skipped`));
    assert.equal(lines[4], NOT_FOUND("nobody"));
    assert.doesNotMatch(done.text, /Uncertain writes|uncertain|duplicate/);
  });
});

Deno.test("actions: where names the agents it chose, with their ids; a match of none", async () => {
  await onSim({ sim: { profile: "current", chats: 8 } }, async ({ sim, call }) => {
    const state = sim.truth().by_id;
    const own = sim.chatIds("own");
    const working = own.filter((id) => state[id] === "working");
    const settled = own.filter((id) => state[id] !== "working");
    assert.ok(working.length > 0 && settled.length > 0);

    // Chats: interrupted only when running; archived either way.
    const stop = await call("stop_agents", { agents: own, dry_run: true });
    for (const [i, id] of own.entries()) {
      const line = stop.text.split("\n")[i + 1];
      if (state[id] === "working") {
        assert.equal(line, `- ${id}: would (interrupt chat (now working))`);
      } else {assert.match(
          line,
          new RegExp(`^- ${id}: skipped \\(would skip: not running \\(\\w+\\)\\)$`),
        );}
    }
    const resume = await call("resume_agents", { agents: [own[0]], dry_run: true });
    assert.equal(
      resume.text.split("\n")[1],
      `- ${own[0]}: skipped (would skip: chats resume when they get a message: use send_input)`,
    );
    const del = await call("delete_agents", { agents: [working[0], settled[0]], dry_run: true });
    const [, first, second] = del.text.split("\n");
    assert.match(
      first,
      new RegExp(
        `^- ${
          working[0]
        }: would \\(interrupt chat «admin/[^»]+» \\(now working\\), then archive it\\)$`,
      ),
    );
    assert.match(second, new RegExp(`^- ${settled[0]}: would \\(archive chat «admin/[^»]+»\\)$`));

    // where: the count of the match, then each agent by name with its id.
    const one = await call("stop_agents", {
      where: { owner: sim.username, state: ["working"] },
      dry_run: true,
    });
    const lines = one.text.split("\n");
    assert.equal(
      lines[0],
      `where matched ${working.length} agent${working.length === 1 ? "" : "s"}, newest first.`,
    );
    assert.equal(lines[1], `Dry run: ${working.length} would be acted on, 0 skipped, 0 cannot be.`);
    for (const l of lines.slice(2)) {
      assert.match(l, /^- admin\/.+ \[[0-9a-f-]{36}\]: would \(interrupt chat \(now working\)\)$/);
    }
    const none = await call("stop_agents", { where: { owner: "nobody-at-all" }, dry_run: true });
    assert.equal(none.text, "No agent matched where: nothing would be done.");
    assert.deepEqual(none.data.results, []);
    const noneReal = await call("stop_agents", { where: { owner: "nobody-at-all" } });
    assert.equal(noneReal.text, "No agent matched where: nothing was done.");
  });
});

Deno.test("actions: an uncertain write is counted and says what to check before retrying", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    const state = sim.truth().by_id;
    const [id] = sim.taskIds().filter((i) => state[i] !== "paused");
    // A gateway's 502 on the pause: Coder may have paused it.
    sim.fault(/\/pause$/, { method: "POST", status: 502, body: {} });
    const r = await call("stop_agents", { agents: [id] });
    assert.ok(!r.isError, r.text);
    const lines = r.text.split("\n");
    assert.equal(lines[0], "done 0, skipped 0, failed 0, uncertain 1");
    assert.match(lines[1], new RegExp(`^- ${id}: uncertain \\(.*Next: Check with get_agent`));
    assert.equal(
      lines[2],
      "Uncertain writes may have happened: check those agents with get_agent before retrying.",
    );
    assert.equal(lines.length, 3);
  });
});

Deno.test("actions: a result line holds a handle of 80 and a detail of 600, longer ones cut", () => {
  const sel = { byFilter: false, targets: [] };
  const line = (agent: string, detail: string) =>
    resultLine({ agent, outcome: "failed", detail }, sel);
  const [h80, d600] = ["h".repeat(80), "d".repeat(600)];
  assert.equal(line(h80, d600), `- ${h80}: failed (${d600})`);
  assert.equal(
    line(`${h80}x`, `${d600}x`),
    `- ${"h".repeat(79)}…: failed (${"d".repeat(599)}…)`,
  );
  assert.equal(line("a", ""), "- a: failed", "no detail, no brackets");
});

Deno.test("actions: delete_agents skips an archived chat; a chat queued for a licence slot is interrupted first", async () => {
  await onSim({ sim: { profile: "current", chats: 120, seed: 3 } }, async ({ sim, call }) => {
    const state = sim.truth().by_id;
    const own = sim.chatIds("own");
    const settled = own.find((id) => state[id] !== "working")!;
    sim.setChat(settled, { archived: true });
    const gone = await call("delete_agents", { agents: [settled], dry_run: true });
    assert.equal(gone.text.split("\n")[1], `- ${settled}: skipped (would skip: already archived)`);
  });
  // A chat waiting for a licence slot (starting) runs as far as archiving goes: interrupted first.
  await onSim({ sim: { profile: "current", chats: 3 } }, async ({ sim, call }) => {
    const auth = { headers: { "Coder-Session-Token": sim.token } };
    const list = await (await fetch(`${sim.url}/api/v2/chats`, auth)).json();
    const chats = Array.isArray(list) ? list : list.chats;
    Object.assign(chats[0], { queued_for_capacity: true, archived: false });
    sim.fault("/api/v2/chats", { method: "GET", kind: "wrong_shape", body: list });
    const del = await call("delete_agents", { where: { state: "starting" }, dry_run: true });
    assert.match(
      del.text.split("\n")[2],
      /: would \(interrupt chat «.+» \(now starting\), then archive it\)$/,
      del.text,
    );
  });
});
