/**
 * Handle resolution against the sim over real HTTP: lookups are bounded, malformed handles cost
 * nothing (not even detection), and the same agent named twice is one agent.
 */
import assert from "node:assert/strict";
import { Fleet } from "../../src/fleet/fleet.ts";
import { LOOKUPS, type Resolved, resolveMany } from "../../src/fleet/resolve.ts";
import type { FleetLists, Snapshot } from "../../src/fleet/snapshot.ts";
import type { Deployment } from "../../src/fleet/detect.ts";
import type { Agent } from "../../src/model/agent.ts";
import type { Handle } from "../../src/model/backend.ts";
import { anAgent, fixtureId } from "../agent_fixture.ts";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { pause, until, within } from "../deadline.ts";

/**
 * A fetch that counts requests and the most in flight at once (the Coder client takes its fetch
 * when it is built, so the fleet is built inside).
 */
function countingFetch() {
  const real = globalThis.fetch;
  const c = { n: 0, peak: 0, inFlight: 0 };
  const fetch = async (...args: Parameters<typeof globalThis.fetch>) => {
    c.n++;
    c.peak = Math.max(c.peak, ++c.inFlight);
    try {
      return await real(...args);
    } finally {
      c.inFlight--;
    }
  };
  return { c, fetch };
}

/** Build a fleet whose requests go through `f`. */
function fleetWith(f: typeof globalThis.fetch, url: string, token: string): Fleet {
  const real = globalThis.fetch;
  globalThis.fetch = f;
  try {
    return new Fleet({ url, token });
  } finally {
    globalThis.fetch = real;
  }
}

Deno.test("resolve: direct lookups run at most 8 at a time, one per unknown owner/name", async () => {
  const sim = await startSim({ profile: "both", tasks: 4, chats: 4, latencyMs: 20 });
  try {
    const { c, fetch } = countingFetch();
    const fleet = fleetWith(fetch, sim.url, sim.token);
    await fleet.deployment();
    // The first chat list learns, once, that this Coder (v2.35) lists no shared chats (a 400).
    await fleet.snapshot();
    c.n = c.peak = 0;
    // Another user's task may be one the lists do not show: each is looked up, a few at a time.
    const names = Array.from({ length: 60 }, (_, i) => `alice/missing-${i}`);
    const value = await fleet.resolveMany(names);
    assert.ok(value.every((r) => "error" in r));
    assert.equal(c.n, 2 + names.length, "one list per back end, one task lookup per name");
    assert.ok(c.peak <= LOOKUPS, `peak ${c.peak} in flight`);
  } finally {
    await sim.close();
  }
});

Deno.test("resolve: while Coder holds the lookups, exactly 8 are in flight, then the rest", async () => {
  const sim = await startSim({ profile: "both", tasks: 4, chats: 4 });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token });
    await fleet.deployment();
    await fleet.snapshot();
    const release = sim.fault(/^\/api\/v2\/tasks\/alice\/[^/]+$/, { kind: "hang", method: "GET" });
    sim.clearRequests();
    const lookups = () => sim.requests.filter((q) => q.path.startsWith("/api/v2/tasks/alice/"));
    const names = Array.from({ length: 20 }, (_, i) => `alice/missing-${i}`);
    const resolving = fleet.resolveMany(names);
    try {
      await until(() => lookups().length >= 8, "8 lookups held at Coder");
      await pause(200); // no ninth goes out while they are held
      assert.equal(lookups().length, 8);
    } finally {
      release();
    }
    const value = await within(resolving, "the resolution, once released");
    assert.ok(value.every((r) => "error" in r && /No agent/.test(r.error.message)));
    assert.equal(lookups().length, names.length, "each name looked up once");
  } finally {
    await sim.close();
  }
});

