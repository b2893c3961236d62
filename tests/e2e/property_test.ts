/**
 * Property tests (issue 6, DESIGN "Trust"): 10,000 generated argument objects across every tool,
 * valid-ish and hostile (unknown keys, huge strings, path-traversal handles, wrong types,
 * unicode), sent concurrently over one MCP connection to the server against the sim.
 *
 * Properties:
 * 1. every call answers with a result whose structuredContent matches the tool's output schema
 *    (the official client checks it), or a clean isError: text starting `Error:` with a `Next:`
 *    line; never a protocol error, never a crash;
 * 2. no request ever leaves the agent API paths: every request the sim saw matches the
 *    allowlist of routes the server legitimately uses (built from src/coder).
 *
 * The argument objects are drawn with fast-check from a fixed seed (PROPERTY_SEED to change it,
 * PROPERTY_RUNS to change the count); a failure prints the arguments, for replay.
 *
 * Cost: most of the run is the server's fixed cost per call. Over-cap strings are one past the
 * cap of the field they land on (from the tool's advertised input schema), and one "huge" string
 * in ten is 100 KB: a 100 KB string on every hostile call only moved bytes through two JSON
 * codecs and a pipe (155 MB a run), testing nothing a string one past the cap does not.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { startHarness } from "./harness.ts";

const RUNS = Number(Deno.env.get("PROPERTY_RUNS") ?? 10_000);
const SEED = Number(Deno.env.get("PROPERTY_SEED") ?? 20261126);
const CONCURRENCY = 32;

const SEG = "[^/]+";
const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const API = "/api/(?:v2|experimental)";

/** Every route the server may call (src/coder), as method + anchored path pattern. */
const ALLOWED: [string, RegExp][] = [
  ["GET", /^\/api\/v2\/buildinfo$/],
  ["GET", /^\/api\/v2\/users\/me$/],
  ["GET", /^\/api\/v2\/users\/me\/organizations$/],
  ["GET", /^\/api\/v2\/users\/me\/ai\/spend$/],
  ["GET", new RegExp(`^${API}/tasks$`)],
  ["POST", new RegExp(`^${API}/tasks/${SEG}$`)],
  ["GET|DELETE", new RegExp(`^${API}/tasks/${SEG}/${SEG}$`)],
  ["PATCH", new RegExp(`^${API}/tasks/${SEG}/${SEG}/input$`)],
  ["GET", new RegExp(`^${API}/tasks/${SEG}/${SEG}/logs$`)],
  ["POST", new RegExp(`^${API}/tasks/${SEG}/${SEG}/(?:send|pause|resume)$`)],
  ["GET|POST", new RegExp(`^${API}/chats$`)],
  ["GET", new RegExp(`^${API}/chats/models$`)],
  ["GET", new RegExp(`^/api/v2/organizations/${UUID}/chats/models$`)],
  ["GET", new RegExp(`^${API}/chats/watch$`)],
  ["GET|PATCH", new RegExp(`^${API}/chats/${UUID}$`)],
  ["GET|POST", new RegExp(`^${API}/chats/${UUID}/messages$`)],
  ["POST", new RegExp(`^${API}/chats/${UUID}/interrupt$`)],
  ["GET", new RegExp(`^${API}/chats/${UUID}/cost$`)],
  ["GET", /^\/api\/v2\/templates$/],
  ["GET", new RegExp(`^/api/v2/templates/${UUID}$`)],
  ["GET", new RegExp(`^/api/v2/organizations/${SEG}/templates/${SEG}$`)],
  ["GET", new RegExp(`^/api/v2/templateversions/${UUID}/presets$`)],
];

/** Why a path is outside the agent APIs, or undefined when it is allowed. */
export function outsideAgentApis(method: string, path: string): string | undefined {
  const segs = path.split("/");
  if (segs.some((s) => /^(?:\.|%2e){1,2}$/i.test(s))) return "dot segment";
  const ok = ALLOWED.some(([m, re]) => m.split("|").includes(method) && re.test(path));
  return ok ? undefined : "not an agent API route";
}

/** Count failures by their first words, most frequent first. */
function histogram(failures: string[]): string {
  const counts = new Map<string, number>();
  for (const f of failures) {
    const key = f.split("\n")[0].split(/\s+/).slice(0, 6).join(" ");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, n]) => `  ${n} × ${k}`)
    .join("\n");
}

