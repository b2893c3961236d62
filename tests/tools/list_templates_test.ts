/**
 * list_templates, line by line: the headers, each template's and model's line (display name,
 * default mark, presets or "no presets", description, context in k/M, why a model is unusable),
 * the providers Coder Agents cannot use, the organizations, the caps on names, and what a failed
 * catalog or a long list of malformed items says. In process, on the sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import type { Catalog } from "../../src/model/backend.ts";
import type { Sim } from "../../src/sim/server.ts";
import { type OrganizationInfo, templatesAnswer } from "../../src/tools/list_templates.ts";
import { onSim } from "./on_sim.ts";

async function getJson(sim: Sim, path: string): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, { headers: { "Coder-Session-Token": sim.token } });
  return await res.json();
}

/** The text's line that starts with `start` (exactly one). */
function lineOf(text: string, start: string): string {
  const found = text.split("\n").filter((l) => l.startsWith(start));
  assert.equal(found.length, 1, `one line starting ${JSON.stringify(start)} in:\n${text}`);
  return found[0];
}

Deno.test("list_templates: templates with their presets, default marked, description after a bar", async () => {
  await onSim({ sim: { profile: "both", tasks: 1, chats: 1 } }, async ({ sim, call }) => {
    const r = await call("list_templates");
    assert.ok(!r.isError, r.text);
    const lines = r.text.split("\n");
    assert.equal(lines[0], "Task templates (template; presets, * = default):");
    assert.equal(
      lines[1],
      "- claude-code (Claude Code): Coder*, Operator, Researcher | Claude Code in a dev container.",
    );
    assert.equal(
      lines[2],
      "- codex (Codex): Default*, Fast | OpenAI Codex CLI in a dev container.",
    );
    // Older Coder (v2.35) names no default model and no context window.
    assert.equal(
      lines[3],
      "Chat models (display name: model, provider, context; * = default; id):",
    );
    const sonnet = r.data.models.find((m: { model: string }) => m.model === "claude-sonnet-4-5");
    assert.equal(
      lineOf(r.text, "- Claude Sonnet 4.5"),
      `- Claude Sonnet 4.5: claude-sonnet-4-5, anthropic; ${sonnet.id}`,
    );
    assert.equal(lineOf(r.text, "Organizations:"), "Organizations: coder (default)");
    assert.deepEqual(
      r.data.organizations.map((
        o: { name: string; is_default: boolean },
      ) => [o.name, o.is_default]),
      [["coder", true]],
    );
    assert.equal(r.data.warnings, undefined, "no warning when everything answered");
    assert.doesNotMatch(r.text, /Warning|Nothing can be started/);

    // A template without a display name of its own, without a description, without presets.
    const raw = await getJson(sim, "/api/v2/templates?q=has-ai-task:true") as Record<
      string,
      unknown
    >[];
    sim.fault(/\/api\/v2\/templates$/, {
      kind: "wrong_shape",
      method: "GET",
      body: [{ ...raw[0], display_name: raw[0].name, description: "" }, {
        ...raw[1],
        display_name: "",
      }],
    });
    sim.fault(`/api/v2/templateversions/${raw[1].active_version_id}/presets`, {
      kind: "wrong_shape",
      method: "GET",
      body: [],
    });
    const bare = await call("list_templates");
    assert.ok(!bare.isError, bare.text);
    assert.equal(lineOf(bare.text, "- claude-code"), "- claude-code: Coder*, Operator, Researcher");
    assert.equal(
      lineOf(bare.text, "- codex"),
      "- codex: no presets | OpenAI Codex CLI in a dev container.",
    );
  });
});