Deno.test("resolve: bare names are the caller's own agents: the lists answer them, no lookup each", async () => {
  // Issue 17: one wait_for_agents with 1,000 unknown bare names sent 450 direct lookups in 0.3 s
  // and spent the route's minute. A bare name (or me/name) means one of the caller's agents,
  // which the lists show in full.
  const sim = await startSim({ profile: "both", tasks: 4, chats: 4 });
  try {
    const { c, fetch } = countingFetch();
    const fleet = fleetWith(fetch, sim.url, sim.token);
    const { me } = await fleet.deployment();
    const mine = (await fleet.snapshot()).agents.find((a) =>
      a.kind === "task" && a.owner === me.username
    );
    assert.ok(mine, "the sim gives the caller a task");
    c.n = 0;
    sim.clearRequests();
    const unknown = Array.from({ length: 200 }, (_, i) => `missing-${i}`);
    const value = await fleet.resolveMany([
      ...unknown,
      "me/missing-too",
      `${me.username}/missing-three`,
      mine.name,
      `me/${mine.name}`,
    ]);
    const paths = sim.requests.map((q) => q.path);
    assert.equal(c.n, 2, `the two lists only, not ${paths.length}: ${paths.slice(0, 4)}`);
    const errors = value.flatMap((r) => "error" in r ? [r.error] : []);
    assert.equal(errors.length, 202);
    assert.ok(errors.every((e) => /No agent "[^"]+" was found/.test(e.message)), errors[0].message);
    assert.match(errors[0].next, /A bare name means one of your own agents/);
    const found = value.slice(-2);
    assert.ok(found.every((r) => "agent" in r && r.agent.id === mine.id));
  } finally {
    await sim.close();
  }
});

Deno.test("resolve: malformed handles cost no request, not even detection", async () => {
  const sim = await startSim({ profile: "both", tasks: 2, chats: 2 });
  try {
    const { c, fetch } = countingFetch();
    const fleet = fleetWith(fetch, sim.url, sim.token);
    const value = await fleet.resolveMany(["..", "../users", "a/../../users/me", "x/y/z"]);
    assert.equal(c.n, 0);
    assert.equal(sim.requests.length, 0);
    assert.ok(value.every((r) => "error" in r && /not an agent handle/.test(r.error.message)));
    await assert.rejects(() => fleet.resolve(".."), /not an agent handle/);
    assert.equal(sim.requests.length, 0);
  } finally {
    await sim.close();
  }
});

Deno.test("resolve: the same agent by id, by upper-case id and by owner/name is one agent", async () => {
  const sim = await startSim({ profile: "both", tasks: 2, chats: 2 });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token });
    const [id] = sim.taskIds();
    const t = sim.task(id) as { name: string; owner_name: string };
    const r = await fleet.resolveMany([id, `${t.owner_name}/${t.name}`, id.toUpperCase()]);
    assert.ok("agent" in r[0] && r[0].duplicateOf === undefined);
    assert.ok("agent" in r[1] && r[1].duplicateOf === 0);
    assert.ok("agent" in r[2] && r[2].duplicateOf === 0);
  } finally {
    await sim.close();
  }
});

/**
 * A sim with both APIs, a fleet on it with detection done, and a guard signal that fails a test
 * instead of letting it hang (a resolution held by a hung API would wait for it).
 */
async function onBothApis(
  fn: (sim: Sim, fleet: Fleet, guard: AbortSignal) => Promise<void>,
): Promise<void> {
  const sim = await startSim({ profile: "both", tasks: 3, chats: 3 });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token });
    await fleet.deployment();
    await fn(sim, fleet, AbortSignal.timeout(20_000));
  } finally {
    await sim.close();
  }
}

Deno.test("resolve: ids that one back end's list shows do not wait for another list that hangs", () =>
  onBothApis(async (sim, fleet, guard) => {
    // The chat list hangs. Two task ids are in the task list: they resolve at once, without
    // waiting out the hung chat list (which would spend the whole call budget before a write on
    // tasks could start), and the hung list is abandoned.
    const remove = sim.fault("/api/v2/chats", { kind: "hang", method: "GET" });
    const [a, b] = sim.taskIds();
    const r = await fleet.resolveMany([a, b], guard);
    assert.ok(!guard.aborted, "resolved before the guard");
    assert.deepEqual(r.map((x) => "agent" in x ? x.agent.id : x.error.message), [a, b]);
    // A chat id still needs the chat list (or its lookup): it is not found in the task list alone.
    const [chat] = sim.chatIds();
    remove();
    sim.clearRequests();
    const withChat = await fleet.resolveMany([a, chat]);
    assert.deepEqual(withChat.map((x) => "agent" in x ? x.agent.id : x.error.message), [a, chat]);
    const lookups = sim.requests.filter((q) => !/^\/api\/v2\/(tasks|chats)$/.test(q.path));
    assert.deepEqual(lookups.map((q) => q.path), [], "the lists were enough: no lookup");
  }));

