/**
 * What a task is created from (`backends/tasks/templates.ts`) over a stubbed Coder: a template by
 * id, `org/name`, name or display name, or the only one; a preset by id or name, or the default;
 * the catalog. Every miss is a FleetError naming what there is and what to do next.
 */
import assert from "node:assert/strict";
import { CoderClient } from "../../../src/coder/http.ts";
import { CoderError } from "../../../src/coder/errors.ts";
import {
  PRESET_CONCURRENCY,
  resolvePreset,
  resolveTemplate,
  taskCatalog,
} from "../../../src/backends/tasks/templates.ts";
import {
  getTemplate,
  getTemplateByName,
  listPresets,
  type Template,
} from "../../../src/backends/tasks/templates_api.ts";
import { InvalidSegmentError } from "../../../src/coder/errors.ts";
import { FleetError } from "../../../src/model/backend.ts";
import { withBudget } from "../../../src/coder/budget.ts";

type Answer = { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

/** A Coder answering `METHOD /path` from `routes` (else Coder's 404), and the paths asked. */
function coder(routes: Record<string, (signal?: AbortSignal) => Answer>) {
  const asked: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const key = `${init?.method ?? "GET"} ${url.pathname}`;
    asked.push(key);
    const a = await (routes[key]?.(init?.signal ?? undefined) ??
      { status: 404, body: { message: "Resource not found." } });
    return new Response(a.body === undefined ? null : JSON.stringify(a.body), { status: a.status });
  };
  const client = new CoderClient({
    url: "http://coder.test",
    token: "tok",
    fetch: fetch as typeof globalThis.fetch,
    retries: 0,
  });
  return { client, asked };
}

const ok = (body: unknown) => () => ({ status: 200, body });
const TID = "7e000000-0000-4000-8000-000000000001";
const tpl = (name: string, over: Record<string, unknown> = {}) => ({
  id: `${name}-id`,
  name,
  organization_id: "o1",
  active_version_id: `${name}-v`,
  ...over,
});
const NEXT = "Call list_templates to see the templates that can run tasks.";