const STATES = ["starting", "working", "idle", "complete", "failed", "paused", "error", "unknown"];

const HOSTILE_HANDLES = [
  "..",
  ".",
  "../users",
  "../../users/me",
  "a/../../users/me",
  "me/../..",
  "%2e%2e",
  "%2e%2e/%2e%2e/users/me",
  "..%2f..%2fusers",
  "admin/..",
  "admin/../../users/admin",
  "/",
  "//",
  "a?b=c",
  "a#frag",
  "a b",
  "\u0000",
  "\u202e\u2066evil",
  "😀/🙂",
  "admin/",
  "/name",
  "owner/name/extra",
  "x".repeat(201),
  "x".repeat(5000),
];

const HOSTILE_KEYS = ["dry_run", "force", "__proto__", "constructor", "url", "token", "", "😀"];

/**
 * Any code point but a half surrogate pair: fast-check's `unit: "binary"`, without the reverse
 * map of all 1.1 million code points that it builds when first used (~1 CPU-s per process).
 */
const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff - 0x800 })
  .map((n) => String.fromCodePoint(n < 0xd800 ? n : n + 0x800));

/** The tool names, and for each an arbitrary of valid-ish argument objects. */
export function toolArbitraries(handles: string[]) {
  const anyText = fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ unit: anyCodePoint, maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_HANDLES) },
  );
  const handle = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...handles) },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_HANDLES) },
    { weight: 2, arbitrary: anyText },
    { weight: 1, arbitrary: fc.uuid() },
  );
  const agents = fc.array(handle, { minLength: 1, maxLength: 5 });
  const kind = fc.constantFrom("task", "chat");
  const state = fc.oneof(
    fc.subarray(STATES, { minLength: 1 }),
    fc.constantFrom(...STATES),
  );
  const filters = {
    state,
    owner: fc.oneof(fc.constantFrom("admin", "alice", "me", "nobody"), anyText),
    kind,
    template: fc.oneof(fc.constantFrom("claude-code", "codex", "docker-basic"), anyText),
    label: fc.oneof(fc.constantFrom("team:infra", "priority:high", "a:"), anyText),
    query: anyText,
  };
  return {
    fleet_overview: fc.record({ owner: filters.owner, kind }, { requiredKeys: [] }),
    fleet_board: fc.record({ owner: filters.owner, kind }, { requiredKeys: [] }),
    fleet_board_rows: fc.record({
      digest: fc.oneof(
        fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 64 }),
        anyText,
      ),
    }, { requiredKeys: [] }),
    list_agents: fc.record({
      ...filters,
      settled_for_s: fc.nat({ max: 100_000 }),
      limit: fc.integer({ min: 1, max: 200 }),
      cursor: fc.oneof(anyText, fc.base64String({ maxLength: 60 })),
    }, { requiredKeys: [] }),
    get_agent: fc.record({ agent: handle }),
    get_logs: fc.record({
      agent: handle,
      after_id: fc.integer({ min: -1, max: 1_000 }),
      before_id: fc.nat({ max: 1_000 }),
      limit: fc.integer({ min: 1, max: 200 }),
      max_chars: fc.integer({ min: 200, max: 100_000 }),
    }, { requiredKeys: ["agent"] }),
    list_templates: fc.constant({}),
    create_task: fc.record({
      prompt: fc.oneof(anyText.filter((s) => s.trim() !== ""), fc.constant("Fix the bug.")),
      kind,
      template: filters.template,
      preset: fc.oneof(fc.constantFrom("Coder", "Fast", "nope"), anyText),
      model: fc.oneof(fc.constantFrom("claude-sonnet-4-5", "gpt-5"), anyText),
      name: fc.oneof(fc.constantFrom("prop-task", "a-b-c"), anyText),
      owner: filters.owner,
      labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), {
        maxKeys: 3,
      }),
    }, { requiredKeys: ["prompt"] }),
    send_input: fc.record({
      agents,
      input: fc.oneof(anyText, fc.constant("Please continue.")),
      if_busy: fc.constantFrom("fail", "queue", "interrupt", "wait"),
      wait_s: fc.constant(0),
    }, { requiredKeys: ["agents", "input", "wait_s"] }),
    wait_for_agents: fc.record({
      agents: fc.array(handle, { minLength: 1, maxLength: 8 }),
      ...filters,
      until: fc.constantFrom("settled", "any_change", "idle"),
      mode: fc.constantFrom("any", "all"),
      timeout_s: fc.constant(0),
    }, { requiredKeys: ["timeout_s"] }),
    stop_agents: fc.record({ agents, dry_run: fc.boolean() }, { requiredKeys: ["agents"] }),
    resume_agents: fc.record({ agents, prompt: anyText }, { requiredKeys: ["agents"] }),
    delete_agents: fc.record(
      { agents, dry_run: fc.constantFrom(true, true, true, true, false) },
      { requiredKeys: ["agents"] },
    ),
  } as Record<string, fc.Arbitrary<Record<string, unknown>>>;
}