Deno.test("list_templates: each chat model's line, its context in k or M, its caps", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ sim, call }) => {
    const first = await call("list_templates");
    assert.ok(!first.isError, first.text);
    assert.equal(
      first.text.split("\n")[0],
      "Chat models (display name: model, provider, context; * = default; id):",
      "no template header on a Coder without tasks",
    );
    assert.equal(lineOf(first.text, "Organizations:"), "Organizations: coder (default)");

    const orgs = await getJson(sim, "/api/v2/users/me/organizations") as { id: string }[];
    const path = `/api/v2/organizations/${orgs[0].id}/chats/models`;
    const raw = await getJson(sim, path) as {
      models: Record<string, unknown>[];
      providers: Record<string, unknown>[];
      unsupported_providers: unknown[];
    };
    const base = raw.models[1]; // usable, not the default
    const p64 = "p".repeat(64);
    const p65 = "q".repeat(65);
    const limits = [999, 1_000, 1_499, 1_500, 999_999, 1_000_000, 1_500_000, 2_000_000, 0];
    const models: Record<string, unknown>[] = limits.map((context_limit, i) => ({
      ...base,
      id: crypto.randomUUID(),
      model: `m-${i}`,
      display_name: `Model ${i}`,
      context_limit,
    }));
    // One without a display name: named by its model; one whose provider's name is long.
    models.push({ ...base, id: crypto.randomUUID(), model: "bare-model", display_name: "" });
    const longId = crypto.randomUUID();
    const longerId = crypto.randomUUID();
    models.push({ ...base, id: crypto.randomUUID(), model: "m-64", ai_provider_id: longId });
    models.push({ ...base, id: crypto.randomUUID(), model: "m-65", ai_provider_id: longerId });
    const providers = [
      ...raw.providers,
      { ...raw.providers[0], id: longId, type: p64, display_name: "Long" },
      { ...raw.providers[0], id: longerId, type: p65, display_name: "Longer" },
    ];
    sim.fault(path, {
      kind: "wrong_shape",
      method: "GET",
      body: {
        models,
        providers,
        unsupported_providers: [
          { provider: "copilot", display_name: "GitHub Copilot" },
          { provider: "same", display_name: "same" },
          { provider: "nameless", display_name: "" },
          { provider: "", display_name: "Only A Name" },
          { provider: p65, display_name: "X" },
        ],
      },
    });
    const r = await call("list_templates");
    assert.ok(!r.isError, r.text);
    const context = (i: number) => lineOf(r.text, `- Model ${i}:`).split(", ")[2];
    assert.deepEqual(
      limits.map((_, i) => context(i)),
      [
        "999 context; " + models[0].id,
        "1k context; " + models[1].id,
        "1k context; " + models[2].id,
        "2k context; " + models[3].id,
        "1000k context; " + models[4].id,
        "1M context; " + models[5].id,
        "1.5M context; " + models[6].id,
        "2M context; " + models[7].id,
        undefined, // no context limit: no third fact
      ],
    );
    assert.equal(lineOf(r.text, "- Model 8:"), `- Model 8: m-8, anthropic; ${models[8].id}`);
    assert.equal(r.data.models[8].context_limit, undefined);
    assert.equal(r.data.models[5].context_limit, 1_000_000);
    assert.match(lineOf(r.text, "- bare-model:"), /^- bare-model: bare-model, anthropic, /);
    // A provider's name is capped at 64 characters.
    const byModel = (m: string) => r.data.models.find((x: { model: string }) => x.model === m);
    assert.equal(byModel("m-64").provider, p64);
    assert.equal(byModel("m-65").provider, "q".repeat(63) + "…");
    assert.equal(
      lineOf(r.text, "Providers Coder Agents cannot use:"),
      "Providers Coder Agents cannot use: GitHub Copilot (copilot), same, nameless, Only A Name, " +
        `X (${"q".repeat(59)}…)`, // the chats back end caps it at 60
    );
    assert.equal(r.data.unsupported_providers[3].provider, "");
  });
});

