/**
 * The simulated Coder's chat models and AI Gateway, over real HTTP: the `current` profile answers
 * the v2.39 models shape on the org-scoped route (reference 9) and takes `model_config_id` as
 * v2.39 does (reference 3); older profiles keep the nested shape; with the AI Gateway off, chat
 * writes answer 503 and reads still work (reference 0).
 */
import assert from "node:assert/strict";
import { type Sim, type SimOptions, startSim } from "../../src/sim/server.ts";
import { ChatModelsResponse } from "../../src/backends/chats/api.ts";
import { modelInfos } from "../../src/backends/chats/mapping.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function call(sim: Sim, method: string, path: string, body?: unknown) {
  const res = await fetch(sim.url + path, {
    method,
    headers: {
      "Coder-Session-Token": sim.token,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) as Json : undefined };
}

async function withSim(opts: SimOptions, fn: (sim: Sim) => Promise<void>) {
  const sim = await startSim({ frozen: true, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

const orgOf = async (sim: Sim) =>
  (await call(sim, "GET", "/api/v2/users/me/organizations")).body[0].id as string;

Deno.test("sim current: the v2.39 models answer on the org-scoped route", async () => {
  await withSim({ profile: "current", chats: 2 }, async (sim) => {
    const org = await orgOf(sim);
    const r = await call(sim, "GET", `/api/v2/organizations/${org}/chats/models`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ["models", "providers", "unsupported_providers"]);
    const models: Json[] = r.body.models;
    const providers: Json[] = r.body.providers;
    for (const m of models) {
      assert.equal(m.provider, undefined, "a v2.39 model names no provider");
      assert.ok(providers.some((p) => p.id === m.ai_provider_id), m.display_name);
      assert.equal(m.organization_id, org);
      assert.equal(typeof m.context_limit, "number");
    }
    assert.equal(models.filter((m) => m.is_default).length, 1, "one default");
    assert.ok(models.some((m) => m.enabled === false), "a disabled model");
    const off = providers.find((p) => p.available === false);
    assert.equal(off?.unavailable_reason, "missing_api_key");
    assert.ok(providers.every((p) => typeof p.type === "string" && p.models === undefined));
    assert.deepEqual(r.body.unsupported_providers, [
      { provider: "copilot", display_name: "GitHub Copilot" },
    ]);
    // The org's name works too; the old route is gone.
    assert.equal((await call(sim, "GET", `/api/v2/organizations/coder/chats/models`)).status, 200);
    assert.equal((await call(sim, "GET", "/api/v2/chats/models")).status, 404);
    // The fleet's parser reads it: a default, a disabled model, an unavailable provider.
    const infos = modelInfos(ChatModelsResponse.parse(r.body));
    assert.deepEqual(
      infos.map((m) => [m.display_name, m.provider, m.default, m.unavailable_reason ?? "ok"]),
      [
        ["Claude Sonnet 4.5", "anthropic", true, "ok"],
        ["Claude Opus 4.1", "anthropic", false, "ok"],
        ["GPT-5", "openai", false, "missing_api_key"],
        ["Claude Haiku 3.5", "anthropic", false, "disabled"],
      ],
    );
  });
});

Deno.test("sim older profiles: models nested under providers, enabled ones only", async () => {
  await withSim({ profile: "chats", chats: 2 }, async (sim) => {
    const r = await call(sim, "GET", "/api/v2/chats/models");
    assert.equal(r.status, 200);
    assert.equal(r.body.models, undefined);
    const nested = (r.body.providers as Json[]).flatMap((p) =>
      p.models.map((m: Json) => `${p.provider}/${m.provider}/${m.model}`)
    );
    assert.deepEqual(nested, [
      "anthropic/anthropic/claude-sonnet-4-5",
      "anthropic/anthropic/claude-opus-4-1",
      "openai/openai/gpt-5",
    ]);
  });
});

Deno.test("sim current: model_config_id on create, as v2.39 takes it", async (t) => {
  await withSim({ profile: "current", chats: 2 }, async (sim) => {
    const org = await orgOf(sim);
    const catalog = (await call(sim, "GET", `/api/v2/organizations/${org}/chats/models`)).body;
    const id = (name: string) => catalog.models.find((m: Json) => m.display_name === name).id;
    const create = (model_config_id?: unknown) =>
      call(sim, "POST", "/api/v2/chats", {
        organization_id: org,
        content: [{ type: "text", text: "hi" }],
        ...(model_config_id === undefined ? {} : { model_config_id }),
      });

    await t.step("none given: the default", async () => {
      const r = await create();
      assert.equal(r.status, 201);
      assert.equal(r.body.last_model_config_id, id("Claude Sonnet 4.5"));
    });

    await t.step("a usable one: it", async () => {
      const r = await create(id("Claude Opus 4.1"));
      assert.equal(r.status, 201);
      assert.equal(r.body.last_model_config_id, id("Claude Opus 4.1"));
    });

    await t.step("unknown or not a config id: 400 Invalid model config ID.", async () => {
      for (const bad of [crypto.randomUUID(), "claude-opus-4-1"]) {
        const r = await create(bad);
        assert.equal(r.status, 400);
        assert.equal(r.body.message, "Invalid model config ID.");
      }
    });

    await t.step("disabled, or its provider unavailable: 400 with the reason", async () => {
      const disabled = await create(id("Claude Haiku 3.5"));
      assert.equal(disabled.status, 400);
      assert.match(disabled.body.detail, /disabled/);
      const keyless = await create(id("GPT-5"));
      assert.equal(keyless.status, 400);
      assert.match(keyless.body.detail, /missing_api_key/);
    });

    await t.step("the default disabled: the next usable one", async () => {
      sim.setModel("Claude Sonnet 4.5", { enabled: false });
      const r = await create();
      assert.equal(r.body.last_model_config_id, id("Claude Opus 4.1"));
    });

    await t.step("no usable model: 400 No chat model is available", async () => {
      sim.setModel("Claude Opus 4.1", { enabled: false });
      const r = await create();
      assert.equal(r.status, 400);
      assert.equal(r.body.message, "No chat model is available in this organization.");
    });
  });
});

Deno.test("sim: with the AI Gateway off, chat writes answer 503 and reads work", async () => {
  await withSim({ profile: "current", chats: 2 }, async (sim) => {
    const org = await orgOf(sim);
    const chat = sim.chatIds()[0];
    sim.setAiGateway(false);
    const created = await call(sim, "POST", "/api/v2/chats", {
      organization_id: org,
      content: [{ type: "text", text: "hi" }],
    });
    assert.equal(created.status, 503);
    assert.equal(
      created.body.message,
      "AI Gateway must be enabled for Coder Agents functionality.",
    );
    assert.match(created.body.detail, /CODER_AI_GATEWAY_ENABLED=true/);
    for (
      const [method, path] of [
        ["PATCH", `/api/v2/chats/${chat}`],
        ["POST", `/api/v2/chats/${chat}/messages`],
        ["POST", `/api/v2/chats/${chat}/interrupt`],
        ["GET", "/api/v2/chats/watch"],
      ]
    ) {
      const r = await call(sim, method, path, method === "GET" ? undefined : {});
      assert.equal(r.status, 503, `${method} ${path}`);
    }
    for (
      const path of [
        "/api/v2/chats",
        `/api/v2/chats/${chat}`,
        `/api/v2/chats/${chat}/messages`,
        `/api/v2/organizations/${org}/chats/models`,
      ]
    ) {
      assert.equal((await call(sim, "GET", path)).status, 200, path);
    }
    sim.setAiGateway(true);
    const again = await call(sim, "POST", "/api/v2/chats", {
      organization_id: org,
      content: [{ type: "text", text: "hi" }],
    });
    assert.equal(again.status, 201);
  });
});
