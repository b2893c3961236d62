/**
 * The Coder Chats API's model catalog schemas, in both shapes Coder has served: current Coder's
 * `OrganizationChatModelsResponse` (`GET /api/v2/organizations/{org}/chats/models`: flat models,
 * provider descriptors; reference 9) and older Coder's `ChatModelsResponse` (`GET C/chats/models`:
 * models nested under their provider; the August 2026 swagger). Tolerant like `wire.ts`: extra
 * fields pass through, and one malformed item is left out and named, never failing the rest.
 */
import { z } from "zod";
import { itemsOf } from "../../coder/lists.ts";

const Str = z.string().nullish();

/**
 * codersdk.ChatModel: a model config; its `id` is what `model_config_id` takes. Current Coder
 * (v2.37 on, `OrganizationChatModelsResponse.models[]`) names its provider by `ai_provider_id`
 * (join to `providers[].id`) and says `enabled`, `is_default` and `context_limit`; older Coder
 * nests models under their provider and names it in `provider`.
 */
export const ChatModel = z.looseObject({
  id: z.string(),
  model: Str,
  /** Older Coder: the provider's name. */
  provider: Str,
  display_name: Str,
  /** Current Coder: the id of its provider in `providers[]`. */
  ai_provider_id: Str,
  enabled: z.boolean().nullish(),
  is_default: z.boolean().nullish(),
  context_limit: z.number().nullish(),
});
/** A chat model config. */
export type ChatModel = z.infer<typeof ChatModel>;

/**
 * A chat model provider. Current Coder: `ChatModelProviderDescriptor` (`id`, `type`, `enabled`,
 * `available`, `unavailable_reason`; its models are in the response's flat `models[]`). Older
 * Coder: `ChatModelProvider` (`provider`, `available`, `unavailable_reason`, nested `models`).
 */
export const ChatModelProvider = z.looseObject({
  id: Str,
  /** Current Coder: the provider's kind, e.g. `anthropic`. */
  type: Str,
  /** Older Coder: the provider's kind. */
  provider: Str,
  display_name: Str,
  enabled: z.boolean().nullish(),
  available: z.boolean().nullish(),
  unavailable_reason: Str,
  /** Older Coder only. Parsed one by one: a malformed model is left out and named in `skipped`. */
  models: itemsOf(ChatModel, "chat model"),
});
/** A model provider. */
export type ChatModelProvider = z.infer<typeof ChatModelProvider>;

/** codersdk.ChatUnsupportedProvider: a configured provider Coder Agents cannot use. */
export const ChatUnsupportedProvider = z.looseObject({
  /** The provider's type, e.g. `copilot`. */
  provider: Str,
  display_name: Str,
});

/**
 * The models a deployment offers, in either shape: current Coder's
 * `OrganizationChatModelsResponse` (`{models[], providers[], unsupported_providers[]}`, flat) or
 * older Coder's `ChatModelsResponse` (`{providers[{..., models[]}], unsupported_providers[]}`).
 * A bare array (of providers, or of models) is accepted too. Models, providers and unsupported
 * providers are parsed one by one: a malformed one is left out and named in `skipped`.
 */
export const ChatModelsResponse = z.preprocess(
  (v) => {
    if (!Array.isArray(v)) return v;
    const providers = v.some((x) => x && typeof x === "object" && "models" in x);
    return providers ? { providers: v } : { models: v };
  },
  z.looseObject({
    models: itemsOf(ChatModel, "chat model"),
    providers: itemsOf(ChatModelProvider, "chat model provider"),
    unsupported_providers: itemsOf(ChatUnsupportedProvider, "unsupported provider"),
  }),
);
/** The models a deployment offers. */
export type ChatModelsResponse = z.infer<typeof ChatModelsResponse>;