Deno.test("list_templates: a catalog or the organizations that fail are warnings, never a false 'nothing configured'", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ sim, call }) => {
    const orgs = await getJson(sim, "/api/v2/users/me/organizations") as { id: string }[];
    const path = `/api/v2/organizations/${orgs[0].id}/chats/models`;
    const raw = await getJson(sim, path) as { models: Record<string, unknown>[] };

    // Twelve malformed models: ten named, the other two counted.
    const bad = Array.from({ length: 12 }, (_, i) => ({ ...raw.models[0], id: 1000 + i }));
    sim.fault(path, {
      kind: "wrong_shape",
      method: "GET",
      body: { ...raw, models: [raw.models[0], ...bad] },
      times: 1,
    });
    const skipped = await call("list_templates");
    assert.ok(!skipped.isError, skipped.text);
    assert.equal(skipped.data.models.length, 1);
    const warnings: string[] = skipped.data.warnings;
    assert.equal(warnings.length, 11, JSON.stringify(warnings));
    assert.match(warnings[0], /chat model #2 .*skipped, malformed/);
    assert.match(warnings[9], /chat model #11 .*skipped, malformed/);
    assert.equal(warnings[10], "chat catalog: 2 more skipped");
    assert.equal(
      skipped.text.split("\n").filter((l) => l.startsWith("Warning: ")).length,
      11,
      skipped.text,
    );
    assert.equal(
      lineOf(skipped.text, "Warning: chat catalog:"),
      "Warning: chat catalog: 2 more skipped",
    );

    // The catalog fails: the warning says so; nothing claims the catalog is empty.
    sim.fault(path, { status: 403, body: { message: "Forbidden." } });
    const failed = await call("list_templates");
    sim.clearFaults();
    assert.ok(!failed.isError, failed.text);
    assert.deepEqual(failed.data.models, []);
    assert.deepEqual(failed.data.warnings, [
      `chat catalog failed: Coder answered 403 to GET ${path}: Forbidden.`,
    ]);
    assert.match(failed.text, /^Warning: chat catalog failed: Coder answered 403/m);
    assert.doesNotMatch(failed.text, /Nothing can be started/);
    assert.match(
      failed.text,
      /^Nothing to list: the catalog could not be read \(see the warnings\)/,
    );
    assert.equal(lineOf(failed.text, "Organizations:"), "Organizations: coder (default)");

    // The organizations fail: a warning, an empty list, no Organizations line.
    sim.fault(/\/users\/me\/organizations$/, { status: 403, body: { message: "Forbidden." } });
    const noOrgs = await call("list_templates");
    sim.clearFaults();
    assert.deepEqual(noOrgs.data.organizations, []);
    assert.match(
      noOrgs.text,
      /^Warning: organizations: Coder answered 403 to GET \/api\/v2\/users\/me\/organizations/m,
    );
    assert.doesNotMatch(noOrgs.text, /^Organizations:/m);
  });
});

Deno.test("list_templates: a Coder with nothing to start says so", async () => {
  await onSim({ sim: { profile: "current", chats: 1 } }, async ({ sim, call }) => {
    const orgs = await getJson(sim, "/api/v2/users/me/organizations") as { id: string }[];
    sim.fault(`/api/v2/organizations/${orgs[0].id}/chats/models`, {
      kind: "wrong_shape",
      method: "GET",
      body: { models: [], providers: [], unsupported_providers: [] },
    });
    const r = await call("list_templates");
    assert.ok(!r.isError, r.text);
    assert.deepEqual(r.text.split("\n"), [
      "Nothing can be started: no AI task template and no chat model is configured.",
      "Organizations: coder (default)",
    ]);
    assert.equal(r.data.unsupported_providers, undefined);
  });
});

/** A catalog whose every text is `n` characters long (`c` repeated). */
function catalogOf(c: string, n: number): Catalog {
  const s = c.repeat(n);
  return {
    templates: [{
      id: "t1",
      name: s,
      display_name: s,
      description: s,
      organization_id: "o1",
      active_version_id: "v1",
      presets: [{ id: "p1", name: s, default: true, description: s }],
    }],
    models: [{
      id: "m1",
      model: s,
      provider: s,
      display_name: s,
      default: false,
      enabled: true,
      available: false,
      unavailable_reason: s,
    }],
    unsupported_providers: [{ provider: s, display_name: s }],
  };
}

Deno.test("list_templates: every name and text is capped at its length, whatever a back end passes on", () => {
  const caps = {
    template: { name: 128, display_name: 128, description: 200 },
    preset: { name: 128, description: 200 },
    model: { model: 128, provider: 64, display_name: 128, unavailable_reason: 60 },
    unsupported: { provider: 64, display_name: 128 },
  };
  const ok = (v: OrganizationInfo[]) => ({ status: "fulfilled" as const, value: v });
  for (const over of [0, 1]) {
    // Each field at its cap, then one over: kept whole, then cut to the cap with an ellipsis.
    const at = (cap: number) => over ? "x".repeat(cap - 1) + "…" : "x".repeat(cap);
    const answer = (len: number) =>
      templatesAnswer(
        [{ kind: "chat", result: { status: "fulfilled", value: catalogOf("x", len) } }],
        ok([{ id: "o1", name: "x".repeat(len) }]),
      ).data;
    for (const [field, cap] of Object.entries(caps.template)) {
      const t = answer(cap + over).templates[0] as Record<string, unknown>;
      assert.equal(t[field], at(cap), `template ${field}`);
    }
    for (const [field, cap] of Object.entries(caps.preset)) {
      const p = answer(cap + over).templates[0].presets[0] as Record<string, unknown>;
      assert.equal(p[field], at(cap), `preset ${field}`);
    }
    for (const [field, cap] of Object.entries(caps.model)) {
      const m = answer(cap + over).models[0] as Record<string, unknown>;
      assert.equal(m[field], at(cap), `model ${field}`);
    }
    for (const [field, cap] of Object.entries(caps.unsupported)) {
      const u = answer(cap + over).unsupported_providers![0] as Record<string, unknown>;
      assert.equal(u[field], at(cap), `unsupported provider ${field}`);
    }
    assert.equal(answer(128 + over).organizations[0].name, at(128), "organization name");
  }
});