/** The FleetError `p` rejects with, as `message | next`. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof FleetError, `not a FleetError: ${e}`);
  return `${e.message} | ${e.next}`;
}

Deno.test("resolveTemplate: by id", async () => {
  const { client } = coder({
    [`GET /api/v2/templates/${TID}`]: ok(tpl("dev", { id: TID })),
    "GET /api/v2/templates/7e000000-0000-4000-8000-000000000002": () => ({
      status: 400,
      body: { message: "Invalid UUID." },
    }),
    "GET /api/v2/templates/7e000000-0000-4000-8000-000000000003": () => ({
      status: 500,
      body: { message: "Internal error." },
    }),
  });
  assert.equal((await resolveTemplate(client, ` ${TID} `)).id, TID);
  for (
    const id of ["7e000000-0000-4000-8000-000000000009", "7e000000-0000-4000-8000-000000000002"]
  ) {
    assert.equal(
      await refusal(resolveTemplate(client, id)),
      `No template has the id ${id}. | ${NEXT}`,
    );
  }
  await assert.rejects(
    resolveTemplate(client, "7e000000-0000-4000-8000-000000000003"),
    (e) => e instanceof CoderError && e.status === 500,
  );
});

Deno.test("resolveTemplate: by organization/name", async () => {
  const { client, asked } = coder({
    "GET /api/v2/organizations/acme/templates/dev": ok(tpl("dev")),
    "GET /api/v2/organizations/acme/templates/bad": () => ({ status: 400, body: { message: "x" } }),
    "GET /api/v2/organizations/acme/templates/boom": () => ({
      status: 500,
      body: { message: "Internal error." },
    }),
  });
  assert.equal((await resolveTemplate(client, "acme/dev")).name, "dev");
  for (const want of ["acme/gone", "acme/bad", "acme/.."]) {
    assert.equal(
      await refusal(resolveTemplate(client, want)),
      `No template "${want}" was found. | ${NEXT}`,
    );
  }
  assert.ok(!asked.some((p) => p.includes("..")), "no request leaves the route");
  // Any other failure is Coder's, as it is (no search of the list instead).
  await assert.rejects(
    resolveTemplate(client, "acme/boom"),
    (e) => e instanceof CoderError && e.status === 500,
  );
  assert.equal(asked.at(-1), "GET /api/v2/organizations/acme/templates/boom");
});

Deno.test("resolveTemplate: none named: the only one, else said", async () => {
  const one = coder({ "GET /api/v2/templates": ok([tpl("dev")]) });
  assert.equal((await resolveTemplate(one.client, undefined)).name, "dev");
  assert.equal((await resolveTemplate(one.client, "  ")).name, "dev", "blank is none");
  const none = coder({ "GET /api/v2/templates": ok([]) });
  assert.equal(
    await refusal(resolveTemplate(none.client, undefined)),
    "No template on this Coder deployment can run tasks. | Ask a Coder admin for a template " +
      "with an AI task, or create a chat (kind: chat) instead.",
  );
  const two = coder({ "GET /api/v2/templates": ok([tpl("dev"), tpl("ops")]) });
  assert.equal(
    await refusal(resolveTemplate(two.client, undefined)),
    "Several templates can run tasks (dev, ops); say which one with template. | " +
      "Call list_templates, then pass template (a name or id).",
  );
});

Deno.test("resolveTemplate: by name, exactly first, then in any case or by display name", async () => {
  const { client } = coder({
    "GET /api/v2/templates": ok([
      tpl("Dev"),
      tpl("dev"),
      tpl("claude", { display_name: "Claude Code" }),
      tpl("ops", { organization_name: "acme" }),
      tpl("OPS", { organization_id: "o2" }),
      tpl("Ops", { organization_id: null }),
    ]),
  });
  assert.equal((await resolveTemplate(client, "dev")).id, "dev-id", "the exact one");
  assert.equal((await resolveTemplate(client, "Dev")).id, "Dev-id");
  assert.equal((await resolveTemplate(client, "CLAUDE")).id, "claude-id");
  assert.equal((await resolveTemplate(client, "claude code")).id, "claude-id");
  assert.equal(
    await refusal(resolveTemplate(client, "oPs")),
    'Several templates are named "oPs" (in organizations acme, o2, ?). | ' +
      "Pass template as organization/name, or as the template's id (see list_templates).",
  );
  assert.equal(
    await refusal(resolveTemplate(client, "nope")),
    'No template named "nope" can run tasks. Templates that can: Dev, dev, claude, ops, OPS, Ops. | ' +
      NEXT,
  );
  const empty = coder({ "GET /api/v2/templates": ok([]) });
  assert.equal(
    await refusal(resolveTemplate(empty.client, "nope")),
    `No template named "nope" can run tasks. No template can. | ${NEXT}`,
  );
});

Deno.test("resolvePreset: by id or name, else the one default", async () => {
  const template = { name: "dev" } as Template;
  const at = (presets: unknown[]) =>
    coder({ "GET /api/v2/templateversions/v1/presets": ok(presets) }).client;
  const presets = [
    { ID: "p1", Name: "Small", Default: false },
    { ID: "p2", Name: "Large", Default: true },
    { ID: "p3", Name: "small", Default: false },
  ];
  const c = at(presets);
  assert.equal(await resolvePreset(c, template, "v1", undefined), "p2", "the default");
  assert.equal(await resolvePreset(c, template, "v1", " "), "p2", "blank is none");
  assert.equal(await resolvePreset(c, template, "v1", "p3"), "p3", "by id");
  assert.equal(await resolvePreset(c, template, "v1", "small"), "p3", "the exact name first");
  assert.equal(await resolvePreset(c, template, "v1", "LARGE"), "p2", "then in any case");
  assert.equal(
    await refusal(resolvePreset(c, template, "v1", "Huge")),
    'Template "dev" has no preset "Huge". Its presets: Small, Large, small. | ' +
      "Call list_templates to see each template's presets, or omit preset.",
  );
  // No default, or two: none is picked (Coder's own default then applies).
  assert.equal(
    await resolvePreset(at([{ ID: "p1", Name: "a" }]), template, "v1", undefined),
    undefined,
  );
  const twoDefaults = [{ ID: "p1", Name: "a", Default: true }, {
    ID: "p2",
    Name: "b",
    Default: true,
  }];
  assert.equal(await resolvePreset(at(twoDefaults), template, "v1", undefined), undefined);
  assert.equal(
    await refusal(resolvePreset(at([]), template, "v1", "Huge")),
    'Template "dev" has no presets, so preset "Huge" cannot be used. | ' +
      "Call list_templates to see each template's presets, or omit preset.",
  );
});

Deno.test("taskCatalog: templates with their presets; what was left out is named", async () => {
  const { client, asked } = coder({
    "GET /api/v2/templates": ok([
      tpl("dev", { display_name: "D".repeat(120), description: "x".repeat(400) }),
      tpl("bare", { active_version_id: null, organization_id: null }),
      { name: "no id" },
    ]),
    "GET /api/v2/templateversions/dev-v/presets": ok([
      { ID: "p1", Name: "Small", Default: true, Description: "d" },
      { Name: "no id" },
    ]),
  });
  const cat = await taskCatalog(client);
  const templates = cat.templates ?? [];
  assert.deepEqual(templates.map((t) => t.name), ["dev", "bare"]);
  const [dev, bare] = templates;
  assert.deepEqual(dev.presets, [{ id: "p1", name: "Small", default: true, description: "d" }]);
  assert.equal(dev.display_name, "D".repeat(99) + "…");
  assert.equal(dev.description, "x".repeat(299) + "…");
  assert.deepEqual([bare.presets, bare.organization_id, bare.active_version_id], [[], "", ""]);
  assert.ok(!asked.some((p) => p.includes("undefined")), "no presets asked without a version");
  assert.equal(cat.skipped?.length, 2, JSON.stringify(cat.skipped));
  assert.match(cat.skipped![0], /^template #3 skipped, malformed/);
  assert.match(cat.skipped![1], /^template dev: preset #2 skipped, malformed: .*preset has no ID/);
});

Deno.test("taskCatalog: nothing left out, no skipped list; a cancelled call fails it", async () => {
  const { client } = coder({
    "GET /api/v2/templates": ok([tpl("dev")]),
    "GET /api/v2/templateversions/dev-v/presets": ok([]),
  });
  assert.equal("skipped" in await taskCatalog(client), false);
  const held = coder({
    "GET /api/v2/templates": ok([tpl("dev")]),
    "GET /api/v2/templateversions/dev-v/presets": (signal) =>
      new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
  });
  const stop = new AbortController();
  const listing = taskCatalog(held.client, stop.signal);
  while (!held.asked.some((p) => p.endsWith("/presets"))) {
    await new Promise((r) => setTimeout(r, 5));
  }
  stop.abort();
  await assert.rejects(listing, (e) => e instanceof CoderError && e.kind === "aborted");
});

Deno.test("taskCatalog: exactly 8 preset lookups in flight at once", async () => {
  assert.equal(PRESET_CONCURRENCY, 8);
  const routes: Record<string, (signal?: AbortSignal) => Answer> = {
    "GET /api/v2/templates": ok(Array.from({ length: 12 }, (_, i) => tpl(`t${i}`))),
  };
  let inFlight = 0;
  let peak = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  for (let i = 0; i < 12; i++) {
    routes[`GET /api/v2/templateversions/t${i}-v/presets`] = async () => {
      peak = Math.max(peak, ++inFlight);
      if (inFlight >= 8) release();
      await held;
      inFlight--;
      return { status: 200, body: [] };
    };
  }
  const { client } = coder(routes);
  const cat = taskCatalog(client);
  // Held until 8 are in flight at once (a Coder that never sees 8 would hold the test: bounded).
  const guard = setTimeout(release, 5_000);
  assert.equal((await cat).templates?.length, 12);
  clearTimeout(guard);
  assert.equal(peak, 8);
});

Deno.test("resolveTemplate: two templates of one name are said, not guessed", async () => {
  const { client } = coder({
    "GET /api/v2/templates": ok([
      tpl("ops", { organization_name: "acme" }),
      tpl("ops", { organization_name: "beta" }),
    ]),
  });
  assert.equal(
    await refusal(resolveTemplate(client, "ops")),
    'Several templates are named "ops" (in organizations acme, beta). | ' +
      "Pass template as organization/name, or as the template's id (see list_templates).",
  );
});

Deno.test("templates: names in messages are one line, cut at their cap", async () => {
  const n = (k: number, c = "n") => c.repeat(k);
  const cut = (k: number, c = "n") => c.repeat(k - 1) + "…";
  // org/name: 120.
  const byOrg = coder({}).client;
  const path = `acme/${n(116)}`; // 121 characters
  assert.equal(
    await refusal(resolveTemplate(byOrg, path)),
    `No template "${path.slice(0, 119)}…" was found. | ${NEXT}`,
  );
  // A name: 80, whether it names several templates or none.
  const long = n(81);
  const { client } = coder({
    "GET /api/v2/templates": ok([
      tpl(long, { organization_name: "acme" }),
      tpl(long, { organization_name: "beta" }),
    ]),
  });
  assert.match(
    await refusal(resolveTemplate(client, long)),
    new RegExp(`^Several templates are named "${cut(80)}" \\(in organizations acme, beta\\)\\.`),
  );
  assert.match(
    await refusal(resolveTemplate(client, n(81, "m"))),
    new RegExp(`^No template named "${cut(80, "m")}" can run tasks\\.`),
  );
  // Presets: the template's name and the preset asked for, 80 each.
  const template = { name: n(81, "t") } as Template;
  const at = (presets: unknown[]) =>
    coder({ "GET /api/v2/templateversions/v1/presets": ok(presets) }).client;
  assert.match(
    await refusal(resolvePreset(at([{ ID: "p1", Name: "Small" }]), template, "v1", n(81, "p"))),
    new RegExp(
      `^Template "${cut(80, "t")}" has no preset "${cut(80, "p")}"\\. Its presets: Small\\.`,
    ),
  );
  assert.match(
    await refusal(resolvePreset(at([]), template, "v1", n(81, "p"))),
    new RegExp(`^Template "${cut(80, "t")}" has no presets, so preset "${cut(80, "p")}" cannot`),
  );
});

Deno.test("taskCatalog: Coder's names and descriptions are cut at their caps", async () => {
  const { client } = coder({
    "GET /api/v2/templates": ok([tpl("t".repeat(101), { active_version_id: "v1" })]),
    "GET /api/v2/templateversions/v1/presets": ok([
      { ID: "p1", Name: "p".repeat(101), Description: "d".repeat(301) },
    ]),
  });
  const [t] = (await taskCatalog(client)).templates ?? [];
  assert.equal(t.name, "t".repeat(99) + "…");
  assert.deepEqual(t.presets, [{
    id: "p1",
    name: "p".repeat(99) + "…",
    default: false,
    description: "d".repeat(299) + "…",
  }]);
});

Deno.test("taskCatalog: a spent call budget fails the catalog, not one template", async () => {
  // Nine templates: eight preset lookups hang until the budget's end (and time out, which is one
  // template's failure); the ninth then starts with no time left, which fails the whole call.
  const routes: Record<string, (signal?: AbortSignal) => Answer> = {
    "GET /api/v2/templates": ok(Array.from({ length: 9 }, (_, i) => tpl(`t${i}`))),
  };
  for (let i = 0; i < 9; i++) {
    routes[`GET /api/v2/templateversions/t${i}-v/presets`] = (signal) =>
      new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason)));
  }
  const { client } = coder(routes);
  await assert.rejects(
    withBudget(300, () => taskCatalog(client)),
    (e) => e instanceof CoderError && e.kind === "budget",
  );
});

Deno.test("template paths: a part that cannot be a path segment is named, and not sent", async () => {
  const { client, asked } = coder({});
  const invalid = async (p: Promise<unknown>) => {
    const err = await p.catch((e) => e);
    assert.ok(err instanceof InvalidSegmentError, String(err));
    return err.message;
  };
  assert.match(await invalid(getTemplate(client, "..")), /^Invalid template id: /);
  assert.match(await invalid(getTemplateByName(client, "..", "dev")), /^Invalid organization: /);
  assert.match(await invalid(getTemplateByName(client, "acme", "a/b")), /^Invalid template name: /);
  assert.match(
    await invalid(Promise.resolve().then(() => listPresets(client, ".."))),
    /^Invalid template version id: /,
  );
  assert.deepEqual(asked, []);
});
