/**
 * The simulated chat model catalog: the two shapes Coder has served it in, and which model a
 * create runs with. Current Coder (v2.37 on; the `current` profile) answers
 * `GET /api/v2/organizations/{org}/chats/models` with `OrganizationChatModelsResponse` (flat
 * `models[]`, provider descriptors, unsupported providers: reference 9); older Coder answered
 * `GET C/chats/models` with providers and their models nested (the August 2026 swagger).
 */
import { providerOf, type SimModel, unusable, type World } from "../deployment.ts";
import { coderError } from "../http.ts";
import { isUuid } from "../util.ts";

/** `OrganizationChatModelsResponse` (reference 9), as current Coder serves it. */
export function orgModelsJson(w: World): Record<string, unknown> {
  return {
    models: w.models.map((m) => ({
      id: m.id,
      organization_id: w.org.id,
      ai_provider_id: m.ai_provider_id,
      model: m.model,
      display_name: m.display_name,
      enabled: m.enabled,
      is_default: m.is_default,
      context_limit: m.context_limit,
      compression_threshold: m.compression_threshold,
      ...(m.model_config ? { model_config: m.model_config } : {}),
      ...(m.reasoning_efforts ? { reasoning_efforts: m.reasoning_efforts } : {}),
      created_at: w.time(m.createdAt),
      updated_at: w.time(m.createdAt),
    })),
    providers: w.providers.map((p) => ({
      id: p.id,
      type: p.type,
      display_name: p.display_name,
      icon: `/icon/${p.type}.svg`,
      enabled: p.enabled,
      has_api_key: p.has_api_key,
      has_user_api_key: false,
      has_effective_api_key: p.has_api_key,
      allow_user_api_key: false,
      available: p.available,
      ...(p.unavailable_reason ? { unavailable_reason: p.unavailable_reason } : {}),
    })),
    unsupported_providers: w.unsupported,
  };
}

/**
 * `ChatModelsResponse` of older Coder (swagger): providers with their enabled models nested,
 * each naming its provider; no default, no ids of providers.
 */
export function legacyModelsJson(w: World): Record<string, unknown> {
  return {
    providers: w.providers.map((p) => ({
      provider: p.type,
      available: p.available,
      ...(p.unavailable_reason ? { unavailable_reason: p.unavailable_reason } : {}),
      models: w.models.filter((m) => m.ai_provider_id === p.id && m.enabled).map((m) => ({
        id: m.id,
        provider: p.type,
        model: m.model,
        display_name: m.display_name,
      })),
    })),
    unsupported_providers: w.unsupported,
  };
}

/**
 * The model config a create runs with, or Coder's 400. Current Coder (reference 3): none given
 * means the organization's default (else the first usable model; none usable: 400 `No chat model
 * is available in this organization.`); an id that is not a known config: 400 `Invalid model
 * config ID.`; a known one that cannot be used: the same 400 with the reason in `detail` (the
 * reference does not give that body: this one is the sim's). Older Coder: the first model, or the
 * one named; an unknown one: 400 `Model config not found.`.
 */
export function createModel(w: World, requested: unknown): SimModel | Response {
  const given = requested !== undefined && requested !== null && requested !== "";
  if (w.profile !== "current") {
    if (!given) return w.models[0];
    return w.models.find((m) => m.id === requested) ?? coderError(400, "Model config not found.");
  }
  if (!given) {
    const usable = w.models.filter((m) => !unusable(w, m));
    return usable.find((m) => m.is_default) ?? usable[0] ??
      coderError(400, "No chat model is available in this organization.");
  }
  const id = typeof requested === "string" && isUuid(requested) ? requested.toLowerCase() : "";
  const m = w.models.find((x) => x.id === id);
  if (!m) return coderError(400, "Invalid model config ID.");
  const why = unusable(w, m);
  if (why) {
    const p = providerOf(w, m);
    return coderError(
      400,
      "Invalid model config ID.",
      `Model config ${m.id} (${p?.type ?? "unknown provider"}/${m.model}) cannot be used: ${why}.`,
    );
  }
  return m;
}