/** Keys whose valid values could make a call wait long: never mutated into another number. */
const WAIT_KEYS = new Set(["timeout_s", "wait_s"]);

/** Stands for "a string over this field's cap" until the key it lands on sizes it. */
const OVER_CAP = Symbol("over cap");

/** Length of a string far over every cap: the size a careless caller (or an attacker) sends. */
const FAR_OVER = 100_001;

/**
 * How long a string must be to go over a field's cap, from the tool's advertised input schema
 * (`maxLength`, also inside `anyOf`): one past the cap. An unknown key, or a field without a
 * declared cap that is an enum or not a string, refuses any long string the same way (1,001
 * chars); a free string without a cap gets {@link FAR_OVER}.
 */
export function overCapLength(inputSchema: unknown, key: string): number {
  // deno-lint-ignore no-explicit-any
  const props = (inputSchema as any)?.properties ?? {};
  const prop = Object.hasOwn(props, key) ? props[key] : undefined; // not `constructor` of {}
  const caps = [prop, ...(prop?.anyOf ?? [])]
    .map((x) => x?.maxLength)
    .filter((n): n is number => typeof n === "number");
  if (caps.length > 0) return Math.max(...caps) + 1;
  return prop?.type === "string" && !prop.enum ? FAR_OVER : 1_001;
}

/**
 * Hostile mutations of a valid-ish argument object. An over-cap string is `overCap(key)` long
 * for the key it lands on (see {@link overCapLength}): one past the cap costs the server what a
 * longer one does, in far fewer bytes. One "huge" string in ten is far over any cap instead
 * ({@link FAR_OVER}), so every tool also meets a 100 KB string.
 */
export function hostile(
  base: fc.Arbitrary<Record<string, unknown>>,
  overCap: (key: string) => number,
) {
  const wrongValue = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.constant(OVER_CAP),
  );
  const sized = (k: string, v: unknown) => v === OVER_CAP ? "x".repeat(overCap(k)) : v;
  const waitValue = fc.constantFrom("300", -1, 1e9, 2.5, null, "soon", [1]);
  return fc.tuple(
    base,
    fc.constantFrom("unknown_key", "wrong_type", "huge", "both"),
    fc.constantFrom(...HOSTILE_KEYS),
    wrongValue,
    waitValue,
    fc.nat(),
  ).map(([args, how, key, value, waitBad, pick]) => {
    const out: Record<string, unknown> = { ...args };
    const keys = Object.keys(out);
    if (how === "unknown_key" || how === "both") {
      Object.defineProperty(out, key, {
        value: sized(key, value),
        enumerable: true,
        writable: true,
      });
    }
    if ((how === "wrong_type" || how === "both") && keys.length > 0) {
      const k = keys[pick % keys.length];
      out[k] = WAIT_KEYS.has(k) ? waitBad : sized(k, value);
    }
    if (how === "huge") {
      // Any of its string fields (not always the first), else an unknown key.
      const strings = keys.filter((x) => typeof out[x] === "string");
      const k = strings[Math.floor(pick / 10) % strings.length] ?? "input";
      out[k] = "y".repeat(pick % 10 === 0 ? FAR_OVER + (pick % 1000) : overCap(k));
    }
    return out;
  });
}

/**
 * The calls of a run: `runs` (tool, arguments) pairs drawn from a fixed seed, each tool's
 * arguments valid-ish (5 in 10), hostile (4 in 10) or any object (1 in 10), over-cap strings
 * sized from the tool's input schema, waits (`timeout_s`, `wait_s`) 0 where absent.
 */
