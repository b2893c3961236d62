/**
 * Chat models as the fleet speaks of them, whatever shape Coder served: a model config with its
 * provider, whether it is the default, whether it can be used and why not.
 */

/** A chat model config. */
export interface ModelInfo {
  /** The config id (what Coder's `model_config_id` takes). */
  id: string;
  /** The provider's model name, e.g. `claude-sonnet-4-5`. */
  model: string;
  /** The provider's kind, e.g. `anthropic` (empty when Coder does not say). */
  provider: string;
  display_name: string;
  /** The organization's default: used when a chat is created without a model. */
  default: boolean;
  /** The model and its provider are enabled. */
  enabled: boolean;
  /** Usable: enabled, and its provider enabled and available (reference 9). */
  available: boolean;
  /**
   * Why it is not usable: `disabled`, `provider_disabled`, or its provider's `unavailable_reason`
   * (`missing_api_key`, `fetch_failed`, `user_api_key_required`); see {@link unusableWhy}.
   */
  unavailable_reason?: string;
  /** The model's context window in tokens, when Coder says. */
  context_limit?: number;
}

/** Why a chat model cannot be used, in words: the fleet's own reasons. */
const OWN_REASONS: Readonly<Record<string, string>> = {
  disabled: "the model is disabled in this organization",
  provider_disabled: "its provider is disabled",
  provider_unavailable: "its provider is unavailable",
};

/** Coder's `unavailable_reason` words for a provider (reference 9), in words. */
const CODER_REASONS: Readonly<Record<string, string>> = {
  missing_api_key: "its provider has no API key",
  fetch_failed: "Coder could not reach its provider",
  user_api_key_required: "its provider needs your own API key",
};

/**
 * Why a model cannot be used, in words, from its `unavailable_reason`: the fleet's own
 * (`disabled`, `provider_disabled`, `provider_unavailable`) or Coder's (kept in brackets, and
 * kept as it is when it is a word this server does not know).
 */
export function unusableWhy(reason: string | undefined): string {
  if (!reason) return "it cannot be used";
  if (Object.hasOwn(OWN_REASONS, reason)) return OWN_REASONS[reason];
  if (Object.hasOwn(CODER_REASONS, reason)) return `${CODER_REASONS[reason]} (${reason})`;
  return `its provider is unavailable (${reason})`;
}

/** A provider configured in Coder that Coder Agents cannot use (e.g. `copilot`). */
export interface UnsupportedProvider {
  provider: string;
  display_name: string;
}
