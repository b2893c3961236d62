/**
 * Coder templates and template-version presets: what a task can be created from.
 *
 * Presets come with PascalCase keys on the wire (`ID`, `Name`, `Parameters[].Name` ...; the Go
 * struct has no JSON tags), while the swagger says lowercase: both are accepted and normalised.
 */
import { z } from "zod";
import type { CoderClient } from "../../coder/http.ts";
import { type ItemsOf, itemsOf } from "../../coder/lists.ts";
import { segment } from "../../coder/paths.ts";

const opt = () => z.string().nullish().transform((v) => v || undefined);

/** codersdk.Template, the fields we read (normalised: absent or null strings -> undefined). */
export const TemplateSchema = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    display_name: opt(),
    description: opt(),
    organization_id: opt(),
    organization_name: opt(),
    active_version_id: opt(),
  })
  .transform((t) => ({
    id: t.id,
    name: t.name,
    display_name: t.display_name,
    description: t.description,
    organization_id: t.organization_id,
    organization_name: t.organization_name,
    active_version_id: t.active_version_id,
  }));

/** A template. Strings are raw Coder text. */
export type Template = z.output<typeof TemplateSchema>;

/** A template-version preset, normalised to lowercase keys. */
export interface Preset {
  id: string;
  name: string;
  default: boolean;
  description: string;
}

/** codersdk.Preset: PascalCase (what Coder sends) or lowercase (what the swagger says). */
export const PresetSchema = z
  .looseObject({
    ID: z.string().nullish(),
    id: z.string().nullish(),
    Name: z.string().nullish(),
    name: z.string().nullish(),
    Default: z.boolean().nullish(),
    default: z.boolean().nullish(),
    Description: z.string().nullish(),
    description: z.string().nullish(),
  })
  .refine((p) => Boolean(p.ID ?? p.id), { message: "preset has no ID" })
  .transform((p): Preset => ({
    id: (p.ID ?? p.id)!,
    name: p.Name ?? p.name ?? "",
    default: p.Default ?? p.default ?? false,
    description: p.Description ?? p.description ?? "",
  }));

const TemplateItems = itemsOf(TemplateSchema, "template");
const PresetItems = itemsOf(PresetSchema, "preset");

/**
 * `GET /api/v2/templates?q=has-ai-task:true`: templates that can run tasks. A malformed template
 * is left out and named in `skipped`.
 */
export function listAiTemplates(
  client: CoderClient,
  signal?: AbortSignal,
): Promise<ItemsOf<Template>> {
  return client.get("/api/v2/templates", TemplateItems, {
    query: { q: "has-ai-task:true" },
    signal,
  });
}

/** `GET /api/v2/templates/{id}`: one template by UUID. */
export async function getTemplate(
  client: CoderClient,
  id: string,
  signal?: AbortSignal,
): Promise<Template> {
  return await client.get(`/api/v2/templates/${segment(id, "template id")}`, TemplateSchema, {
    signal,
  });
}

/** `GET /api/v2/organizations/{org}/templates/{name}`: `org` is an organization name or UUID. */
export async function getTemplateByName(
  client: CoderClient,
  org: string,
  name: string,
  signal?: AbortSignal,
): Promise<Template> {
  return await client.get(
    `/api/v2/organizations/${segment(org, "organization")}/templates/${
      segment(name, "template name")
    }`,
    TemplateSchema,
    { signal },
  );
}

/**
 * `GET /api/v2/templateversions/{id}/presets`: the presets of a template version. A malformed
 * preset is left out and named in `skipped`.
 */
export function listPresets(
  client: CoderClient,
  versionId: string,
  signal?: AbortSignal,
): Promise<ItemsOf<Preset>> {
  return client.get(
    `/api/v2/templateversions/${segment(versionId, "template version id")}/presets`,
    PresetItems,
    { signal },
  );
}
