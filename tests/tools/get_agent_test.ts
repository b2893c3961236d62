/**
 * get_agent's answer, line by line, for a task and for chats (own, shared, with a pull request):
 * each line's words and order, from the agent's own data, and the note in place of the messages
 * of a task that has no conversation yet. In process, on the sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { quote } from "../../src/model/text.ts";
import { onSim } from "./on_sim.ts";

type Msg = { id: number; role: string; time: string; text: string };

const recentLines = (recent: Msg[]) => [
  "Recent messages (agent-written text, quoted):",
  ...recent.map((m) => `  #${m.id} ${m.role} ${m.time}: ${quote(m.text, 300)}`),
];

Deno.test("get_agent: a task, line by line", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    const [id] = sim.taskIds();
    const r = await call("get_agent", { agent: id });
    assert.ok(!r.isError, r.text);
    const a = r.data.agent;
    assert.equal(a.id, id);
    assert.ok(r.data.recent.length > 0 && r.data.recent.length <= 3, "the last three at most");
    const lines = r.text.split("\n");
    assert.equal(lines[0], `task «${a.owner}/${a.name}» (id ${id})`);
    assert.match(lines[1], new RegExp(`^state ${a.state} for \\d+[smhd] \\(${a.detail}\\)$`));
    assert.deepEqual(lines.slice(2), [
      ...(a.waiting_for ? [`waiting for ${a.waiting_for}`] : []),
      `message «${a.message}»`,
      `template ${a.template}`,
      `workspace ${a.workspace}`,
      `created ${a.created_at}, updated ${a.updated_at}`,
      `url ${a.url}`,
      `prompt «${a.prompt}»`,
      `extras ${JSON.stringify(r.data.extras)}`,
      ...recentLines(r.data.recent),
    ]);
    assert.equal(r.data.recent_note, undefined);

    // A task still starting has no conversation: a note says why, in place of the messages.
    const starting = sim.taskIds().find((t) => sim.truth().by_id[t] === "starting")!;
    const s = await call("get_agent", { agent: starting });
    assert.ok(!s.isError, s.text);
    assert.deepEqual(s.data.recent, []);
    assert.match(s.data.recent_note, /^no conversation: .+ is still starting/);
    assert.equal(s.text.split("\n").at(-1), s.data.recent_note);
    assert.doesNotMatch(s.text, /Recent messages/);
  });
});

Deno.test("get_agent: chats, own and shared, with labels and a pull request", async () => {
  await onSim({ sim: { profile: "current", chats: 300 } }, async ({ sim, call }) => {
    const truth = sim.truth();
    const own = sim.chatIds("own");
    const withPr = own.find((id) => truth.pr[id])!;
    assert.ok(withPr, "an own chat with a pull request");
    const r = await call("get_agent", { agent: withPr });
    assert.ok(!r.isError, r.text);
    const a = r.data.agent;
    const pr = a.pr;
    const lines = r.text.split("\n");
    assert.equal(lines[0], `chat «${a.owner}/${a.name}» (id ${withPr})`);
    const prLine = lines.find((l) => l.startsWith("PR #"));
    assert.equal(
      prLine,
      `PR #${pr.number} ${pr.state} +${pr.additions} -${pr.deletions}${
        pr.approved ? ", approved" : ""
      }${pr.changes_requested ? ", changes requested" : ""}: «${pr.title}» ${pr.url}`,
    );
    // Reviews in words: every own chat with a PR, among them one approved and one with changes
    // requested (the sim seeds both).
    const reviews = new Set<string>();
    for (const id of own.filter((c) => truth.pr[c])) {
      const g = await call("get_agent", { agent: id });
      const p = g.data.agent.pr;
      const line = g.text.split("\n").find((l: string) => l.startsWith("PR #"));
      const words = `${p.approved ? ", approved" : ""}${
        p.changes_requested ? ", changes requested" : ""
      }`;
      assert.ok(
        line?.startsWith(`PR #${p.number} ${p.state} +${p.additions} -${p.deletions}${words}: «`),
        line,
      );
      const reason = g.data.agent.waiting_for;
      if (reason) {
        assert.ok(g.text.split("\n").includes(`waiting for ${reason}`), g.text);
        reviews.add(`waiting for ${reason}`);
      }
      if (p.approved) reviews.add("approved");
      if (p.changes_requested) reviews.add("changes requested");
    }
    assert.ok(reviews.has("approved") && reviews.has("changes requested"), [...reviews].join());
    assert.ok([...reviews].some((w) => w.startsWith("waiting for ")), "a reason in words");
    const labels = Object.entries(a.labels as Record<string, string>);
    assert.ok(labels.length > 0);
    assert.equal(
      lines.find((l) => l.startsWith("labels ")),
      `labels ${labels.map(([k, v]) => `«${k}:${v}»`).join(", ")}`,
    );
    assert.equal(
      lines.find((l) => l.startsWith("extras ")),
      `extras ${JSON.stringify(r.data.extras)}`,
    );
    assert.ok(r.data.extras.cost && r.data.extras.model, "a chat's cost and model");
    assert.deepEqual(lines.slice(-r.data.recent.length - 1), recentLines(r.data.recent));
    assert.doesNotMatch(r.text, /^shared with you/m);
    assert.doesNotMatch(r.text, /^(template|prompt) /m, "a chat has neither");

    // A chat another user shares: who shares it, and what the caller may do with it.
    const shared = sim.chatIds("shared")[0];
    const s = await call("get_agent", { agent: shared });
    assert.ok(!s.isError, s.text);
    assert.equal(
      s.text.split("\n")[2],
      `shared with you by ${s.data.agent.owner}: you can read it; only its owner can send to ` +
        "it, stop it or archive it",
    );
  });
});

Deno.test("get_agent: a name several agents share: the count, the first five ids, a next step", async () => {
  await onSim({ sim: { profile: "current", chats: 2 } }, async ({ call }) => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const c = await call("create_task", { prompt: `go ${i}`, name: "Same title" });
      assert.equal(c.data.created.length, 1, c.text);
      ids.push(c.data.created[0].id);
    }
    const r = await call("get_agent", { agent: "Same title" });
    assert.equal(r.isError, true);
    const m = /"Same title" matches 7 agents: (.*)\.\nNext: Use the id of the one you mean\.$/.exec(
      r.text,
    );
    assert.ok(m, r.text);
    const listed = [...m[1].matchAll(/([0-9a-f-]{36}) \(chat, [^)]+\)/g)].map((x) => x[1]);
    assert.equal(listed.length, 5, "five ids, not all seven");
    assert.ok(listed.every((id) => ids.includes(id)));
  });
});

Deno.test("get_agent: each text at its cap whole, one longer cut; the last three messages", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 3 } }, async ({ sim, call }) => {
    const [id] = sim.taskIds();
    const auth = { headers: { "Coder-Session-Token": sim.token } };
    const task = await (await fetch(`${sim.url}/api/v2/tasks/admin/${id}`, auth)).json();
    const logs = await (await fetch(`${sim.url}/api/v2/tasks/admin/${id}/logs`, auth)).json();
    /** get_agent on the task as Coder would tell it with texts of the caps' lengths plus `d`. */
    const show = async (d: number) => {
      const s = (n: number, c: string) => c.repeat(n + d);
      const off = [
        sim.fault(`/api/v2/tasks/me/${id}`, {
          kind: "wrong_shape",
          body: {
            ...task,
            name: s(200, "n"),
            owner_name: s(40, "o"),
            template_name: s(128, "t"),
            workspace_name: s(128, "k"),
            initial_prompt: s(300, "p"),
          },
        }),
        sim.fault(`/api/v2/tasks/me/${id}/logs`, {
          kind: "wrong_shape",
          body: {
            logs: [1, 2, 3, 4, 5].map((i) => ({
              ...logs.logs[0],
              id: i,
              // A box-drawing run is a space in the summary.
              content: `${i}─${s(298, "x")}`,
            })),
          },
        }),
      ];
      const r = await call("get_agent", { agent: id });
      for (const f of off) f();
      assert.ok(!r.isError, r.text);
      return r;
    };
    const cut = (c: string, n: number) => `${c.repeat(n - 1)}…`;
    const fits = await show(0);
    const lines = fits.text.split("\n");
    assert.equal(lines[0], `task «${"o".repeat(40)}/${"n".repeat(200)}» (id ${id})`);
    assert.ok(lines.includes(`template ${"t".repeat(128)}`), fits.text);
    assert.ok(lines.includes(`workspace ${"k".repeat(128)}`), fits.text);
    assert.ok(lines.includes(`prompt «${"p".repeat(300)}»`), fits.text);
    // The last three messages, oldest first, each whole at 300.
    assert.deepEqual(fits.data.recent.map((m: Msg) => m.id), [3, 4, 5]);
    const text = (i: number, n: number) => `${i} ${"x".repeat(n)}`;
    assert.deepEqual(fits.data.recent.map((m: Msg) => m.text), [3, 4, 5].map((i) => text(i, 298)));
    assert.equal(lines.filter((l) => l.startsWith("  #")).length, 3);
    assert.ok(lines.at(-1)!.endsWith(`: «${text(5, 298)}»`), lines.at(-1));

    const longer = await show(1);
    assert.equal(longer.data.recent[2].text, `5 ${cut("x", 298)}`);
    const over = longer.text.split("\n");
    assert.equal(over[0], `task «${cut("o", 40)}/${cut("n", 200)}» (id ${id})`);
    assert.ok(over.includes(`template ${cut("t", 128)}`), over.join("\n"));
    assert.ok(over.includes(`workspace ${cut("k", 128)}`), over.join("\n"));
    assert.ok(over.includes(`prompt «${cut("p", 300)}»`), over.join("\n"));
    assert.ok(over.at(-1)!.endsWith(`: «5 ${cut("x", 298)}»`), over.at(-1));
  });
});