Deno.test("resolve: one id, looked up on both APIs, takes the lookup that finds it without waiting for the other", () =>
  onBothApis(async (sim, fleet, guard) => {
    // A UUID does not say which API owns it, so both lookups go out. The one that finds the
    // agent decides; the other one hanging must not hold get_agent or a one-agent write.
    const [task] = sim.taskIds();
    const [chat] = sim.chatIds();
    let remove = sim.fault(/^\/api\/v2\/chats\/[0-9a-f-]+$/, { kind: "hang", method: "GET" });
    assert.equal((await fleet.resolve(task, guard)).id, task, "a task while chat lookups hang");
    remove();
    remove = sim.fault(/^\/api\/v2\/tasks\/[^/]+\/[^/]+$/, { kind: "hang", method: "GET" });
    assert.equal((await fleet.resolve(chat, guard)).id, chat, "a chat while task lookups hang");
    remove();
    assert.ok(!guard.aborted, "resolved before the guard");
    // A chat title the list does not show has no lookup to wait for: an answer at once.
    await assert.rejects(
      () => fleet.resolve("no such chat title here", guard),
      /not found|no agent/i,
    );
    // Neither found: still an answer (not found), once both lookups have answered.
    await assert.rejects(
      () => fleet.resolve("00000000-0000-4000-8000-000000000000", guard),
      /not found|no agent/i,
    );
  }));

Deno.test("resolve: task names match exactly, case included; me/name is the caller's own", async () => {
  const sim = await startSim({ profile: "both", tasks: 6, chats: 10 });
  try {
    const fleet = new Fleet({ url: sim.url, token: sim.token });
    const ownerOf = (id: string) => (sim.task(id) as { owner_name: string }).owner_name;
    const task = sim.taskIds().find((id) => ownerOf(id) === sim.username)!;
    const name = (sim.task(task) as { name: string }).name;
    assert.equal((await fleet.resolve(name)).id, task);
    assert.equal((await fleet.resolve(`me/${name}`)).id, task, "me/ is the caller");
    // Coder's task names are case-sensitive: another case names no task (it could be another's).
    await assert.rejects(() => fleet.resolve(name.toUpperCase()), /No agent .* was found/);
    await assert.rejects(() => fleet.resolve(`me/${name.toUpperCase()}`), /No agent .* was found/);
    // A chat title matches exactly, or else in any case; me/ names the caller's own chat too.
    const chat = sim.chatIds().find((id) =>
      (sim.chat(id) as { owner_username: string }).owner_username === sim.username
    )!;
    const title = (sim.chat(chat) as { title: string }).title;
    assert.equal((await fleet.resolve(`me/${title}`)).id, chat, "me/ is the caller's chat");
    assert.equal((await fleet.resolve(title.toUpperCase())).id, chat);
    const other = sim.taskIds().find((id) => ownerOf(id) !== sim.username)!;
    const theirs = (sim.task(other) as { name: string }).name;
    await assert.rejects(() => fleet.resolve(`me/${theirs}`), /No agent .* was found/);
  } finally {
    await sim.close();
  }
});

// ---- Over hand-made lists and lookups (no HTTP): what each failure and each miss becomes.

/**
 * The fleet of a caller "alice" with a task and a chat back end: the lists answer `list` (or
 * throw), each task lookup `find` (recorded).
 */
