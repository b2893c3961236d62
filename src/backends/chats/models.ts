/**
 * Chat model configs of a deployment. Current Coder serves them per organization
 * (`/api/v2/organizations/{org}/chats/models`; the old `/chats/models` answers 404), older Coder
 * at `C/chats/models`. The first route that answers is remembered for the life of the detected
 * deployment, like the API prefix.
 */
import { type ChatModelsResponse, listChatModels, type ModelsRoute } from "./api.ts";
import { getUserOrganizations } from "../../coder/deployment.ts";
import { CoderError } from "../../coder/http.ts";
import { isHttp } from "../../model/backend_errors.ts";
import { type BackendContext, FleetError } from "../../model/backend.ts";
import { type ModelInfo, type UnsupportedProvider, unusableWhy } from "../../model/models.ts";
import { modelInfos, skippedModels, unsupportedProviders } from "./mapping.ts";
import { oneLine } from "../../model/text.ts";

/** The model configs of one deployment's Chats API. */
export class ChatModels {
  readonly #ctx: BackendContext;
  /** Which route serves model configs, once one answered (or `none` when neither exists). */
  #route?: ModelsRoute | "none";

  constructor(ctx: BackendContext) {
    this.#ctx = ctx;
  }

  /** Which models route answered (`org`, `legacy`, or `none`), once known. */
  get route(): ModelsRoute | "none" | undefined {
    return this.#route;
  }

  /** The model configs, flattened and sanitised (none when the deployment has no route). */
  async list(signal?: AbortSignal): Promise<ModelInfo[]> {
    return (await this.catalog(signal)).models;
  }

  /**
   * The model configs, the configured providers Coder Agents cannot use, and a line for each
   * malformed item left out.
   */
  async catalog(signal?: AbortSignal): Promise<
    { models: ModelInfo[]; unsupported: UnsupportedProvider[]; skipped: string[] }
  > {
    const res = await this.raw(signal);
    return res
      ? {
        models: modelInfos(res),
        unsupported: unsupportedProviders(res),
        skipped: skippedModels(res),
      }
      : { models: [], unsupported: [], skipped: [] };
  }

  /** Coder's answer from the remembered route (found on first use); `null` when none exists. */
  async raw(signal?: AbortSignal): Promise<ChatModelsResponse | null> {
    const known = this.#route;
    if (known === "none") return null;
    const routes: ModelsRoute[] = known ? [known] : ["org", "legacy"];
    for (const route of routes) {
      let org: string | undefined;
      if (route === "org") {
        try {
          org = await this.defaultOrganization(signal);
        } catch (err) {
          if (err instanceof FleetError) continue; // no organization: only the old route can tell
          throw err;
        }
      }
      try {
        const res = await listChatModels(
          this.#ctx.client,
          this.#ctx.prefix,
          { route, org },
          signal,
        );
        this.#route = route;
        return res;
      } catch (err) {
        if (!(err instanceof CoderError && err.kind === "http" && err.status === 404)) throw err;
      }
    }
    if (!known) this.#route = "none";
    return null;
  }

