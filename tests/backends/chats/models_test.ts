/**
 * Chat models as Coder serves them: the v2.39 shape (flat models joined to provider descriptors,
 * a default, disabled models, unavailable providers) and the older nested shape, both read from
 * fixtures written from the reference; which model a create names, runs or refuses; the model
 * get_agent names. Over a stubbed fetch (our own code is not mocked).
 */
import assert from "node:assert/strict";
import { ChatModelsResponse } from "../../../src/backends/chats/api.ts";
import { chatToAgent } from "../../../src/backends/chats/backend.ts";
import {
  modelInfos,
  skippedModels,
  unsupportedProviders,
} from "../../../src/backends/chats/mapping.ts";
import { modelLabel, pickModel } from "../../../src/backends/chats/models.ts";
import type { Agent } from "../../../src/model/agent.ts";
import { FleetError } from "../../../src/model/backend.ts";
import { CoderError } from "../../../src/coder/errors.ts";
import type { ModelInfo } from "../../../src/model/models.ts";
import { parseHandle } from "../../../src/model/handle.ts";
import { stubBackend } from "./stub.ts";

const fixture = (name: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`../../fixtures/chats/${name}`, import.meta.url)));
const V239 = fixture("v239_models_200.json");
const V236 = fixture("v236_models_200.json");

const SONNET = "6f1c2a0e-8b3d-4c5e-9a7f-1b2c3d4e5f60";
const OPUS = "7a2d3b1f-9c4e-4d6f-8b80-2c3d4e5f6071";
const HAIKU = "8b3e4c20-ad5f-4e70-9c91-3d4e5f607182";
const GPT5 = "9c4f5d31-be60-4f81-8da2-4e5f60718293";
const GEMINI = "ad5060e2-cf71-4092-9eb3-5f60718293a4";