function handLists(opts: {
  list?: () => Promise<Partial<Snapshot>>;
  find?: (h: Handle) => Promise<Agent[]>;
  kinds?: Agent["kind"][];
}) {
  const finds: string[] = [];
  const asked: string[] = [];
  let lists = 0;
  const depths: string[] = [];
  const backend = (kind: Agent["kind"]) => ({
    kind,
    find: (h: Handle, _signal?: AbortSignal, depth?: string) => {
      finds.push(`${kind} ${h.text}`);
      depths.push(`${kind} ${h.text} ${depth}`);
      return kind === "task" && opts.find ? opts.find(h) : Promise.resolve([]);
    },
  });
  const fleet: FleetLists = {
    deployment: () =>
      Promise.resolve({
        me: { username: "alice" },
        backends: (opts.kinds ?? ["task", "chat"]).map(backend),
      } as unknown as Deployment),
    snapshot: async (f?: { kind?: Agent["kind"] }) => {
      if (f?.kind && !(opts.kinds ?? ["task", "chat"]).includes(f.kind)) {
        throw new Error(`no ${f.kind} API`); // as Fleet.snapshot refuses a kind it lacks
      }
      lists++;
      asked.push(JSON.stringify(f ?? {}));
      return { agents: [], errors: [], warnings: [], ...await (opts.list?.() ?? {}) };
    },
  };
  return { fleet, finds, depths, asked, lists: () => lists };
}

const failures = (rs: Resolved[]) =>
  rs.map((r) => "error" in r ? [r.error.message, r.error.next] : r.agent.id);

Deno.test("resolve: a name the lists could not show, and no lookup finds, is the lists' failure, not 'no agent'", async () => {
  const { fleet } = handLists({
    list: () => Promise.resolve({ errors: [{ kind: "chat", error: "Coder answered 500" }] }),
  });
  const rs = await resolveMany(fleet, ["alice/Fix the login bug", fixtureId(9)]);
  assert.deepEqual(failures(rs), [
    [
      "Could not look the agent up: Coder answered 500",
      "Retry shortly; list_agents shows whether Coder answers.",
    ],
    [
      `No agent "${fixtureId(9)}" was found.`,
      "Find the agent with list_agents (query= searches names and messages) and use its id.",
    ],
  ]);
  // One name alone: a list that throws is its answer too, once no lookup finds it.
  const down = handLists({ list: () => Promise.reject(new Error("socket hang up")) });
  assert.deepEqual(failures(await resolveMany(down.fleet, ["Explain the scheduler"])), [[
    "Could not look the agent up: socket hang up",
    "Retry shortly; list_agents shows whether Coder answers.",
  ]]);
  // Many handles: a list that throws fails the call.
  await assert.rejects(resolveMany(down.fleet, ["a", "b"]), /socket hang up/);
});

Deno.test("resolve: a lookup that fails is its handle's error; one that finds two agents is ambiguous", async () => {
  const twins = [anAgent({ id: fixtureId(1) }), anAgent({ id: fixtureId(2), kind: "chat" })];
  const { fleet } = handLists({
    find: (h) =>
      h.text === "bob/broken"
        ? Promise.reject(new Error("Coder answered 502"))
        : Promise.resolve(h.text === "bob/twin" ? twins : []),
  });
  assert.deepEqual(failures(await resolveMany(fleet, ["bob/broken", "bob/twin"])), [
    [
      "Could not look the agent up: Coder answered 502",
      "Retry shortly; list_agents shows whether Coder answers.",
    ],
    [
      `"bob/twin" matches 2 agents: ${fixtureId(1)} (task, alice), ${fixtureId(2)} (chat, alice).`,
      "Use the id of the one you mean.",
    ],
  ]);
});

Deno.test("resolve: the same unlisted name twice is looked up once; the second is a duplicate", async () => {
  const found = anAgent({ id: fixtureId(3), owner: "bob", name: "fix" });
  const { fleet, finds } = handLists({
    find: (h) => Promise.resolve(h.text === "bob/fix" ? [found] : []),
  });
  const rs = await resolveMany(fleet, ["bob/fix", "bob/other", "bob/fix"]);
  assert.deepEqual(finds, ["task bob/fix", "task bob/other"]);
  assert.deepEqual(rs[0], { handle: "bob/fix", agent: found });
  assert.deepEqual(rs[2], { handle: "bob/fix", agent: found, duplicateOf: 0 });
  assert.deepEqual(failures([rs[1]]), [[
    'No agent "bob/other" was found.',
    "Find the agent with list_agents (query= searches names and messages) and use its id.",
  ]]);
});