  /** The caller's default organization (or the first), as chats are created in it. */
  async defaultOrganization(signal?: AbortSignal): Promise<string> {
    const orgs = await getUserOrganizations(this.#ctx.client, "me", signal);
    const org = orgs.find((o) => o.is_default) ?? orgs[0];
    if (!org) {
      throw new FleetError(
        "You belong to no Coder organization, so no chat can be created.",
        "ask a Coder administrator to add you to an organization",
      );
    }
    return org.id;
  }

  /**
   * A create's model, with the catalog read once (concurrent creates share the request). A named
   * model is resolved to its config id ({@link pickModel}). Without one no id is sent: Coder then
   * uses the caller's personal model override or the organization's default, which only Coder
   * knows for sure (sending the default's id would override the caller's own choice); the catalog
   * still names the model the new chat runs.
   */
  choose(model: string | undefined, signal?: AbortSignal): ModelChoice {
    const models = this.list(signal);
    models.catch(() => {}); // without a named model, a failed catalog only leaves the name out
    const known = () => models.catch((): ModelInfo[] => []);
    return {
      id: model ? models.then((all) => pickModel(all, model).id) : Promise.resolve(undefined),
      async label(configId) {
        if (!configId) return undefined;
        const m = (await known()).find((x) => x.id === configId);
        return m ? modelLabel(m) : oneLine(configId, 100);
      },
      async refused(err): Promise<never> {
        if (isHttp(err, 400) && /no chat model is available/i.test(err.coderMessage ?? "")) {
          const all = await known();
          const why = all.slice(0, 5).map((m) =>
            `${modelLabel(m)}: ${m.available ? "usable" : unusableWhy(m.unavailable_reason)}`
          );
          throw new FleetError(
            `Coder has no usable chat model in this organization, so no chat can start${
              why.length > 0 ? ` (${why.join("; ")})` : " (no model is configured)"
            }.`,
            "a Coder administrator must add or enable a chat model and give its provider an API key; list_templates shows each model and why it cannot be used",
          );
        }
        throw err;
      },
    };
  }
}

/** A create's model (see {@link ChatModels.choose}). */
export interface ModelChoice {
  /** The config id to send as `model_config_id`; undefined: let Coder choose. */
  id: Promise<string | undefined>;
  /** How the fleet names the config a chat runs with ({@link modelLabel}; else its id). */
  label(configId: string | null | undefined): Promise<string | undefined>;
  /** Rethrow a create's failure, explained when Coder refused it for want of a usable model. */
  refused(err: unknown): Promise<never>;
}

/** `display name (provider)`, how the fleet names a model to a caller. */
export function modelLabel(m: ModelInfo): string {
  const name = m.display_name || m.model || m.id;
  return m.provider ? `${name} (${m.provider})` : name;
}

/**
 * The model config that `name` names: its config id, its model name, its display name or
 * `provider/model` (case-insensitive). Among several, a usable one, the default first. A name
 * that matches only unusable models is refused with the reason (a disabled model; a provider that
 * is disabled or unavailable, with Coder's `unavailable_reason`), as Coder would refuse it; one
 * that matches none is refused with the usable models' names.
 */
export function pickModel(models: readonly ModelInfo[], name: string): ModelInfo {
  const byId = models.find((m) => m.id === name);
  const want = name.trim().toLowerCase();
  const matches = byId
    ? [byId]
    : models.filter((m) =>
      m.id.toLowerCase() === want || m.model.toLowerCase() === want ||
      m.display_name.toLowerCase() === want || `${m.provider}/${m.model}`.toLowerCase() === want
    );
  const usable = matches.filter((m) => m.available);
  const pick = usable.find((m) => m.default) ?? usable[0];
  if (pick) return pick;
  if (matches.length > 0) {
    const m = matches[0];
    const others = models.filter((x) => x.available).map(modelLabel).slice(0, 10);
    throw new FleetError(
      `Chat model ${modelLabel(m)} cannot be used: ${unusableWhy(m.unavailable_reason)}.`,
      `${
        others.length > 0
          ? `choose a usable model (${
            others.join(", ")
          }), or omit model for the organization's default`
          : "no chat model is usable in this organization (list_templates says why for each)"
      }; ${fixFor(m.unavailable_reason)}`,
    );
  }
  const names = models.filter((m) => m.available).map(modelLabel).slice(0, 20);
  const unusable = models.length - models.filter((m) => m.available).length;
  throw new FleetError(
    `Unknown chat model "${oneLine(name, 80)}". Usable models: ${
      names.length > 0 ? names.join(", ") : "none"
    }${unusable > 0 ? ` (and ${unusable} that cannot be used)` : ""}.`,
    "call list_templates to see the chat models, then pass one's name or id as model, or omit model for the organization's default",
  );
}

/** Who can make an unusable model usable, and how. */
function fixFor(reason: string | undefined): string {
  switch (reason) {
    case "user_api_key_required":
      return "to use this one, add your own API key for its provider in Coder's settings";
    case "fetch_failed":
      return "Coder could not reach the provider: retry later";
    case "missing_api_key":
      return "to use this one, a Coder administrator must give its provider an API key";
    case "disabled":
      return "to use this one, a Coder administrator must enable the model";
    case "provider_disabled":
      return "to use this one, a Coder administrator must enable its provider";
    default:
      return "to use this one, a Coder administrator must fix its provider";
  }
}
