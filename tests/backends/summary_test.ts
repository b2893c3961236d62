/**
 * The hot path parses each timestamp once and builds full agents only on demand: these tests pin
 * it to the straightforward mapping (every time parsed where it is used), over odd inputs and a
 * simulated fleet.
 */
import assert from "node:assert/strict";
import { normalizeTask, type Task, TaskWire } from "../../src/backends/tasks/api.ts";
import { type Chat, ChatWire, normalizeChat } from "../../src/backends/chats/api.ts";
import { chatSummary, chatToAgent, firstText } from "../../src/backends/chats/mapping.ts";
import { taskSummary, taskToAgent } from "../../src/backends/tasks/mapping.ts";
import { chatState } from "../../src/backends/chats/state.ts";
import { taskState } from "../../src/backends/tasks/state.ts";
import { isoTime } from "../../src/model/time.ts";
import { cleanText, oneLine } from "../../src/model/text.ts";
import { startSim } from "../../src/sim/server.ts";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const ctx = { dashboardUrl: "https://coder.example", now: () => NOW };

/** The mapping's times as they were computed before the hot path: parsed where used. */
function referenceTaskTimes(task: Task) {
  const { since } = taskState(task, NOW);
  const created = isoTime(task.created_at, isoTime(task.updated_at, new Date(0).toISOString()));
  return {
    created_at: created,
    updated_at: isoTime(task.updated_at, created),
    state_since: since || created,
  };
}

function referenceChatTimes(chat: Chat) {
  const now = new Date(NOW).toISOString();
  const created = isoTime(chat.created_at, isoTime(chat.updated_at, now));
  const updated = isoTime(chat.updated_at, created);
  const { state, detail, since } = chatState(chat, updated);
  return { created_at: created, updated_at: updated, state_since: since, state, detail };
}

const TIMES = [
  undefined,
  "",
  "yesterday",
  "2026-03-01T11:00:00Z",
  "2026-03-01T11:59:50.123456789Z",
  "2026-03-01T12:30:00.5+01:00",
];

function tasks(): Task[] {
  const out: Task[] = [];
  let n = 0;
  for (const created_at of TIMES) {
    for (const updated_at of TIMES) {
      for (const timestamp of [undefined, ...TIMES.slice(2)]) {
        for (const [status, state] of [["active", "idle"], ["paused", "idle"], ["active", null]]) {
          out.push(normalizeTask(TaskWire.parse({
            id: `task-${n++}`,
            name: "t",
            owner_name: "alice",
            status,
            current_state: state === null ? null : { state, timestamp },
            created_at,
            updated_at,
          })));
        }
      }
    }
  }
  return out;
}

Deno.test("task summaries: one parse per time, same agent as the per-use mapping", () => {
  for (const task of tasks()) {
    const s = taskSummary(task, ctx);
    const a = s.agent();
    assert.deepEqual(
      { created_at: a.created_at, updated_at: a.updated_at, state_since: a.state_since },
      referenceTaskTimes(task),
      JSON.stringify(task),
    );
    assert.equal(s.since, Date.parse(a.state_since));
    assert.equal(s.state, a.state);
    assert.equal(s.owner, a.owner);
    assert.deepEqual(taskToAgent(task, ctx), a);
  }
});

Deno.test("chat summaries: one parse per time, same agent as the per-use mapping", () => {
  let n = 0;
  for (const created_at of TIMES) {
    for (const updated_at of TIMES) {
      for (const status of ["running", "waiting", "error", "brand_new", null]) {
        const chat = normalizeChat(ChatWire.parse({
          id: `chat-${n++}`,
          title: "c",
          owner_username: null,
          owner_name: " Bob ",
          status,
          labels: { team: "infra\u202e" },
          created_at,
          updated_at,
        }));
        const s = chatSummary(chat, ctx);
        const a = s.agent();
        const ref = referenceChatTimes(chat);
        assert.deepEqual(
          {
            created_at: a.created_at,
            updated_at: a.updated_at,
            state_since: a.state_since,
            state: a.state,
            detail: a.detail,
          },
          ref,
        );
        assert.equal(s.since, Date.parse(a.state_since));
        assert.equal(s.state, a.state);
        assert.equal(s.owner, oneLine(firstText(chat.owner_username, chat.owner_name), 100));
        assert.deepEqual(a.labels, { team: "infra" });
        assert.deepEqual(chatToAgent(chat, ctx), a);
      }
    }
  }
});

Deno.test("summaries of a simulated fleet match its agents", async () => {
  const sim = await startSim({ profile: "both", tasks: 60, chats: 40, seed: 3 });
  try {
    const headers = { "Coder-Session-Token": sim.token };
    const get = async (p: string) => await (await fetch(sim.url + p, { headers })).json();
    const wireTasks: unknown[] = (await get("/api/v2/tasks")).tasks;
    const wireChats: unknown[] = await get("/api/v2/chats");
    for (const w of wireTasks) {
      const task = normalizeTask(TaskWire.parse(w));
      const a = taskSummary(task, ctx).agent();
      assert.deepEqual(
        { created_at: a.created_at, updated_at: a.updated_at, state_since: a.state_since },
        referenceTaskTimes(task),
      );
    }
    for (const w of wireChats) {
      const chat = normalizeChat(ChatWire.parse(w));
      const s = chatSummary(chat, ctx);
      assert.equal(s.since, Date.parse(s.agent().state_since));
    }
  } finally {
    await sim.close();
  }
});

Deno.test("oneLine: the plain-ASCII shortcut answers what cleaning and folding answer", () => {
  const slow = (s: string, max: number) => {
    const flat = cleanText(s).replace(/\s+/g, " ").trim();
    return flat.length > max ? flat.slice(0, max - 1) + "…" : flat;
  };
  const corpus = [
    "alice",
    "fix the build",
    "fix  the build",
    " leading",
    "trailing ",
    "tab\there",
    "new\nline",
    "esc\u001b[31mred",
    "bidi\u202eevil",
    "zero\u200bwidth",
    "del\u007f",
    "é accent",
    "x".repeat(300),
    "a b ".repeat(80) + "end",
    "~!@#$%^&*()_+{}|:<>?",
  ];
  for (const s of corpus) {
    for (const max of [5, 100, 200]) assert.equal(oneLine(s, max), slow(s, max), JSON.stringify(s));
  }
});