export function drawCalls(
  tools: { name: string; inputSchema: unknown }[],
  handles: string[],
  runs: number,
  seed: number,
): { name: string; args: Record<string, unknown> }[] {
  const byTool = toolArbitraries(handles);
  const schemaOf = new Map(tools.map((t) => [t.name, t.inputSchema]));
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(Object.keys(byTool).sort(), names, "every tool has a generator");
  // Built once per tool (not per draw: building arbitraries costs more than drawing from them).
  const argsOf = Object.fromEntries(names.map((name) => [
    name,
    fc.oneof(
      { weight: 5, arbitrary: byTool[name] },
      { weight: 4, arbitrary: hostile(byTool[name], (k) => overCapLength(schemaOf.get(name), k)) },
      { weight: 1, arbitrary: fc.object({ maxDepth: 2, maxKeys: 4 }) },
    ),
  ]));
  const one = fc.constantFrom(...names).chain((name) =>
    argsOf[name].map((args) => ({ name, args }))
  );
  const calls = fc.sample(one, { numRuns: runs, seed });
  // OVER_CAP is always sized; one left over would vanish from the JSON, and the call with it.
  assert.ok(!calls.some((c) => Object.values(c.args).includes(OVER_CAP)), "unsized OVER_CAP");
  // A waiting tool called without its wait (`{}` from fc.object) waits its default (30 s, 45 s)
  // for a change that may never come: it would hold a slot and poll Coder all the while.
  for (const c of calls) {
    // deno-lint-ignore no-explicit-any
    const props = (schemaOf.get(c.name) as any)?.properties ?? {};
    for (const k of WAIT_KEYS) if (k in props && !Object.hasOwn(c.args, k)) c.args[k] = 0;
  }
  return calls;
}

/** Per tool: how many calls carry a string over its field's cap, and how many one of 100 KB. */
export function overCapByTool(
  calls: { name: string; args: Record<string, unknown> }[],
  tools: { name: string; inputSchema: unknown }[],
): Record<string, { over: number; far: number }> {
  const schemaOf = new Map(tools.map((t) => [t.name, t.inputSchema]));
  const out: Record<string, { over: number; far: number }> = {};
  for (const c of calls) {
    const long = Object.entries(c.args).filter(([k, v]) =>
      typeof v === "string" && v.length >= overCapLength(schemaOf.get(c.name), k)
    );
    if (long.length === 0) continue;
    const x = out[c.name] ??= { over: 0, far: 0 };
    x.over++;
    if (long.some(([, v]) => (v as string).length >= FAR_OVER)) x.far++;
  }
  return out;
}