Deno.test("list_templates: warnings are one line of 300; ten malformed items named, more counted", () => {
  const ok = <T>(value: T) => ({ status: "fulfilled" as const, value });
  const no = (reason: unknown) => ({ status: "rejected" as const, reason });
  const long = (n: number) => new Error("e".repeat(n));
  const skipped = (n: number) => Array.from({ length: n }, (_, i) => `model #${i + 1} skipped`);
  const answer = templatesAnswer(
    [
      { kind: "task", result: no(long(300)) },
      { kind: "chat", result: ok({ skipped: ["s".repeat(301), ...skipped(9)] }) },
    ],
    no(long(301)),
  );
  const w = answer.data.warnings!;
  assert.equal(w[0], `task catalog failed: ${"e".repeat(300)}`);
  assert.equal(w[1], "s".repeat(299) + "…");
  assert.equal(w.length, 12, "ten skipped lines, no count: none more");
  assert.equal(w[10], "model #9 skipped");
  assert.equal(w[11], `organizations: ${"e".repeat(299)}…`);
  // A reason of exactly 300 is whole: the cap is on the reason, not on the warning.
  const whole = templatesAnswer([{ kind: "chat", result: no(long(300)) }], ok([]));
  assert.equal(whole.data.warnings![0], `chat catalog failed: ${"e".repeat(300)}`);
  assert.equal(
    templatesAnswer([{ kind: "chat", result: no(long(301)) }], ok([])).data.warnings![0],
    `chat catalog failed: ${"e".repeat(299)}…`,
  );
  const orgs = templatesAnswer([], no(long(300))).data.warnings!;
  assert.deepEqual(orgs, [`organizations: ${"e".repeat(300)}`]);
  // Eleven: ten named, one counted, per back end.
  const eleven = templatesAnswer(
    [{ kind: "chat", result: ok({ skipped: skipped(11) }) }],
    ok([]),
  ).data.warnings!;
  assert.equal(eleven.length, 11);
  assert.equal(eleven[9], "model #10 skipped");
  assert.equal(eleven[10], "chat catalog: 1 more skipped");
});

Deno.test("list_templates: organizations, default marks, and context windows of a million", () => {
  const ok = <T>(value: T) => ({ status: "fulfilled" as const, value });
  const model = (id: string, context_limit: number, isDefault = false) => ({
    id,
    model: `model-${id}`,
    provider: "google",
    display_name: `Model ${id}`,
    default: isDefault,
    enabled: true,
    available: true,
    context_limit,
  });
  const { data, text } = templatesAnswer(
    [{
      kind: "chat",
      result: ok({
        models: [
          model("a", 1_048_576, true),
          model("b", 1_049_999),
          model("c", 1_950_001),
          model("d", 128_000),
          { ...model("e", 0), available: false, unavailable_reason: "missing_api_key" },
        ],
      }),
    }],
    ok([{ id: "o1", name: "coder" }, { id: "o2", name: "research", is_default: true }]),
  );
  assert.deepEqual(text.split("\n"), [
    "Chat models (display name: model, provider, context; * = default; id):",
    "- Model a*: model-a, google, 1M context; a",
    "- Model b: model-b, google, 1M context; b",
    "- Model c: model-c, google, 2M context; c",
    "- Model d: model-d, google, 128k context; d",
    "- Model e: model-e, google; e; not usable: its provider has no API key (missing_api_key)",
    "Organizations: coder, research (default)",
  ]);
  assert.deepEqual(data.organizations, [
    { id: "o1", name: "coder", is_default: false },
    { id: "o2", name: "research", is_default: true },
  ]);
  assert.equal(data.warnings, undefined);
  assert.equal(data.unsupported_providers, undefined);
});
