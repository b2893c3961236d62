/**
 * The agent model's helpers (src/model/agent.ts): settled states, the list order, the compact
 * row and the cleaned agent with each field's cap at its edge, and a pull request in words.
 */
import assert from "node:assert/strict";
import {
  type Agent,
  AGENT_STATES,
  cleanAgent,
  compareAgents,
  isSettled,
  prText,
  toRow,
} from "../../src/model/agent.ts";
import { anAgent } from "../agent_fixture.ts";

const agent = (patch: Partial<Agent> = {}): Agent =>
  anAgent({
    kind: "chat",
    owner: "o",
    detail: "d",
    message: "m",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    state_since: "2026-01-01T00:00:00.000Z",
    url: "u",
    ...patch,
  });

const pr = {
  number: 7,
  state: "open" as const,
  title: "t",
  url: "https://x/pr/7",
  draft: false,
  approved: null,
  changes_requested: false,
  additions: 3,
  deletions: 1,
  changed_files: 2,
};

Deno.test("agent: settled is every state but starting and working", () => {
  assert.deepEqual(AGENT_STATES.filter(isSettled), [
    "idle",
    "complete",
    "failed",
    "paused",
    "error",
    "unknown",
  ]);
});

Deno.test("agent: lists are newest first, ties by id, an agent equal to itself", () => {
  const a = agent({ id: "a", created_at: "2026-01-02T00:00:00Z" });
  const b = agent({ id: "b", created_at: "2026-01-02T00:00:00Z" });
  const old = agent({ id: "0", created_at: "2026-01-01T00:00:00Z" });
  assert.deepEqual([old, b, a].sort(compareAgents).map((x) => x.id), ["a", "b", "0"]);
  assert.ok(compareAgents(a, b) < 0 && compareAgents(b, a) > 0);
  assert.equal(compareAgents(a, a), 0);
});

Deno.test("agent: a row keeps each field to its cap, and the optional ones only when set", () => {
  const s = (n: number, c = "x") => c.repeat(n);
  const cut = (n: number) => s(n - 1) + "…";
  const at = toRow(agent({
    name: s(200),
    owner: s(64),
    detail: s(100),
    message: s(120),
    template: s(128),
    labels: { [s(64)]: s(256) },
  }));
  assert.deepEqual(
    [at.name, at.owner, at.detail, at.message, at.template],
    [s(200), s(64), s(100), s(120), s(128)],
  );
  assert.deepEqual(at.labels, { [s(64)]: s(256) });
  const over = toRow(agent({
    name: s(201),
    owner: s(65),
    detail: s(101),
    message: s(121),
    template: s(129),
    labels: { [s(65)]: s(257) },
  }));
  assert.deepEqual(
    [over.name, over.owner, over.detail, over.message, over.template],
    [cut(200), cut(64), cut(100), cut(120), cut(128)],
  );
  assert.deepEqual(over.labels, { [cut(64)]: cut(256) });
  // Optional fields: absent unless set.
  const bare = toRow(agent());
  for (const k of ["template", "labels", "stalled", "waiting_for", "pr"]) {
    assert.equal(k in bare, false, k);
  }
  const full = toRow(agent({ stalled: true, waiting_for: "review", pr, template: "t" }));
  assert.equal(full.stalled, true);
  assert.equal(full.waiting_for, "review");
  assert.deepEqual(full.pr, { number: 7, state: "open", additions: 3, deletions: 1 });
  assert.equal(toRow(agent({ stalled: false })).stalled, undefined);
});

Deno.test("agent: cleaned again on the way out, each field to its cap", () => {
  const s = (n: number) => "y".repeat(n);
  const cut = (n: number) => s(n - 1) + "…";
  const a = cleanAgent(agent({
    name: s(201),
    owner: s(65),
    detail: s(101),
    message: s(2001),
    template: s(129),
    workspace: s(129),
    prompt: "do it\u202E\nnow",
    labels: { k: "v\u0007" },
    pr: { ...pr, title: s(201), url: s(501) },
  }));
  assert.deepEqual(
    [a.name, a.owner, a.detail, a.message, a.template, a.workspace],
    [cut(200), cut(64), cut(100), cut(2000), cut(128), cut(128)],
  );
  assert.equal(a.prompt, "do it\nnow", "a prompt keeps its lines");
  assert.deepEqual(a.labels, { k: "v" });
  assert.equal(a.pr!.title, cut(200));
  assert.equal(a.pr!.url, cut(500));
  const whole = cleanAgent(agent({ message: s(2000), pr: { ...pr, title: s(200), url: s(500) } }));
  assert.equal(whole.message, s(2000));
  assert.equal(whole.pr!.title, s(200));
  assert.equal(whole.pr!.url, s(500));
  const bare = cleanAgent(agent());
  for (const k of ["template", "workspace", "prompt"]) assert.equal(k in bare, false, k);
  assert.equal(bare.pr, null);
});

Deno.test("agent: a pull request in a few words, with its number when known", () => {
  assert.equal(prText(pr), "PR #7 open +3 -1");
  assert.equal(prText({ ...pr, number: null, state: "draft" }), "PR draft +3 -1");
  assert.equal(prText({ ...pr, number: 0 }), "PR #0 open +3 -1");
  assert.equal(prText(null), "");
  assert.equal(prText(undefined), "");
});