Deno.test("resolve: how deep each lookup goes: one handle fully, many quickly; an id no API finds, once more as another user's task", async () => {
  const one = handLists({});
  await resolveMany(one.fleet, ["bob/fix"]);
  assert.deepEqual(one.depths, ["task bob/fix full"]);
  const many = handLists({});
  await resolveMany(many.fleet, ["bob/fix", "bob/other"]);
  assert.deepEqual(many.depths, ["task bob/fix quick", "task bob/other quick"]);
  const id = fixtureId(7);
  const byId = handLists({});
  const [r] = await resolveMany(byId.fleet, [id]);
  assert.deepEqual(byId.depths, [`task ${id} quick`, `chat ${id} quick`, `task ${id} full`]);
  assert.deepEqual(failures([r]), [[
    `No agent "${id}" was found.`,
    "Find the agent with list_agents (query= searches names and messages) and use its id.",
  ]]);
  // Many ids: the lists answer first; each id they do not show is looked up quickly, once.
  const ids = handLists({});
  await resolveMany(ids.fleet, [id, fixtureId(8)]);
  assert.deepEqual(ids.depths.sort(), [
    `chat ${id} quick`,
    `chat ${fixtureId(8)} quick`,
    `task ${id} quick`,
    `task ${fixtureId(8)} quick`,
  ]);
});

Deno.test("resolve: a bare name no list shows: not found, saying a bare name is the caller's own", async () => {
  const { fleet, finds } = handLists({});
  assert.deepEqual(failures(await resolveMany(fleet, ["fix-tests", "Explain it"])), [
    [
      'No agent "fix-tests" was found.',
      "A bare name means one of your own agents; use owner/name for another user's, or find it with list_agents.",
    ],
    [
      'No agent "Explain it" was found.',
      "A bare name means one of your own agents; use owner/name for another user's, or find it with list_agents.",
    ],
  ]);
  assert.deepEqual(finds, [], "the caller's own agents are all in the lists: no lookup");
  // Another user's chat title, unlisted: no task can have that name, so no task lookup.
  const other = handLists({});
  await resolveMany(other.fleet, ["bob/Explain the scheduler", "bob/fix"]);
  assert.deepEqual(other.finds, ["task bob/fix"]);
});

Deno.test("resolve: a malformed handle is echoed on one line of at most 200 characters, quoted in the error at 80", async () => {
  const raw = `${"x/".repeat(150)}`;
  const [r] = await resolveMany(handLists({}).fleet, [raw]);
  assert.ok("error" in r);
  assert.equal(r.handle, `${raw.slice(0, 199)}…`);
  assert.equal(r.error.message, `"${raw.slice(0, 79)}…" is not an agent handle.`);
  assert.equal(
    r.error.next,
    "Pass an agent id (UUID), owner/name (a Coder username, then a task name or chat title), " +
      "or your own agent's name; list_agents shows them.",
  );
  // A well-formed one too (a long chat title, say).
  const title = `bob/${"A long chat title ".repeat(15)}`;
  const [t] = await resolveMany(handLists({}).fleet, [title]);
  assert.equal(t.handle, `${title.slice(0, 199)}…`);
});

Deno.test("resolve: one id reads no list; on a Coder with chats only, a name gets no task lookup", async () => {
  const byId = handLists({});
  await resolveMany(byId.fleet, [fixtureId(5)]);
  assert.equal(byId.lists(), 0, "one id: direct lookups only");
  const byName = handLists({});
  await resolveMany(byName.fleet, ["bob/fix-it"]);
  assert.deepEqual(byName.asked, ['{"kind":"chat"}'], "one name: the chat list alone");
  const many = handLists({});
  await resolveMany(many.fleet, ["bob/fix-it", "bob/other"]);
  assert.deepEqual(many.asked, ["{}"], "many: every list");
  const chatsOnly = handLists({ kinds: ["chat"] });
  const [r] = await resolveMany(chatsOnly.fleet, ["bob/fix-it"]);
  assert.ok("error" in r && /No agent "bob\/fix-it" was found/.test(r.error.message));
  assert.equal(chatsOnly.lists(), 1, "the chat list");
  assert.deepEqual(chatsOnly.finds, [], "no Tasks API to look a task name up in");
});

