/**
 * The tool catalog keeps its conventions, and its schemas and descriptions do not change
 * unreviewed ("toolsnaps": tests/toolsnaps/<tool>.json holds what tools/list shows a client).
 * `deno task toolsnaps` rewrites them (UPDATE_TOOLSNAPS=1, refused when CI is set); review the diff.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport } from "@modelcontextprotocol/server";
import { Fleet } from "../../src/fleet/fleet.ts";
import { serverFactory } from "../../src/server.ts";
import { toolProblems } from "../../src/tools/define.ts";
import { selectTools, TOOLS } from "../../src/tools/index.ts";

const CONTRACT = [
  "fleet_overview",
  "list_agents",
  "get_agent",
  "get_logs",
  "list_templates",
  "create_task",
  "send_input",
  "wait_for_agents",
  "stop_agents",
  "resume_agents",
  "delete_agents",
  "fleet_board",
  "fleet_board_rows",
];

async function listed(tools = TOOLS) {
  const fleet = new Fleet({ url: "http://127.0.0.1:9", token: "unused-token" });
  const server = serverFactory(fleet, tools)();
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "snap", version: "1" });
  await Promise.all([server.connect(a), client.connect(b)]);
  const res = await client.listTools();
  await client.close();
  await server.close();
  return res.tools;
}

Deno.test("catalog: exactly the tools of DESIGN.md", () => {
  assert.deepEqual(TOOLS.map((t) => t.name).sort(), [...CONTRACT].sort());
});

Deno.test("catalog: every tool keeps the conventions", () => {
  for (const t of TOOLS) assert.deepEqual(toolProblems(t), [], t.name);
});

Deno.test("catalog: the convention check catches a tool that breaks it", async () => {
  const { z } = await import("zod");
  const bad = {
    name: "Bad-Name",
    title: "",
    description: "one paragraph only",
    input: z.object({ x: z.string() }),
    output: z.object({}),
    annotations: { readOnlyHint: true, destructiveHint: true, idempotentHint: true },
    handler: () => Promise.resolve({ data: {}, text: "" }),
  };
  // deno-lint-ignore no-explicit-any
  const p = toolProblems(bad as any).join("\n");
  assert.match(p, /snake_case/);
  assert.match(p, /title/);
  assert.match(p, /three paragraphs/);
  assert.match(p, /openWorldHint/);
  assert.match(p, /cannot be destructive/);
  assert.match(p, /field x has no .describe/);
  assert.match(p, /input must be strict/, "a tool that ignores unknown arguments is caught");
  // The summary is one line, and short: a long first paragraph is caught, wrapped or not.
  const summary = (first: string) =>
    // deno-lint-ignore no-explicit-any
    toolProblems({ ...bad, description: `${first}\n\nWhen.\n\nFormats.` } as any)
      .filter((x) => /one-line summary/.test(x));
  assert.deepEqual(summary("x".repeat(160)), []);
  assert.equal(summary("x".repeat(161)).length, 1, "161 characters is not a one-line summary");
  assert.equal(summary("Two\nlines").length, 1);
  // Blank is missing; two paragraphs are not three, blank ones do not count; the schemas are
  // zod objects.
  const good = {
    ...bad,
    name: "good_tool",
    title: "Good",
    description: "One line.\n\nWhen.\n\nFormats.",
    input: z.strictObject({}),
    output: z.object({}),
    annotations: { ...bad.annotations, destructiveHint: false, openWorldHint: true },
  };
  // deno-lint-ignore no-explicit-any
  const problems = (patch: Record<string, unknown>) => toolProblems({ ...good, ...patch } as any);
  assert.deepEqual(problems({}), []);
  assert.deepEqual(problems({ title: "  " }), ["title is required"]);
  const three = ["description needs three paragraphs: summary, when to use, formats and limits"];
  assert.deepEqual(problems({ description: "One line.\n\nWhen." }), three);
  assert.deepEqual(problems({ description: "One line.\n\nWhen.\n\n  \n\n" }), three);
  assert.deepEqual(problems({ description: "One line.\n\nWhen.\n\n  " }), three);
  assert.deepEqual(problems({ input: { shape: {} } }), ["input must be a zod object"]);
  assert.deepEqual(problems({ output: {} }), ["output must be a zod object"]);
  // defineTool refuses such a tool when it loads, naming every problem.
  const { defineTool } = await import("../../src/tools/define.ts");
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => defineTool({ ...good, title: "" } as any),
    (e: Error) => e.message === "tool good_tool: title is required",
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => defineTool({ ...good, title: "", name: "x" } as any),
    (e: Error) => e.message === "tool x: name must be snake_case; title is required",
  );
  // deno-lint-ignore no-explicit-any
  assert.throws(() => defineTool(bad as any), /^Error: tool Bad-Name: name must be snake_case; /);
});

Deno.test("catalog: every tool is strict, and says so in tools/list", async () => {
  const { z } = await import("zod");
  const { defineTool, isStrict, strictInput } = await import("../../src/tools/define.ts");
  for (const t of TOOLS) assert.ok(isStrict(t.input), `${t.name} refuses unknown arguments`);
  // A future tool defined with a plain z.object is made strict by defineTool.
  const future = defineTool({
    name: "future_tool",
    title: "Future",
    description: "One line.\n\nWhen.\n\nFormats.",
    input: z.object({ x: z.string().optional().describe("x") }),
    output: z.object({}),
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    handler: () => Promise.resolve({ data: {}, text: "" }),
  });
  const r = future.input.safeParse({ x: "a", dry_run: true });
  assert.equal(r.success, false);
  assert.match(r.error!.issues[0].message, /Unknown argument "dry_run": future_tool takes only x/);
  assert.equal(
    r.error!.issues[0].message,
    'Unknown argument "dry_run": future_tool takes only x. Nothing was done. ' +
      "Next: call future_tool again without it.",
  );
  // Several unknown keys: each named (cut at 40 characters), and "them".
  const two = future.input.safeParse({ ["k".repeat(41)]: 1, y: 2 });
  assert.equal(
    two.error!.issues[0].message,
    `Unknown arguments "${"k".repeat(40)}", "y": future_tool takes only x. Nothing was done. ` +
      "Next: call future_tool again without them.",
  );
  const none = strictInput("bare_tool", z.object({})).safeParse({ y: 1 });
  assert.match(none.error!.issues[0].message, /: bare_tool takes only no arguments\. /);
  for (const t of await listed()) {
    // deno-lint-ignore no-explicit-any
    assert.equal((t.inputSchema as any).additionalProperties, false, `${t.name} is strict`);
  }
});

Deno.test("catalog: read-only mode and the allowlist are derived from the registry", () => {
  const ro = selectTools({ readOnly: true }).map((t) => t.name).sort();
  assert.deepEqual(ro, [
    "fleet_board",
    "fleet_board_rows",
    "fleet_overview",
    "get_agent",
    "get_logs",
    "list_agents",
    "list_templates",
    "wait_for_agents",
  ]);
  assert.deepEqual(
    selectTools({ allow: ["get_agent", "delete_agents"], readOnly: true }).map((t) => t.name),
    [
      "get_agent",
    ],
  );
  assert.throws(() => selectTools({ allow: ["nope"] }), /unknown tools: nope/);
  // Every unknown name, and every known one, so the setting can be fixed from the message.
  assert.throws(
    () => selectTools({ allow: ["nope", "get_agent", "nada"] }),
    (e: Error) =>
      e.message ===
        `CODER_FLEET_TOOLS names unknown tools: nope, nada (known: ${
          TOOLS.map((t) => t.name).join(", ")
        })`,
  );
});

Deno.test("catalog: tools/list shows titles, annotations, output schemas, described fields", async () => {
  const tools = await listed();
  assert.equal(tools.length, CONTRACT.length);
  for (const t of tools) {
    assert.ok(t.title, `${t.name} title`);
    assert.ok(t.outputSchema, `${t.name} outputSchema`);
    for (const k of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"]) {
      assert.equal(
        typeof (t.annotations as Record<string, unknown>)[k],
        "boolean",
        `${t.name} ${k}`,
      );
    }
    for (const field of undescribed(t.inputSchema, t.name)) assert.fail(`${field} is described`);
  }
});

/**
 * What tools/list may weigh, in bytes of JSON: every client reads it at the start of every
 * session, so it is a budget. 41,164 bytes before issue 20 ("Outcomes"), which may grow it by
 * at most 15%.
 */