Deno.test("models: the v2.39 answer (reference 9) is read", async (t) => {
  const res = ChatModelsResponse.parse(V239);
  const models = modelInfos(res);

  await t.step("every model, joined to its provider's type by ai_provider_id", () => {
    assert.deepEqual(models.map((m) => [m.display_name, m.model, m.provider]), [
      ["Claude Sonnet 4.5", "claude-sonnet-4-5", "anthropic"],
      ["Claude Opus 4.1", "claude-opus-4-1", "anthropic"],
      ["Claude Haiku 3.5", "claude-3-5-haiku", "anthropic"],
      ["GPT-5", "gpt-5", "openai"],
      ["Gemini 2.5 Pro", "gemini-2.5-pro", "google"],
    ]);
    assert.deepEqual(skippedModels(res), []);
  });

  await t.step("the default, what is usable, and why not", () => {
    const row = (id: string) => models.find((m) => m.id === id)!;
    assert.deepEqual(row(SONNET), {
      id: SONNET,
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      display_name: "Claude Sonnet 4.5",
      default: true,
      enabled: true,
      available: true,
      context_limit: 200000,
    });
    assert.equal(row(OPUS).default, false);
    assert.equal(row(OPUS).available, true);
    assert.deepEqual(
      [HAIKU, GPT5, GEMINI].map((
        id,
      ) => [row(id).enabled, row(id).available, row(id).unavailable_reason]),
      [
        [false, false, "disabled"],
        [true, false, "missing_api_key"],
        [false, false, "provider_disabled"],
      ],
    );
    assert.equal(row(GPT5).context_limit, 400000);
  });

  await t.step("unsupported providers", () => {
    assert.deepEqual(unsupportedProviders(res), [
      { provider: "copilot", display_name: "GitHub Copilot" },
    ]);
  });

  await t.step("a malformed model is left out and named; the others stay", () => {
    const bad = structuredClone(V239);
    bad.models[1].enabled = "yes";
    const r = ChatModelsResponse.parse(bad);
    assert.equal(modelInfos(r).length, 4);
    assert.match(skippedModels(r).join("\n"), /chat model #2 .*skipped, malformed: enabled/);
  });

  await t.step("a model whose provider is not described is judged by itself", () => {
    const lone = ChatModelsResponse.parse({
      models: [{ id: "x", model: "m", ai_provider_id: "nowhere", enabled: true }],
      providers: [],
    });
    assert.deepEqual(modelInfos(lone).map((m) => [m.provider, m.available]), [["", true]]);
  });
});

Deno.test("models: the older nested answer (swagger ChatModelsResponse) is read", () => {
  const res = ChatModelsResponse.parse(V236);
  const models = modelInfos(res);
  assert.deepEqual(
    models.map((m) => [m.id, m.provider, m.display_name, m.default, m.available]),
    [
      ["claude-sonnet-4-5-config", "anthropic", "Claude Sonnet 4.5", false, true],
      ["claude-opus-4-1-config", "anthropic", "Claude Opus 4.1", false, true],
      ["gpt-5-config", "openai", "GPT-5", false, false],
    ],
  );
  assert.equal(models[2].unavailable_reason, "missing_api_key");
  assert.deepEqual(unsupportedProviders(res).map((u) => u.provider), ["copilot"]);
});

Deno.test("pickModel: by any name; unusable ones refused with the reason", async (t) => {
  const models = modelInfos(ChatModelsResponse.parse(V239));

  await t.step("by display name, model name, id, provider/model (any case)", () => {
    for (const name of ["Claude Opus 4.1", "claude-opus-4-1", OPUS, "ANTHROPIC/claude-opus-4-1"]) {
      assert.equal(pickModel(models, name).id, OPUS, name);
    }
  });

  await t.step("two configs of one model: the usable one, the default first", () => {
    const twice: ModelInfo[] = [
      { ...models[1], id: "a", model: "same", default: false },
      { ...models[1], id: "b", model: "same", default: true },
      { ...models[1], id: "c", model: "same", available: false, unavailable_reason: "disabled" },
    ];
    assert.equal(pickModel(twice, "same").id, "b");
    assert.equal(pickModel(twice.slice(0, 1).concat(twice[2]), "same").id, "a");
  });

  const refusal = (name: string) => {
    try {
      pickModel(models, name);
    } catch (err) {
      assert.ok(err instanceof FleetError);
      return err;
    }
    assert.fail(`${name} was not refused`);
  };

  await t.step("a disabled model is refused, saying it is disabled", () => {
    const err = refusal("Claude Haiku 3.5");
    assert.match(err.message, /Claude Haiku 3\.5 \(anthropic\) cannot be used: .*disabled/);
    assert.match(err.next, /Claude Sonnet 4\.5 \(anthropic\)/, "names usable ones");
    assert.match(err.next, /administrator must enable the model/);
  });

  await t.step("the next step names the usable ones: one, several, or none", () => {
    const disabled = { ...models[0], id: "x", display_name: "X", available: false };
    const usable = (n: number) => models.filter((m) => m.available).slice(0, n);
    const next = (list: ModelInfo[]) => {
      try {
        pickModel([disabled, ...list], "X");
      } catch (err) {
        assert.ok(err instanceof FleetError);
        return err.next;
      }
      assert.fail("X was not refused");
    };
    const [one, two] = usable(2);
    assert.ok(next([one]).startsWith(`choose a usable model (${modelLabel(one)}), or omit model`));
    assert.ok(
      next([one, two]).startsWith(
        `choose a usable model (${modelLabel(one)}, ${modelLabel(two)}), or omit model`,
      ),
    );
    assert.match(next([]), /^no chat model is usable in this organization/);
  });

  await t.step("an unavailable provider's model is refused with its unavailable_reason", () => {
    const err = refusal("gpt-5");
    assert.match(err.message, /GPT-5 \(openai\) cannot be used: .*no API key \(missing_api_key\)/);
    assert.match(err.next, /API key/);
  });

  await t.step("a disabled provider's model is refused", () => {
    assert.match(refusal("Gemini 2.5 Pro").message, /its provider is disabled/);
  });

  // The next step says who can make the model usable, and how, for each of Coder's reasons.
  await t.step("each unavailable_reason names its own fix", () => {
    const fix = (reason: string | undefined) => {
      const m = { ...models[0], id: "x", display_name: "X", available: false };
      try {
        pickModel([{ ...m, unavailable_reason: reason }], "X");
      } catch (err) {
        assert.ok(err instanceof FleetError);
        return err.next.split("; ").at(-1);
      }
      assert.fail("X was not refused");
    };
    assert.equal(
      fix("user_api_key_required"),
      "to use this one, add your own API key for its provider in Coder's settings",
    );
    assert.equal(fix("fetch_failed"), "Coder could not reach the provider: retry later");
    assert.equal(
      fix("missing_api_key"),
      "to use this one, a Coder administrator must give its provider an API key",
    );
    assert.equal(fix("disabled"), "to use this one, a Coder administrator must enable the model");
    assert.equal(
      fix("provider_disabled"),
      "to use this one, a Coder administrator must enable its provider",
    );
    assert.equal(fix(undefined), "to use this one, a Coder administrator must fix its provider");
  });

  await t.step("names by trimmed name or id in any case; long lists and names capped", () => {
    const many: ModelInfo[] = Array.from({ length: 25 }, (_, i) => ({
      ...models[0],
      id: `cfg-${i + 1}`,
      model: `model-${i + 1}`,
      provider: "",
      display_name: `M${i + 1}`,
      default: false,
    }));
    assert.equal(pickModel(many, "  M3  ").id, "cfg-3");
    assert.equal(pickModel(many, "CFG-4").id, "cfg-4");
    const m = (n: number) => Array.from({ length: n }, (_, i) => `M${i + 1}`).join(", ");
    const unknown = (() => {
      try {
        pickModel(many, "x".repeat(100));
      } catch (err) {
        assert.ok(err instanceof FleetError);
        return err.message;
      }
    })();
    assert.equal(unknown, `Unknown chat model "${"x".repeat(79)}…". Usable models: ${m(20)}.`);
    const off = { ...many[0], id: "off", display_name: "Off", available: false };
    try {
      pickModel([off, ...many], "Off");
      assert.fail("Off was not refused");
    } catch (err) {
      assert.ok(err instanceof FleetError);
      assert.ok(err.next.startsWith(`choose a usable model (${m(10)}), or omit model`), err.next);
    }
    try {
      pickModel([off], "nothing");
      assert.fail("nothing was not refused");
    } catch (err) {
      assert.ok(err instanceof FleetError);
      assert.match(err.message, /Usable models: none \(and 1 that cannot be used\)\.$/);
    }
  });

  await t.step("an unknown name lists the usable models only", () => {
    const err = refusal("GPT-6");
    assert.match(err.message, /Unknown chat model "GPT-6"/);
    assert.match(err.message, /Usable models: Claude Sonnet 4\.5 \(anthropic\), Claude Opus 4\.1/);
    assert.doesNotMatch(err.message, /GPT-5|Haiku/);
    assert.match(err.message, /3 that cannot be used/);
    assert.match(err.next, /list_templates/);
  });
});

const ORG = "b2d6c1e4-3f5a-4b7c-8d9e-0a1b2c3d4e5f";
const CHAT = "11111111-1111-4111-8111-111111111111";

/** A v2.39 Coder: the org models route answers the fixture; a create answers `create`. */
function coder(create: (body: Record<string, unknown>) => { status: number; body: unknown }) {
  return stubBackend((req) => {
    const path = req.url.pathname;
    if (path === `/api/v2/organizations/${ORG}/chats/models`) return { status: 200, body: V239 };
    if (req.method === "POST" && path === "/api/v2/chats") return create(req.body!);
    if (path === `/api/v2/chats/${CHAT}`) {
      return { status: 200, body: chat({ last_model_config_id: GPT5 }) };
    }
    return undefined;
  }, ORG);
}

function chat(over: Record<string, unknown> = {}) {
  return { id: CHAT, title: "t", status: "running", owner_username: "alice", ...over };
}

/** Coder's create: the model asked for, else the default. */
const created = (body: Record<string, unknown>) => ({
  status: 201,
  body: chat({ last_model_config_id: body.model_config_id ?? SONNET }),
});

Deno.test("create on v2.39: the model sent, the model it runs, the models refused", async (t) => {
  await t.step("by display name: its config id is sent; the row names it", async () => {
    const { b, seen } = coder(created);
    const a = await b.create({ prompt: "go", model: "Claude Opus 4.1" });
    const post = seen.find((r) => r.method === "POST");
    assert.equal(post?.body?.model_config_id, OPUS);
    assert.equal(a.model, "Claude Opus 4.1 (anthropic)");
  });

  await t.step("none named: no id is sent; the row names the default Coder ran", async () => {
    const { b, seen } = coder(created);
    const a = await b.create({ prompt: "go" });
    const post = seen.find((r) => r.method === "POST");
    assert.ok(post?.body && !("model_config_id" in post.body));
    assert.equal(a.model, "Claude Sonnet 4.5 (anthropic)");
  });

  await t.step("a disabled or unavailable one: refused, nothing created", async () => {
    for (const [name, why] of [["Claude Haiku 3.5", /disabled/], ["GPT-5", /missing_api_key/]]) {
      const { b, seen } = coder(created);
      const err = await b.create({ prompt: "go", model: name as string }).catch((e) => e);
      assert.ok(err instanceof FleetError, String(err));
      assert.match(err.message, why as RegExp);
      assert.equal(seen.some((r) => r.method === "POST"), false, name as string);
    }
  });

  await t.step("Coder has no usable model: its 400 explained, each model's reason", async () => {
    const { b } = coder(() => ({
      status: 400,
      body: { message: "No chat model is available in this organization." },
    }));
    const err = await b.create({ prompt: "go" }).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.match(err.message, /no usable chat model/);
    assert.match(err.message, /GPT-5 \(openai\): its provider has no API key/);
    assert.match(err.next, /administrator/);
  });

  await t.step("no usable model: at most five models named; none configured said so", async () => {
    const refusedWith = async (models: unknown[]) => {
      const { b } = stubBackend(
        (req) =>
          req.url.pathname === `/api/v2/organizations/${ORG}/chats/models`
            ? { status: 200, body: { models } }
            : req.method === "POST"
            ? { status: 400, body: { message: "No chat model is available." } }
            : undefined,
        ORG,
      );
      const err = await b.create({ prompt: "go" }).catch((e) => e);
      assert.ok(err instanceof FleetError, String(err));
      return err.message;
    };
    const seven = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ id: `m${n}`, display_name: `M${n}` }));
    assert.equal(
      await refusedWith(seven),
      "Coder has no usable chat model in this organization, so no chat can start " +
        "(M1: usable; M2: usable; M3: usable; M4: usable; M5: usable).",
    );
    assert.equal(
      await refusedWith([]),
      "Coder has no usable chat model in this organization, so no chat can start " +
        "(no model is configured).",
    );
  });

  await t.step("a model the catalog does not hold is named by its id, capped", async () => {
    const id = "c".repeat(120);
    const { b } = coder(() => ({ status: 201, body: chat({ last_model_config_id: id }) }));
    assert.equal((await b.create({ prompt: "go" })).model, "c".repeat(99) + "…");
  });

  await t.step("any other refusal of the create is Coder's own error", async () => {
    const { b } = coder(() => ({ status: 400, body: { message: "Workspace not found." } }));
    const err = await b.create({ prompt: "go" }).catch((e) => e);
    assert.ok(err instanceof CoderError, String(err));
    assert.equal(err.coderMessage, "Workspace not found.");
  });

  await t.step(
    "get_agent's extras name the chat's model by display name and provider",
    async () => {
      const { b } = coder(created);
      const agent = { id: CHAT, kind: "chat", state: "working" } as Agent;
      assert.equal((await b.extras(agent)).model, "GPT-5 (openai)");
    },
  );

  // One round trip for get_agent by UUID (model/backend.ts, Backend.prefetch): the cost and
  // models asked for before the handle resolved serve that chat; any other chat asks anew.
  await t.step("prefetched extras serve the chat they were asked for, only it", async () => {
    const { b, seen } = coder(created);
    const costs = () => seen.filter((r) => r.url.pathname.endsWith("/cost")).length;
    const handle = parseHandle(CHAT)!;
    const query = { limit: 10 };
    const stop = new AbortController();
    const p = b.prefetch(handle, query, true, stop.signal)!;
    const agent = { id: CHAT, kind: "chat", state: "working" } as Agent;
    assert.equal((await p.extras(agent)).model, "GPT-5 (openai)");
    assert.equal(costs(), 1, "the prefetched cost was read");
    const other = { ...agent, id: "00000000-0000-4000-8000-000000000001" };
    await p.extras(other).catch(() => {});
    assert.equal(costs(), 2, "another chat's cost is asked for");
    // Without extras, only the messages went ahead: get_agent's extras are asked for then.
    const lean = b.prefetch(handle, query, false, stop.signal)!;
    await lean.extras(agent);
    assert.equal(costs(), 3, "the prefetch asked no cost; the extras did");
    // A UUID in capitals names the same chat as Coder's lower-case id.
    const upper = "ABCDEF01-2345-4678-9ABC-DEF012345678";
    const caps = b.prefetch(parseHandle(upper)!, query, true, stop.signal)!;
    await caps.extras({ ...agent, id: upper.toLowerCase() });
    assert.equal(costs(), 4, "the prefetched cost served it");
    assert.equal(b.prefetch(parseHandle("Fix the build")!, query, true, stop.signal), undefined);
  });
});