Deno.test("resolve: one task-like name: the task lookup goes out with the chat list, not after it", async () => {
  let looked: () => void = () => {};
  const lookedUp = new Promise<void>((r) => looked = r);
  const found = anAgent({ id: fixtureId(6), owner: "bob", name: "fix-it" });
  const { fleet } = handLists({
    // The chat list answers only once the task lookup is out: one round trip, not two.
    list: async () => {
      await lookedUp;
      return {};
    },
    find: (h) => {
      looked();
      return Promise.resolve(h.text === "bob/fix-it" ? [found] : []);
    },
  });
  const [r] = await within(resolveMany(fleet, ["bob/fix-it"]), "the lookup and the list", 5_000);
  assert.deepEqual(r, { handle: "bob/fix-it", agent: found });
  // A Coder with tasks only: no chat list to read for one name.
  const tasksOnly = handLists({ kinds: ["task"] });
  const [t] = await resolveMany(tasksOnly.fleet, ["bob/fix-it"]);
  assert.ok("error" in t && /No agent "bob\/fix-it" was found/.test(t.error.message));
  assert.equal(tasksOnly.lists(), 0);
});

Deno.test("resolve: a task lookup sent ahead that fails, for a name the chat list shows, is no failure", async () => {
  const chat = anAgent({ id: fixtureId(4), kind: "chat", owner: "bob", name: "fix-it" });
  const { fleet } = handLists({
    list: () => Promise.resolve({ agents: [chat] }),
    find: () => Promise.reject(new Error("Coder answered 502")),
  });
  const [r] = await resolveMany(fleet, ["bob/fix-it"]);
  assert.deepEqual(r, { handle: "bob/fix-it", agent: chat });
  await pause(20); // an unread rejection would surface here, failing the test
});

Deno.test("resolve: a name two listed agents share is ambiguous; on a tasks-only Coder one bare name is looked up", async () => {
  const twins = [
    anAgent({ id: fixtureId(1), owner: "bob", name: "fix" }),
    anAgent({ id: fixtureId(2), owner: "bob", name: "fix", kind: "chat" }),
  ];
  const { fleet, finds } = handLists({ list: () => Promise.resolve({ agents: twins }) });
  const [r] = await resolveMany(fleet, ["bob/fix", fixtureId(1)]);
  assert.deepEqual(failures([r]), [[
    `"bob/fix" matches 2 agents: ${fixtureId(1)} (task, bob), ${fixtureId(2)} (chat, bob).`,
    "Use the id of the one you mean.",
  ]]);
  assert.deepEqual(finds, [], "the lists told: no lookup");
  const mine = anAgent({ id: fixtureId(3), name: "fix-it" });
  const tasksOnly = handLists({ kinds: ["task"], find: () => Promise.resolve([mine]) });
  assert.deepEqual(await resolveMany(tasksOnly.fleet, ["fix-it"]), [{
    handle: "fix-it",
    agent: mine,
  }]);
  assert.deepEqual(tasksOnly.depths, ["task fix-it full"]);
});

Deno.test("resolve: one id on both APIs: the one that finds it decides, answering first or last; one that fails or hangs is not waited for", async () => {
  const id = fixtureId(11);
  const chat = anAgent({ id, kind: "chat" });
  const backends = (task: () => Promise<Agent[]>, chats: () => Promise<Agent[]>) =>
    ({
      deployment: () =>
        Promise.resolve({
          me: { username: "alice" },
          backends: [{ kind: "task", find: task }, { kind: "chat", find: chats }],
        } as unknown as Deployment),
      snapshot: () => Promise.reject(new Error("no list for one id")),
    }) satisfies FleetLists;
  const later = () => pause(30).then(() => [chat]);
  for (
    const [what, task] of [
      ["not found first", () => Promise.resolve([])],
      ["failed first", () => Promise.reject(new Error("Coder answered 502"))],
    ] as const
  ) {
    const [r] = await within(resolveMany(backends(task, later), [id]), what, 5_000);
    assert.deepEqual(r, { handle: id, agent: chat }, what);
  }
  const hangs = () => new Promise<Agent[]>(() => {});
  const [r] = await within(
    resolveMany(backends(hangs, () => Promise.resolve([chat])), [id]),
    "the finding lookup, not the hanging one",
    5_000,
  );
  assert.deepEqual(r, { handle: id, agent: chat });
});