const TOOLS_LIST_BUDGET = Math.floor(41_164 * 1.15);

Deno.test("catalog: tools/list is compact, and within its byte budget", async () => {
  const tools = await listed();
  const bytes = JSON.stringify(tools).length;
  assert.ok(bytes <= TOOLS_LIST_BUDGET, `tools/list is ${bytes} bytes, over ${TOOLS_LIST_BUDGET}`);
  const text = JSON.stringify(tools);
  // No bound that only says "a JavaScript number" (zod writes it on every integer)...
  assert.doesNotMatch(text, /9007199254740991/);
  // ...while real bounds stay, and no argument refers elsewhere (some clients do not follow).
  const list = tools.find((t) => t.name === "list_agents")!;
  // deno-lint-ignore no-explicit-any
  assert.equal((list.inputSchema as any).properties.limit.maximum, 200);
  for (const t of tools) assert.doesNotMatch(JSON.stringify(t.inputSchema), /\$ref/, t.name);
  // The agent row is defined once where an answer holds it several times.
  const wait = JSON.stringify(tools.find((t) => t.name === "wait_for_agents")!.outputSchema);
  assert.equal(wait.split('"state_since"').length - 1, 2, "one row definition (and required)");
  assert.ok(wait.includes('"$ref":"#/$defs/AgentRow"'));
});