Deno.test("modelLabel: display name (provider), or what there is", () => {
  const m = modelInfos(ChatModelsResponse.parse(V239))[0];
  assert.equal(modelLabel(m), "Claude Sonnet 4.5 (anthropic)");
  assert.equal(modelLabel({ ...m, display_name: "", provider: "" }), "claude-sonnet-4-5");
});

Deno.test("a chat status this server does not know: unknown, the word kept in detail", () => {
  const a = chatToAgent(
    { id: CHAT, status: "hibernating", labels: {} },
    { dashboardUrl: "https://dash.test", now: () => 0 },
  );
  assert.equal(a.state, "unknown");
  assert.equal(a.detail, "hibernating");
});

Deno.test("models: a config listed twice is listed once; caps, reasons and limits", async (t) => {
  const PROVIDER = "11111111-0000-4000-8000-000000000001";
  const read = (body: unknown) => modelInfos(ChatModelsResponse.parse(body));
  await t.step("listed flat and under its provider: once, as first listed", () => {
    const models = read({
      models: [{ id: "m1", model: "flat", ai_provider_id: PROVIDER }],
      providers: [{ id: PROVIDER, type: "anthropic", models: [{ id: "m1", model: "nested" }] }],
    });
    assert.deepEqual(models.map((m) => [m.id, m.model, m.provider]), [["m1", "flat", "anthropic"]]);
  });
  await t.step("why a provider is unavailable: its reason, capped, else a word", () => {
    const reason = (unavailable_reason: string | null) =>
      read({
        providers: [{
          provider: "openai",
          available: false,
          unavailable_reason,
          models: [{ id: "m" }],
        }],
      })[0].unavailable_reason;
    assert.equal(reason("r".repeat(70)), "r".repeat(59) + "…");
    assert.equal(reason(""), "provider_unavailable");
    assert.equal(reason(null), "provider_unavailable");
  });
  await t.step("every name is one line of at most 100 characters", () => {
    const long = "x".repeat(150);
    const [m] = read({ models: [{ id: long, model: long, provider: long, display_name: long }] });
    const capped = "x".repeat(99) + "…";
    assert.deepEqual([m.id, m.model, m.provider, m.display_name], [capped, capped, capped, capped]);
  });
  await t.step("a context limit only when it is at least 1, rounded down", () => {
    const limit = (context_limit: number | null) =>
      read({ models: [{ id: "m", context_limit }] })[0].context_limit;
    assert.equal(limit(128_000.7), 128_000);
    assert.equal(limit(1), 1);
    assert.equal(limit(0.5), undefined, "less than one token is no limit");
    assert.equal(limit(0), undefined);
    assert.equal(limit(-5), undefined);
    assert.equal(limit(null), undefined);
    assert.equal("context_limit" in read({ models: [{ id: "m" }] })[0], false);
  });
});