Deno.test("property: 10,000 generated calls answer cleanly and stay on the agent APIs", async () => {
  const h = await startHarness({
    sim: { profile: "both", tasks: 12, chats: 8, rateLimit: 0 },
    env: {
      // The server's own limiter would (rightly) hold 10,000 calls to 450 requests a minute per
      // route; this test is about outcomes and paths, so it raises the limit to its maximum.
      CODER_FLEET_RATE_LIMIT: "10000",
    },
  });
  try {
    const { tools } = await h.client.listTools(); // the client then checks every output schema
    const handles = [
      ...h.sim.taskIds(),
      ...h.sim.chatIds(),
      ...h.sim.taskIds().map((id) => {
        const t = h.sim.task(id) as { owner_name: string; name: string };
        return `${t.owner_name}/${t.name}`;
      }),
      "admin/fix-login-bug-1",
      "fix-login-bug-1",
    ];
    const calls = drawCalls(tools, handles, RUNS, SEED);
    assert.equal(calls.length, RUNS);
    const hostility = overCapByTool(calls, tools);
    if (RUNS >= 1000) {
      // Sized to each field's cap, over-cap strings still reach every tool, and some are 100 KB.
      const none = tools.map((t) => t.name).filter((n) => !hostility[n]?.over);
      assert.deepEqual(none, [], "tools that got no over-cap string");
      assert.ok(Object.values(hostility).some((x) => x.far > 0), "some calls carry 100 KB");
    }

    const failures: string[] = [];
    let isError = 0;
    let next = 0;
    const replay = (c: { name: string; args: Record<string, unknown> }) =>
      `${c.name} ${JSON.stringify(c.args).slice(0, 300)}`;
    /** One call; a description of what was wrong with its outcome, or undefined. */
    const runOne = async (c: { name: string; args: Record<string, unknown> }) => {
      try {
        const r = await h.client.callTool({ name: c.name, arguments: c.args }, {
          timeout: 120_000,
        });
        // deno-lint-ignore no-explicit-any
        const text = (r.content as any[]).map((x) => x.text ?? "").join("\n");
        if (r.isError) {
          isError++;
          if (!/^Error: \S/.test(text) || !/^Next: \S/m.test(text)) {
            return `unclean error: ${text.slice(0, 300)}`;
          }
        } else if (r.structuredContent === undefined) {
          return `no structuredContent: ${text.slice(0, 200)}`;
        }
      } catch (err) {
        return `threw: ${String(err).slice(0, 300)}`;
      }
      return undefined;
    };
    const slow: { ms: number; call: string }[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls.length) {
        const c = calls[next++];
        const t = performance.now();
        const bad = await runOne(c);
        if (bad) failures.push(`${bad}\n  args: ${replay(c)}`);
        const ms = performance.now() - t;
        if (slow.length < 5 || ms > slow[4].ms) {
          slow.push({ ms, call: replay(c).slice(0, 160) });
          slow.sort((a, b) => b.ms - a.ms).splice(5);
        }
      }
    }));
    // Diagnostics only (no timed assertion): where the time went.
    console.log(
      `${RUNS} calls in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
        `${h.sim.requests.length} Coder requests ` +
        `(${h.sim.requests.filter((q) => q.status === 0).length} unanswered); slowest:\n` +
        slow.map((x) => `  ${x.ms.toFixed(0)} ms ${x.call}`).join("\n") +
        "\nover-cap strings (of them 100 KB) by tool: " +
        Object.entries(hostility).map(([n, x]) => `${n} ${x.over} (${x.far})`).join(", "),
    );

    const outside = h.sim.requests
      .map((q) => ({ q, why: outsideAgentApis(q.method, q.path) }))
      .filter((x) => x.why);
    const sample = (xs: string[]) => xs.slice(0, 8).join("\n");
    const problems = [
      outside.length
        ? `${outside.length} request(s) left the agent APIs:\n${
          sample(outside.map((x) => `${x.q.method} ${x.q.path} (${x.why})`))
        }`
        : "",
      failures.length
        ? `${failures.length} bad outcome(s), by kind:\n${histogram(failures)}\n${sample(failures)}`
        : "",
    ].filter(Boolean);
    assert.equal(problems.length, 0, problems.join("\n"));
    assert.ok(isError > 0 && isError < RUNS, "both outcomes occurred");
    assert.ok(h.sim.requests.length > 0, "calls reached Coder");
    // The server still answers.
    const r = await h.call("list_agents", { limit: 1 });
    assert.ok(!r.isError, r.text);
  } finally {
    await h.close();
  }
});

Deno.test("property: the route allowlist itself", () => {
  assert.equal(outsideAgentApis("GET", "/api/v2/tasks"), undefined);
  assert.equal(outsideAgentApis("POST", "/api/v2/tasks/admin/fix-1/send"), undefined);
  assert.equal(outsideAgentApis("GET", "/api/v2/users/me"), undefined);
  assert.ok(outsideAgentApis("GET", "/api/v2/users/admin"));
  assert.ok(outsideAgentApis("GET", "/api/v2/users"));
  assert.ok(outsideAgentApis("GET", "/api/v2/tasks/%2e%2e/x"));
  assert.ok(outsideAgentApis("GET", "/api/v2/chats/not-a-uuid"));
  assert.ok(outsideAgentApis("DELETE", "/api/v2/chats/00000000-0000-4000-8000-000000000000"));
  assert.ok(outsideAgentApis("GET", "/api/v2/workspaces"));
});

Deno.test("property: over-cap lengths come from the advertised input schema", () => {
  const schema = {
    type: "object",
    properties: {
      owner: { type: "string", maxLength: 36 },
      state: { anyOf: [{ type: "string", maxLength: 20 }, { type: "array" }] },
      kind: { type: "string", enum: ["task", "chat"] },
      note: { type: "string" },
      limit: { type: "integer" },
    },
  };
  assert.equal(overCapLength(schema, "owner"), 37);
  assert.equal(overCapLength(schema, "state"), 21);
  assert.equal(overCapLength(schema, "kind"), 1_001);
  assert.equal(overCapLength(schema, "limit"), 1_001);
  assert.equal(overCapLength(schema, "note"), FAR_OVER, "a string without a cap gets 100 KB");
  assert.equal(overCapLength(schema, "constructor"), 1_001, "unknown key");
});