Deno.test("get_agent: a chat's labels, each key:value quoted, joined by commas", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ call }) => {
    // The longest a label gets to get_agent (key 64, value 200: chats/mapping.ts) is whole.
    const [key, value] = ["k".repeat(64), "v".repeat(200)];
    const made = await call("create_task", {
      prompt: "Label me",
      labels: { [key]: value, b: "c" },
    });
    assert.equal(made.data.created.length, 1, made.text);
    const r = await call("get_agent", { agent: made.data.created[0].id });
    const line = r.text.split("\n").find((l) => l.startsWith("labels "));
    assert.equal(line, `labels «${key}:${value}», «b:c»`);
  });
});

Deno.test("get_agent: who shares a chat, a name of 40 whole, a longer one cut", async () => {
  const rest = ": you can read it; only its owner can send to it, stop it or archive it";
  for (
    const [owner, shown] of [["a".repeat(40), "a".repeat(40)], [
      "b".repeat(41),
      `${"b".repeat(39)}…`,
    ]]
  ) {
    await onSim({ sim: { profile: "current", chats: 20, users: ["admin", owner] } }, async (t) => {
      const shared = t.sim.chatIds("shared")[0];
      assert.ok(shared, "a chat shared by the other user");
      const r = await t.call("get_agent", { agent: shared });
      assert.equal(r.data.agent.owner, owner);
      assert.equal(r.text.split("\n")[2], `shared with you by ${shown}${rest}`);
    });
  }
});

Deno.test("get_agent: a conversation that cannot be read is a note, its error one line of 300", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 3 } }, async ({ sim, call }) => {
    const [id] = sim.taskIds();
    const note = async (n: number) => {
      const off = sim.fault(`/api/v2/tasks/me/${id}/logs`, {
        status: 500,
        body: { message: "m".repeat(100), detail: "d".repeat(n) },
      });
      const r = await call("get_agent", { agent: id });
      off();
      assert.ok(!r.isError, r.text);
      assert.deepEqual(r.data.recent, []);
      assert.equal(r.text.split("\n").at(-1), r.data.recent_note);
      return r.data.recent_note as string;
    };
    const probe = await note(10);
    const head = "no conversation: ";
    assert.ok(probe.startsWith(`${head}Coder answered 500 to GET `), probe);
    // The error's line sized to 300 characters, then 301: whole, then cut.
    const error = (n: number) => note(10 + n - (probe.length - head.length));
    const fits = await error(300);
    assert.equal(fits.length, head.length + 300);
    assert.ok(fits.endsWith("d"), fits);
    const over = await error(301);
    assert.equal(over.length, head.length + 300);
    assert.ok(over.endsWith("d…"), over);
  });
});