Deno.test("models: unsupported providers, and what was skipped, named", async (t) => {
  await t.step("unsupported providers: capped names; one with neither name is left out", () => {
    const res = ChatModelsResponse.parse({
      unsupported_providers: [
        { provider: "p".repeat(70), display_name: "d".repeat(120) },
        { provider: "copilot" },
        { display_name: "Bedrock" },
        { provider: "", display_name: null },
      ],
    });
    assert.deepEqual(unsupportedProviders(res), [
      { provider: "p".repeat(59) + "…", display_name: "d".repeat(99) + "…" },
      { provider: "copilot", display_name: "" },
      { provider: "", display_name: "Bedrock" },
    ]);
  });
  await t.step("a malformed model under a provider is named with its provider", () => {
    const res = ChatModelsResponse.parse({
      providers: [
        { provider: "openai", models: [{ id: "ok" }, { model: "no id" }] },
        { type: "anthropic", models: [{ model: "no id either" }] },
        { provider: "q".repeat(70), models: [{ model: "x" }] },
        { models: [{ model: "nameless provider" }] },
      ],
    });
    const skipped = skippedModels(res);
    assert.equal(skipped.length, 4, skipped.join("\n"));
    assert.match(skipped[0], /^provider openai: chat model #2 /);
    assert.match(skipped[1], /^provider anthropic: chat model #1 /);
    assert.match(skipped[2], new RegExp(`^provider ${"q".repeat(59)}…: chat model #1 `));
    assert.match(skipped[3], /^chat model #1 /);
  });
});
