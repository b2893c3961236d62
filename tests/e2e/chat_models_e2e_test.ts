/**
 * End to end against the `current` sim profile (Coder v2.39): the chat model catalog as
 * list_templates shows it (default, disabled, unavailable provider, context limit, unsupported
 * providers); create_task with a model by display name, model name and id, with none (the
 * default), and refused for a disabled or unavailable one; get_agent naming the model; a chat
 * status the fleet does not know; and Coder's 503 when its AI Gateway is off.
 */
import assert from "node:assert/strict";
import { assertCleanError, startHarness } from "./harness.ts";
import type { ModelInfo } from "../../src/model/models.ts";

type Model = ModelInfo;

const CREATE = (q: { method: string; path: string }) =>
  q.method === "POST" && q.path === "/api/v2/chats";

Deno.test("e2e current: chat models in list_templates and create_task", async (t) => {
  const h = await startHarness({ sim: { profile: "current", chats: 6, seed: 5 } });
  try {
    let models: Model[] = [];
    const byName = (name: string) => models.find((m) => m.display_name === name)!;
    /** The model config the sim's chat runs with. */
    const runs = (id: string) =>
      (h.sim.chat(id) as { last_model_config_id: string }).last_model_config_id;

    await t.step("list_templates: default, usable or why not, context limit", async () => {
      const r = await h.call("list_templates");
      assert.ok(!r.isError, r.text);
      models = r.data.models;
      assert.deepEqual(
        models.map((m) => [m.display_name, m.model, m.provider, m.default, m.available]),
        [
          ["Claude Sonnet 4.5", "claude-sonnet-4-5", "anthropic", true, true],
          ["Claude Opus 4.1", "claude-opus-4-1", "anthropic", false, true],
          ["GPT-5", "gpt-5", "openai", false, false],
          ["Claude Haiku 3.5", "claude-3-5-haiku", "anthropic", false, false],
        ],
      );
      assert.equal(byName("GPT-5").unavailable_reason, "missing_api_key");
      assert.equal(byName("GPT-5").enabled, true);
      assert.equal(byName("Claude Haiku 3.5").unavailable_reason, "disabled");
      assert.equal(byName("Claude Haiku 3.5").enabled, false);
      assert.equal(byName("Claude Sonnet 4.5").context_limit, 200000);
      assert.deepEqual(r.data.unsupported_providers, [
        { provider: "copilot", display_name: "GitHub Copilot" },
      ]);
      const lines = r.text.split("\n");
      const line = (name: string) => lines.find((l) => l.startsWith(`- ${name}`)) ?? "";
      assert.match(line("Claude Sonnet 4.5*"), /claude-sonnet-4-5, anthropic, 200k context/);
      assert.match(line("GPT-5"), /not usable: its provider has no API key \(missing_api_key\)/);
      assert.match(line("Claude Haiku 3.5"), /not usable: the model is disabled/);
      assert.match(r.text, /Providers Coder Agents cannot use: GitHub Copilot \(copilot\)/);
    });

    await t.step("create_task: a model by display name, model name and id", async () => {
      const opus = byName("Claude Opus 4.1");
      for (const model of [opus.display_name, opus.model, opus.id]) {
        const r = await h.call("create_task", { kind: "chat", prompt: `Use ${model}`, model });
        assert.ok(!r.isError && r.data.created.length === 1, r.text);
        const row = r.data.created[0];
        assert.equal(row.model, "Claude Opus 4.1 (anthropic)", model);
        assert.equal(runs(row.id), opus.id, `${model}: Coder runs it`);
        assert.match(r.text, /^Model: Claude Opus 4\.1 \(anthropic\)$/m);
      }
    });

    await t.step("create_task without a model: Coder's default, named in the row", async () => {
      h.sim.clearRequests();
      const r = await h.call("create_task", { kind: "chat", prompt: "No model named" });
      assert.ok(!r.isError && r.data.created.length === 1, r.text);
      const row = r.data.created[0];
      assert.equal(row.model, "Claude Sonnet 4.5 (anthropic)");
      assert.equal(runs(row.id), byName("Claude Sonnet 4.5").id);
      assert.match(r.text, /Model: Claude Sonnet 4\.5 \(anthropic\), Coder's default for you/);
      assert.equal(h.sim.requests.filter(CREATE).length, 1);
    });

    await t.step("a disabled model or an unavailable one: refused with the reason", async () => {
      h.sim.clearRequests();
      const cases: [string, RegExp][] = [
        [
          "Claude Haiku 3.5",
          /Claude Haiku 3\.5 \(anthropic\) cannot be used: the model is disabled/,
        ],
        [
          "gpt-5",
          /GPT-5 \(openai\) cannot be used: its provider has no API key \(missing_api_key\)/,
        ],
      ];
      for (const [model, why] of cases) {
        const r = await h.call("create_task", { kind: "chat", prompt: "x", model });
        assert.equal(r.data.created.length, 0, r.text);
        // A refusal before any request is failed, not uncertain: nothing can have happened.
        assert.deepEqual(r.data.uncertain, [], r.text);
        assert.doesNotMatch(r.text, /uncertain/);
        assert.match(r.data.failed[0].error, why);
        assert.match(r.data.failed[0].error, /Next: choose a usable model \(Claude Sonnet 4\.5/);
      }
      assert.equal(h.sim.requests.filter(CREATE).length, 0, "nothing was sent to Coder");
    });

    await t.step("get_agent names the chat's model by display name and provider", async () => {
      const chat = h.sim.chatIds()[0];
      const r = await h.call("get_agent", { agent: chat });
      assert.ok(!r.isError, r.text);
      const m = models.find((x) => x.id === runs(chat))!;
      assert.equal(r.data.extras.model, `${m.display_name} (${m.provider})`);
    });

    await t.step("a chat status the fleet does not know: unknown, the word in detail", async () => {
      const chat = h.sim.chatIds()[1];
      h.sim.setChat(chat, { status: "hibernating" });
      const g = await h.call("get_agent", { agent: chat });
      assert.equal(g.data.agent.state, "unknown");
      assert.equal(g.data.agent.detail, "hibernating");
      const l = await h.call("list_agents", { state: ["unknown"] });
      assert.deepEqual(
        l.data.agents.map((a: { id: string; detail: string }) => [a.id, a.detail]),
        [[chat, "hibernating"]],
      );
    });

    await t.step(
      "the AI Gateway off: one clear line naming the setting, reads still work",
      async () => {
        h.sim.setAiGateway(false);
        try {
          const c = await h.call("create_task", { kind: "chat", prompt: "x" });
          assert.equal(c.data.created.length, 0, c.text);
          const error: string = c.data.failed[0].error;
          assert.match(error, /AI Gateway is disabled \(CODER_AI_GATEWAY_ENABLED\)/);
          assert.match(
            error,
            /Next: Ask a Coder administrator to set CODER_AI_GATEWAY_ENABLED=true/,
          );
          assert.doesNotMatch(error, /retry shortly/i, "retrying cannot help");
          assert.equal(error.split("\n").length, 1);
          const chat = h.sim.chatIds()[2];
          const s = await h.call("send_input", { agents: [chat], input: "hi", if_busy: "queue" });
          assert.equal(s.data.results[0].outcome, "failed", s.text);
          assert.match(s.data.results[0].detail, /CODER_AI_GATEWAY_ENABLED=true/);
          const l = await h.call("list_agents", {});
          assert.ok(!l.isError && l.data.total > 0, l.text);
        } finally {
          h.sim.setAiGateway(true);
        }
      },
    );

    await t.step("no usable model at all: Coder's 400 explained", async () => {
      h.sim.setModel("Claude Sonnet 4.5", { enabled: false });
      h.sim.setModel("Claude Opus 4.1", { enabled: false });
      const r = await h.call("create_task", { kind: "chat", prompt: "x" });
      assert.equal(r.data.created.length, 0, r.text);
      assert.match(r.data.failed[0].error, /no usable chat model in this organization/);
      assert.match(r.data.failed[0].error, /GPT-5 \(openai\): its provider has no API key/);
      const named = await h.call("create_task", { kind: "chat", prompt: "x", model: "GPT-6" });
      assert.match(named.data.failed[0].error, /Unknown chat model "GPT-6"\. Usable models: none/);
      const err = await h.call("get_agent", { agent: "no-such-chat-title" });
      assertCleanError(err);
    });
  } finally {
    await h.close();
  }
});
