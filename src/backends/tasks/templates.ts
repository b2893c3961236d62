/**
 * What a task is created from: resolving a template (name, `org/name` or id) and a preset, and
 * the catalog of task-capable templates with their presets. Every miss is a {@link FleetError}
 * with the next step.
 */
import type { Catalog, TemplateInfo } from "../../model/backend.ts";
import { FleetError } from "../../model/backend.ts";
import { isHttp, isNotFound, listNames } from "../../model/backend_errors.ts";
import { runBatch } from "../../model/batch.ts";
import { isUuid } from "../../model/handle.ts";
import { errorLine, oneLine } from "../../model/text.ts";
import type { CoderClient } from "../../coder/http.ts";
import { CoderError } from "../../coder/http.ts";
import { InvalidSegmentError } from "../../coder/errors.ts";
import {
  getTemplate,
  getTemplateByName,
  listAiTemplates,
  listPresets,
  type Template,
} from "./templates_api.ts";

/** Preset lookups in flight at once while building the catalog. */
export const PRESET_CONCURRENCY = 8;

const NEXT = "Call list_templates to see the templates that can run tasks.";

/** The template `want` names (a UUID, `org/name`, a name), or the only task-capable one. */
export async function resolveTemplate(
  client: CoderClient,
  want: string | undefined,
  signal?: AbortSignal,
): Promise<Template> {
  const w = want?.trim();
  if (w && isUuid(w)) {
    try {
      return await getTemplate(client, w, signal);
    } catch (err) {
      if (isNotFound(err) || isHttp(err, 400)) {
        throw new FleetError(`No template has the id ${w}.`, NEXT);
      }
      throw err;
    }
  }
  if (w && w.includes("/")) {
    const [org, name] = [w.slice(0, w.indexOf("/")), w.slice(w.indexOf("/") + 1)];
    try {
      return await getTemplateByName(client, org, name, signal);
    } catch (err) {
      if (isNotFound(err) || isHttp(err, 400) || err instanceof InvalidSegmentError) {
        throw new FleetError(`No template "${oneLine(w, 120)}" was found.`, NEXT);
      }
      throw err;
    }
  }
  const all = (await listAiTemplates(client, signal)).items;
  const names = all.map((t) => t.name);
  if (!w) {
    if (all.length === 1) return all[0];
    if (all.length === 0) {
      throw new FleetError(
        "No template on this Coder deployment can run tasks.",
        "Ask a Coder admin for a template with an AI task, or create a chat (kind: chat) instead.",
      );
    }
    throw new FleetError(
      `Several templates can run tasks (${listNames(names)}); say which one with template.`,
      "Call list_templates, then pass template (a name or id).",
    );
  }
  let matches = all.filter((t) => t.name === w);
  if (matches.length === 0) {
    const lw = w.toLowerCase();
    matches = all.filter((t) =>
      t.name.toLowerCase() === lw || (t.display_name ?? "").toLowerCase() === lw
    );
  }
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new FleetError(
      `Several templates are named "${oneLine(w, 80)}" (in organizations ${
        listNames(matches.map((t) => t.organization_name ?? t.organization_id ?? "?"))
      }).`,
      "Pass template as organization/name, or as the template's id (see list_templates).",
    );
  }
  throw new FleetError(
    `No template named "${oneLine(w, 80)}" can run tasks. ${
      all.length ? `Templates that can: ${listNames(names)}.` : "No template can."
    }`,
    NEXT,
  );
}

/** The preset `want` names (id or name) of the template's version; without one, its default. */
export async function resolvePreset(
  client: CoderClient,
  template: Template,
  versionId: string,
  want: string | undefined,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const presets = (await listPresets(client, versionId, signal)).items;
  const w = want?.trim();
  if (!w) {
    const defaults = presets.filter((p) => p.default);
    return defaults.length === 1 ? defaults[0].id : undefined;
  }
  const found = presets.find((p) => p.id === w) ?? presets.find((p) => p.name === w) ??
    presets.find((p) => p.name.toLowerCase() === w.toLowerCase());
  if (found) return found.id;
  const tname = oneLine(template.name, 80);
  throw new FleetError(
    presets.length
      ? `Template "${tname}" has no preset "${oneLine(w, 80)}". Its presets: ${
        listNames(presets.map((p) => p.name))
      }.`
      : `Template "${tname}" has no presets, so preset "${oneLine(w, 80)}" cannot be used.`,
    "Call list_templates to see each template's presets, or omit preset.",
  );
}

/**
 * Task-capable templates with the presets of their active versions. A malformed template or
 * preset is left out, and a template whose presets cannot be read is listed without them; each
 * is named in `skipped`.
 */
export async function taskCatalog(client: CoderClient, signal?: AbortSignal): Promise<Catalog> {
  const { items: templates, skipped } = await listAiTemplates(client, signal);
  const results = await runBatch(
    templates,
    async (t): Promise<TemplateInfo> => {
      let presets: TemplateInfo["presets"] = [];
      const name = oneLine(t.name, 100);
      if (t.active_version_id) {
        try {
          const listed = await listPresets(client, t.active_version_id, signal);
          presets = listed.items.map((p) => ({
            id: p.id,
            name: oneLine(p.name, 100),
            default: p.default,
            description: oneLine(p.description, 300),
          }));
          for (const s of listed.skipped) skipped.push(`template ${name}: ${s}`);
        } catch (err) {
          if (err instanceof CoderError && (err.kind === "aborted" || err.kind === "budget")) {
            throw err;
          }
          // One template's presets failing must not hide the catalog; it is said, not hidden.
          skipped.push(
            `template ${name}: presets could not be read: ${errorLine(err)}`,
          );
        }
      }
      return {
        id: t.id,
        name,
        display_name: oneLine(t.display_name ?? "", 100),
        description: oneLine(t.description ?? "", 300),
        organization_id: t.organization_id ?? "",
        active_version_id: t.active_version_id ?? "",
        presets,
      };
    },
    PRESET_CONCURRENCY,
  );
  // Only a cancelled request (or a spent budget) fails an item; it fails the catalog.
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) throw failed.error;
  return {
    templates: results.flatMap((r) => r.ok ? [r.value] : []),
    ...(skipped.length ? { skipped } : {}),
  };
}
