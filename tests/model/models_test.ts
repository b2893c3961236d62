/**
 * Why a chat model cannot be used, in words (src/model/models.ts): the fleet's own reasons, Coder's
 * provider reasons with the word in brackets, an unknown word kept, and no reason at all.
 */
import assert from "node:assert/strict";
import { unusableWhy } from "../../src/model/models.ts";

Deno.test("models: every reason a model is unusable, in words", () => {
  const cases: [string | undefined, string][] = [
    [undefined, "it cannot be used"],
    ["", "it cannot be used"],
    ["disabled", "the model is disabled in this organization"],
    ["provider_disabled", "its provider is disabled"],
    ["provider_unavailable", "its provider is unavailable"],
    ["missing_api_key", "its provider has no API key (missing_api_key)"],
    ["fetch_failed", "Coder could not reach its provider (fetch_failed)"],
    ["user_api_key_required", "its provider needs your own API key (user_api_key_required)"],
    ["quota_exceeded", "its provider is unavailable (quota_exceeded)"],
    ["toString", "its provider is unavailable (toString)"],
    ["__proto__", "its provider is unavailable (__proto__)"],
  ];
  for (const [reason, words] of cases) assert.equal(unusableWhy(reason), words, String(reason));
});
