/**
 * Chat model configs of a deployment. Current Coder serves them per organization
 * (`/api/v2/organizations/{org}/chats/models`; the old `/chats/models` answers 404), older Coder
 * at `C/chats/models`. The first route that answers is remembered for the life of the detected
 * deployment, like the API prefix.
 */
import { type ChatModelsResponse, listChatModels, type ModelsRoute } from "./api.ts";
import { getUserOrganizations } from "../../coder/deployment.ts";
import { CoderError } from "../../coder/http.ts";
import { type BackendContext, FleetError, type ModelInfo } from "../../model/backend.ts";
import { modelInfos, skippedModels } from "./mapping.ts";
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

  /** The model configs, and a line for each malformed one left out. */
  async catalog(signal?: AbortSignal): Promise<{ models: ModelInfo[]; skipped: string[] }> {
    const res = await this.raw(signal);
    return res
      ? { models: modelInfos(res), skipped: skippedModels(res) }
      : { models: [], skipped: [] };
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

  /** A model config id from an id, a model name, a display name or `provider/model`. */
  async resolve(model: string, signal?: AbortSignal): Promise<string> {
    const models = await this.list(signal);
    const byId = models.find((m) => m.id === model);
    if (byId) return byId.id;
    const want = model.trim().toLowerCase();
    const matches = models.filter((m) =>
      m.model.toLowerCase() === want || m.display_name.toLowerCase() === want ||
      `${m.provider}/${m.model}`.toLowerCase() === want
    );
    const pick = matches.find((m) => m.available) ?? matches[0];
    if (pick) return pick.id;
    const names = models.map((m) => m.display_name || m.model || m.id).slice(0, 20);
    throw new FleetError(
      `Unknown chat model "${oneLine(model, 80)}". Available models: ${
        names.length > 0 ? names.join(", ") : "none"
      }.`,
      "call list_templates to see the chat models, then pass one's id or name as model",
    );
  }
}