/** Input fields without a description, at any depth (`where`'s filters, say), as `tool.a.b`. */
function undescribed(schema: unknown, path: string): string[] {
  if (!schema || typeof schema !== "object") return [];
  const s = schema as Record<string, unknown>;
  const props = Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>);
  return [
    ...props.flatMap(([k, v]) => [
      ...(v.description ? [] : [`${path}.${k}`]),
      ...undescribed(v, `${path}.${k}`),
    ]),
    ...[s.items, s.additionalProperties, ...((s.anyOf as unknown[]) ?? [])].flatMap((x) =>
      undescribed(x, path)
    ),
  ];
}

Deno.test("catalog: the field check looks into nested objects", () => {
  const schema = {
    properties: {
      where: { description: "w", properties: { a: { description: "a" }, b: {} } },
      list: { description: "l", items: { properties: { c: {} } } },
    },
  };
  assert.deepEqual(undescribed(schema, "t"), ["t.where.b", "t.list.c"]);
});

/** The command that rewrites the snapshots (it must work as printed). */
const UPDATE_HINT = "deno task toolsnaps";

Deno.test("toolsnaps: tool schemas and descriptions match the reviewed snapshots", async (t) => {
  const update = Deno.env.get("UPDATE_TOOLSNAPS") === "1";
  if (update && Deno.env.get("CI")) {
    throw new Error("UPDATE_TOOLSNAPS is refused when CI is set: snapshots are reviewed, not made");
  }
  const dir = new URL("../toolsnaps/", import.meta.url);
  for (const tool of await listed()) {
    await t.step(tool.name, async () => {
      const snap = JSON.stringify(
        {
          name: tool.name,
          title: tool.title,
          description: tool.description,
          annotations: tool.annotations,
          inputSchema: tool.inputSchema,
          outputSchema: tool.outputSchema,
          ...(tool._meta ? { _meta: tool._meta } : {}),
        },
        null,
        2,
      ) + "\n";
      const file = new URL(`${tool.name}.json`, dir);
      if (update) {
        await Deno.writeTextFile(file, snap);
        return;
      }
      let want: string;
      try {
        want = await Deno.readTextFile(file);
      } catch {
        throw new Error(`no snapshot for ${tool.name}: run ${UPDATE_HINT}, then review it`);
      }
      assert.equal(
        snap,
        want,
        `${tool.name} changed: if that is intended, run ${UPDATE_HINT} and review the diff`,
      );
    });
  }
});

Deno.test("catalog: the waiting tools declare how long they wait, in ms, and only when they wait", async () => {
  // The call's budget is this wait plus a margin (server.ts): a wait of 30 s must get 30,000 ms,
  // or its last round is cut short; a call that does not wait keeps the plain call budget.
  const { waitForAgentsTool } = await import("../../src/tools/wait_for_agents.ts");
  const { sendInputTool, WAIT_DEFAULT_S } = await import("../../src/tools/send_input.ts");
  const waitFor = (args: Record<string, unknown>) =>
    waitForAgentsTool.waits!(waitForAgentsTool.input.parse(args));
  assert.equal(waitFor({}), 30_000, "timeout_s defaults to 30");
  assert.equal(waitFor({ timeout_s: 300 }), 300_000);
  assert.equal(waitFor({ timeout_s: 0 }), 0);
  const send = (args: Record<string, unknown>) =>
    sendInputTool.waits!(sendInputTool.input.parse({ agents: ["a"], input: "x", ...args }));
  assert.equal(send({}), WAIT_DEFAULT_S * 1000);
  assert.equal(send({ wait_s: 120 }), 120_000);
  assert.equal(send({ wait_s: 120, dry_run: true }), 0, "a dry run waits for nothing");
  for (const if_busy of ["fail", "queue", "interrupt"]) {
    assert.equal(send({ if_busy, wait_s: 120 }), 0, `if_busy=${if_busy} does not wait`);
  }
  const waiting = TOOLS.filter((t) => t.waits).map((t) => t.name).sort();
  assert.deepEqual(waiting, ["send_input", "wait_for_agents"]);
});

Deno.test("catalog: a compact schema is written in the JSON Schema draft asked for", async () => {
  const { withCompactJsonSchema } = await import("../../src/tools/json_schema.ts");
  const { z } = await import("zod");
  const s = withCompactJsonSchema(z.object({ n: z.number().int() }), "input");
  // deno-lint-ignore no-explicit-any
  const json = (s["~standard"] as any).jsonSchema.input;
  assert.equal(json({ target: "draft-07" }).$schema, "http://json-schema.org/draft-07/schema#");
  assert.equal(json({}).$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.equal(json().$schema, "https://json-schema.org/draft/2020-12/schema");
});
