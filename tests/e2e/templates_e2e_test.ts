/**
 * list_templates over a misbehaving Coder: one malformed template, preset or chat model is skipped
 * with a warning that names it; the rest of the catalog still answers.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

Deno.test("list_templates: one malformed template, preset or model is skipped with a warning", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 2, chats: 2, frozen: true } });
  const get = async (path: string) => {
    const res = await fetch(`${h.sim.url}${path}`, {
      headers: { "Coder-Session-Token": h.sim.token },
    });
    return await res.json();
  };
  try {
    const before = await h.call("list_templates", {});
    assert.ok(!before.isError, before.text);
    const templates = before.data.templates as { id: string; presets: unknown[] }[];
    const models = before.data.models as { id: string }[];
    assert.ok(templates.length >= 2 && models.length >= 2, before.text);

    await t.step("a malformed template: the others stay, with a warning", async () => {
      const raw = await get("/api/v2/templates?q=has-ai-task:true") as Record<string, unknown>[];
      h.sim.fault(/\/api\/v2\/templates$/, {
        kind: "wrong_shape",
        method: "GET",
        body: [{ ...raw[0], name: 7 }, ...raw.slice(1)],
        times: 1,
      });
      const r = await h.call("list_templates", {});
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.templates.length, templates.length - 1);
      assert.deepEqual(r.data.models.map((m: { id: string }) => m.id), models.map((m) => m.id));
      const warnings: string[] = r.data.warnings ?? [];
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0], /template #1 .*skipped, malformed/);
      assert.match(r.text, /Warning: .*template #1/);
      h.sim.clearFaults();
    });

    await t.step("a malformed preset: its template stays with the other presets", async () => {
      const withPresets = templates.find((x) => x.presets.length >= 2);
      assert.ok(withPresets, "a template with two presets");
      h.sim.fault(/\/api\/v2\/templateversions\/[^/]+\/presets$/, {
        kind: "wrong_shape",
        method: "GET",
        body: [{ ID: "p-ok", Name: "ok", Default: true }, { Name: "no id" }],
      });
      const r = await h.call("list_templates", {});
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.templates.length, templates.length);
      for (const x of r.data.templates as { presets: { id: string }[] }[]) {
        assert.deepEqual(x.presets.map((p) => p.id), ["p-ok"]);
      }
      const warnings: string[] = r.data.warnings ?? [];
      assert.ok(warnings.length >= 1, JSON.stringify(warnings));
      assert.match(warnings.join("\n"), /preset #2 skipped, malformed/);
      h.sim.clearFaults();
    });

    await t.step("a malformed chat model: the other models stay, with a warning", async () => {
      const route = /\/chats\/models$/;
      const paths = ["/api/v2/chats/models", "/api/v2/experimental/chats/models"];
      let raw: unknown;
      for (const p of paths) {
        const res = await fetch(`${h.sim.url}${p}`, {
          headers: { "Coder-Session-Token": h.sim.token },
        });
        if (res.ok) {
          raw = await res.json();
          break;
        }
        await res.body?.cancel();
      }
      if (raw === undefined) {
        const orgs = await get("/api/v2/users/me/organizations") as { id: string }[];
        raw = await get(`/api/v2/organizations/${orgs[0].id}/chats/models`);
      }
      const body = structuredClone(raw) as { providers: { models: Record<string, unknown>[] }[] };
      const provider = body.providers.find((p) => p.models.length > 0)!;
      provider.models[0] = { ...provider.models[0], id: 99 };
      h.sim.fault(route, { kind: "wrong_shape", method: "GET", body });
      const r = await h.call("list_templates", {});
      assert.ok(!r.isError, r.text);
      assert.equal(r.data.models.length, models.length - 1);
      assert.equal(r.data.templates.length, templates.length);
      const warnings: string[] = r.data.warnings ?? [];
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0], /chat model #1 .*skipped, malformed/);
      h.sim.clearFaults();
    });
  } finally {
    await h.close();
  }
});
