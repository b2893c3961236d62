/** `list_templates`: what work can run where. */
import { z } from "zod";
import { getUserOrganizations } from "../coder/deployment.ts";
import type { AgentKind } from "../model/agent.ts";
import type { Catalog, TemplateInfo } from "../model/backend.ts";
import { type ModelInfo, type UnsupportedProvider, unusableWhy } from "../model/models.ts";
import { errorLine, oneLine, safeName } from "../model/text.ts";
import { defineTool } from "./define.ts";

/** Skip notices shown per back end; the rest are counted. */
const MAX_SKIPPED = 10;

/** Templates with presets (tasks), model configs (chats), organizations. */
export const listTemplates = defineTool({
  name: "list_templates",
  title: "List templates and models",
  description:
    `List what agents can be started with: task templates with their presets, and chat models.

Call it before create_task to choose template and preset (for tasks) or model (for chats), or when create_task says a name is unknown.

Returns templates [{id, name, display_name, description, organization_id, presets [{id, name, default}]}] (only templates that can run AI tasks), models [{id, model, provider, display_name, default, enabled, available, unavailable_reason?, context_limit?}] (chat models: create_task takes any usable one by name or id, and uses the default when given none), unsupported_providers (configured providers Coder Agents cannot use), and organizations [{id, name, is_default}]. A back end that is absent contributes nothing.`,
  input: z.object({}),
  output: z.object({
    templates: z.array(z.object({
      id: z.string(),
      name: z.string(),
      display_name: z.string(),
      description: z.string(),
      organization_id: z.string(),
      presets: z.array(z.object({
        id: z.string(),
        name: z.string(),
        default: z.boolean(),
        description: z.string(),
      })),
    })),
    models: z.array(z.object({
      id: z.string().describe("config id: what create_task's model takes, as do the names"),
      model: z.string().describe("the provider's model name"),
      provider: z.string().describe("the provider's kind, e.g. anthropic"),
      display_name: z.string(),
      default: z.boolean().describe(
        "the organization's default: Coder uses it when model is omitted (unless you chose your own)",
      ),
      enabled: z.boolean().describe("the model and its provider are enabled"),
      available: z.boolean().describe("usable now: enabled, and its provider available"),
      unavailable_reason: z.string().optional().describe(
        "why not usable: disabled, provider_disabled, or the provider's reason (missing_api_key, fetch_failed, user_api_key_required)",
      ),
      context_limit: z.number().int().optional().describe("context window, tokens"),
    })),
    unsupported_providers: z.array(z.object({ provider: z.string(), display_name: z.string() }))
      .optional().describe("configured providers Coder Agents cannot use"),
    organizations: z.array(z.object({ id: z.string(), name: z.string(), is_default: z.boolean() })),
    warnings: z.array(z.string()).optional(),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler(_args, { fleet, signal }) {
    const backends = await fleet.backends(undefined, signal);
    const [orgs, ...catalogs] = await Promise.allSettled([
      getUserOrganizations(fleet.client, "me", signal),
      ...backends.map((b) => b.catalog(signal)),
    ]);
    return templatesAnswer(catalogs.map((result, i) => ({ kind: backends[i].kind, result })), orgs);
  },
});

/** What each back end's catalog call came to. */
export interface CatalogResult {
  kind: AgentKind;
  result: PromiseSettledResult<Catalog>;
}

/** An organization as Coder lists it (the fields shown). */
export interface OrganizationInfo {
  id: string;
  name: string;
  is_default?: boolean | null;
}

/**
 * list_templates' answer from what the back ends and Coder said: the catalogs merged, every
 * name capped and cleaned whatever a back end passed on, a warning for each failure and for the
 * first {@link MAX_SKIPPED} malformed items of each back end (the rest counted), and the text.
 */
export function templatesAnswer(
  catalogs: CatalogResult[],
  orgs: PromiseSettledResult<OrganizationInfo[]>,
) {
  const warnings: string[] = [];
  let unread = 0;
  const merged = {
    templates: [] as TemplateInfo[],
    models: [] as ModelInfo[],
    unsupported: [] as UnsupportedProvider[],
  };
  for (const { kind, result: c } of catalogs) {
    if (c.status === "rejected") {
      warnings.push(`${kind} catalog failed: ${oneLine(errorLine(c.reason), 300)}`);
      unread++;
      continue;
    }
    const catalog = c.value;
    merged.templates.push(...(catalog.templates ?? []));
    merged.models.push(...(catalog.models ?? []));
    merged.unsupported.push(...(catalog.unsupported_providers ?? []));
    const skipped = catalog.skipped ?? [];
    for (const line of skipped.slice(0, MAX_SKIPPED)) warnings.push(oneLine(line, 300));
    if (skipped.length > MAX_SKIPPED) {
      warnings.push(`${kind} catalog: ${skipped.length - MAX_SKIPPED} more skipped`);
    }
  }
  if (orgs.status === "rejected") {
    warnings.push(`organizations: ${oneLine(errorLine(orgs.reason), 300)}`);
  }
  const data = {
    templates: merged.templates.map((t) => ({
      id: t.id,
      name: safeName(t.name, 128),
      display_name: safeName(t.display_name, 128),
      description: oneLine(t.description, 200),
      organization_id: t.organization_id,
      presets: t.presets.map((p) => ({
        ...p,
        name: safeName(p.name, 128),
        description: oneLine(p.description, 200),
      })),
    })),
    models: merged.models.map((m) => ({
      id: m.id,
      model: safeName(m.model, 128),
      provider: safeName(m.provider, 64),
      display_name: safeName(m.display_name, 128),
      default: m.default,
      enabled: m.enabled,
      available: m.available,
      ...(m.unavailable_reason ? { unavailable_reason: safeName(m.unavailable_reason, 60) } : {}),
      ...(m.context_limit ? { context_limit: m.context_limit } : {}),
    })),
    ...(merged.unsupported.length
      ? {
        unsupported_providers: merged.unsupported.map((u) => ({
          provider: safeName(u.provider, 64),
          display_name: safeName(u.display_name, 128),
        })),
      }
      : {}),
    organizations: orgs.status === "fulfilled"
      ? orgs.value.map((o) => ({
        id: o.id,
        name: safeName(o.name, 128),
        is_default: o.is_default ?? false,
      }))
      : [],
    ...(warnings.length ? { warnings } : {}),
  };
  const lines = [
    data.templates.length ? "Task templates (template; presets, * = default):" : "",
    ...data.templates.map((t) =>
      `- ${t.name}${t.display_name && t.display_name !== t.name ? ` (${t.display_name})` : ""}: ${
        t.presets.map((p) => `${p.name}${p.default ? "*" : ""}`).join(", ") || "no presets"
      }${t.description ? ` | ${t.description}` : ""}`
    ),
    data.models.length
      ? "Chat models (display name: model, provider, context; * = default; id):"
      : "",
    ...data.models.map(modelLine),
    data.unsupported_providers
      ? `Providers Coder Agents cannot use: ${
        data.unsupported_providers.map((u) =>
          u.provider && u.display_name && u.display_name !== u.provider
            ? `${u.display_name} (${u.provider})`
            : u.provider || u.display_name
        ).join(", ")
      }`
      : "",
    data.organizations.length
      ? `Organizations: ${
        data.organizations.map((o) => `${o.name}${o.is_default ? " (default)" : ""}`).join(", ")
      }`
      : "",
    ...warnings.map((w) => `Warning: ${w}`),
  ];
  if (!data.templates.length && !data.models.length) {
    // Only a catalog that answered can say that nothing is configured.
    lines.unshift(
      unread
        ? "Nothing to list: the catalog could not be read (see the warnings)."
        : "Nothing can be started: no AI task template and no chat model is configured.",
    );
  }
  return { data, text: lines.filter(Boolean).join("\n") };
}

/** One chat model, compact: `- Name*: model, provider, 200k context; id` and why it is unusable. */
function modelLine(
  m: {
    id: string;
    model: string;
    provider: string;
    display_name: string;
    default: boolean;
    available: boolean;
    unavailable_reason?: string;
    context_limit?: number;
  },
): string {
  const facts = [m.model, m.provider, m.context_limit ? `${tokens(m.context_limit)} context` : ""]
    .filter(Boolean).join(", ");
  return `- ${m.display_name || m.model}${m.default ? "*" : ""}${
    facts ? `: ${facts}` : ""
  }; ${m.id}${m.available ? "" : `; not usable: ${unusableWhy(m.unavailable_reason)}`}`;
}

/** A token count, short: 200k, 1M, 900. */
function tokens(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${Math.round(n / 1_000)}k`;
  return String(n);
}
