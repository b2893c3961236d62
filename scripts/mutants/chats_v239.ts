/** Mutants of Coder Agents as it is today (issue 16): see `scripts/mutants.ts` for the fields. */
import type { Mutant } from "../mutants.ts";

// 16a: the test files of the chat models' mutants, and the files they mutate.
const MODELS_UNIT = ["tests/backends/chats/models_test.ts"];
const MODELS_SIM = ["tests/sim/chat_models_test.ts"];
const MODELS_E2E = ["tests/e2e/chat_models_e2e_test.ts"];
const MODELS_MAPPING = "src/backends/chats/mapping.ts";
const SIM_MODELS = "src/sim/chats/models.ts";

/** The list. */
export const CHATS_V239: Mutant[] = [
  // --- 16a: chat models
  {
    id: "models-flat-ignored",
    breaks: "v2.39's flat models[] is not read: Available models: none (issue 16, item 1)",
    file: MODELS_MAPPING,
    find: "for (const m of res.models.items) {",
    replace: "for (const m of res.models.items.slice(0, 0)) {",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "models-nested-ignored",
    breaks: "older Coder's models nested under providers are not read (both shapes, item 1)",
    file: MODELS_MAPPING,
    find: "for (const p of res.providers.items) for (const m of p.models.items) add(m, p);",
    replace: "",
    tests: [...MODELS_UNIT, "tests/e2e/chats_e2e_test.ts"],
  },
  {
    id: "models-provider-not-joined",
    breaks:
      "a v2.39 model is not joined to its provider by ai_provider_id: no provider type, and an unavailable provider's model looks usable",
    file: MODELS_MAPPING,
    find: "add(m, m.ai_provider_id ? providers.get(m.ai_provider_id.toLowerCase()) : undefined);",
    replace: "add(m, undefined);",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "models-disabled-usable",
    breaks: "a disabled model (enabled: false) is listed as usable and sent to Coder",
    file: MODELS_MAPPING,
    find: "const reason = m.enabled === false",
    replace: "const reason = m.enabled === null",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "models-provider-disabled-usable",
    breaks: "a model of a disabled provider is listed as usable",
    file: MODELS_MAPPING,
    find: ": p?.enabled === false",
    replace: ": p?.enabled === null",
    tests: MODELS_UNIT,
  },
  {
    id: "models-provider-unavailable-usable",
    breaks:
      "a model whose provider is unavailable (missing_api_key) is listed as usable, no reason",
    file: MODELS_MAPPING,
    find: ": p?.available === false",
    replace: ": p?.available === null",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "models-default-lost",
    breaks: "the organization's default (is_default) is not shown",
    file: MODELS_MAPPING,
    find: "default: m.is_default === true,",
    replace: "default: false,",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "pick-unusable-taken",
    breaks:
      "create_task sends a disabled or unavailable model instead of refusing it with the reason",
    file: "src/backends/chats/models.ts",
    find: "const usable = matches.filter((m) => m.available);",
    replace: "const usable = matches;",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "pick-default-not-first",
    breaks: "of two usable configs with one name, the default is not the one taken",
    file: "src/backends/chats/models.ts",
    find: "const pick = usable.find((m) => m.default) ?? usable[0];",
    replace: "const pick = usable[0];",
    tests: MODELS_UNIT,
  },
  {
    id: "create-sends-default-id",
    breaks:
      "without a model, create_task sends the org default's id, overriding the caller's own choice Coder would honour",
    file: "src/backends/chats/models.ts",
    find:
      "id: model ? models.then((all) => pickModel(all, model).id) : Promise.resolve(undefined),",
    replace:
      "id: models.then((all) => model ? pickModel(all, model).id : all.find((m) => m.default)?.id),",
    tests: MODELS_UNIT,
  },
  {
    id: "create-row-no-model",
    breaks: "without a model, the created chat's row does not say which model it runs",
    file: "src/backends/chats/backend.ts",
    find: "if (runs) agent.model = runs;",
    replace: "if (runs && spec.model) agent.model = runs;",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "create-no-model-unexplained",
    breaks:
      "Coder's 400 'No chat model is available' reaches the caller raw, without each model's reason",
    file: "src/backends/chats/models.ts",
    find: "if (isHttp(err, 400) && /no chat model is available/i",
    replace: "if (isHttp(err, 401) && /no chat model is available/i",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "extras-model-by-id",
    breaks: "get_agent names the chat's model by config id, not display name and provider (item 4)",
    file: "src/backends/chats/backend.ts",
    find: "out.model = m ? modelLabel(m) : oneLine(modelId, 100);",
    replace: "out.model = oneLine(modelId, 100);",
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
  {
    id: "list-templates-no-reason",
    breaks: "list_templates drops why a model cannot be used",
    file: "src/tools/list_templates.ts",
    find:
      "...(m.unavailable_reason ? { unavailable_reason: safeName(m.unavailable_reason, 60) } : {}),",
    replace: "",
    tests: MODELS_E2E,
  },
  {
    id: "list-templates-text-no-reason",
    breaks: "list_templates' text says a model is not usable without saying why",
    file: "src/tools/list_templates.ts",
    find: "`; not usable: ${unusableWhy(m.unavailable_reason)}`",
    replace: '"; not usable"',
    tests: MODELS_E2E,
  },
  {
    id: "sim-current-old-models-shape",
    breaks:
      "the current profile serves the old nested models shape on the org route, so the tests prove the wrong thing (item 2)",
    file: "src/sim/chats/routes.ts",
    find: "? json(200, orgModelsJson(w))",
    replace: "? json(200, legacyModelsJson(w))",
    tests: [...MODELS_SIM, ...MODELS_E2E],
  },
  {
    id: "sim-unusable-model-accepted",
    breaks: "the sim creates a chat on a disabled model or an unavailable provider's",
    file: SIM_MODELS,
    find: "  if (why) {",
    replace: "  if (why && false) {",
    tests: MODELS_SIM,
  },
  {
    id: "sim-unknown-model-message",
    breaks:
      "the sim's 400 for an unknown model_config_id is not v2.39's 'Invalid model config ID.'",
    file: SIM_MODELS,
    find: 'if (!m) return coderError(400, "Invalid model config ID.");',
    replace: 'if (!m) return coderError(400, "Model config not found.");',
    tests: MODELS_SIM,
  },
  {
    id: "sim-default-ignored",
    breaks: "the sim's create without model_config_id does not run the organization's default",
    file: SIM_MODELS,
    find: "return usable.find((m) => m.is_default) ?? usable[0] ??",
    replace: "return usable[1] ?? usable[0] ??",
    tests: [...MODELS_SIM, ...MODELS_E2E],
  },
  {
    id: "sim-no-usable-model-creates",
    breaks: "the sim creates a chat when no model is usable, instead of v2.39's 400",
    file: SIM_MODELS,
    find: 'coderError(400, "No chat model is available in this organization.");',
    replace: "w.models[0];",
    tests: [...MODELS_SIM, ...MODELS_E2E],
  },
  {
    id: "sim-ai-gateway-ignored",
    breaks: "the sim's AI Gateway control does nothing: the 503 path is never tested (item 6)",
    file: "src/sim/server.ts",
    find: "if (!aiGateway && needsAiGateway(req.method, match.template)) return aiGatewayOff();",
    replace: "",
    tests: [...MODELS_SIM, ...MODELS_E2E],
  },
  {
    id: "ai-gateway-unexplained",
    breaks:
      "Coder's 503 'AI Gateway must be enabled' is rendered as a retryable failure, not one line naming CODER_AI_GATEWAY_ENABLED (item 6)",
    file: "src/tools/errors.ts",
    find: "if (aiGatewayOff(err)) {",
    replace: "if (aiGatewayOff(err) && err.status === 0) {",
    tests: ["tests/tools/errors_test.ts", ...MODELS_E2E],
  },
  {
    id: "chat-status-unknown-not-kept",
    breaks: "a chat status the server does not know loses its word in detail (item 6)",
    file: "src/backends/chats/state.ts",
    find: 'return { state, detail: raw || "unknown" };',
    replace: 'return { state, detail: state === "unknown" ? "unknown" : raw };',
    tests: [...MODELS_UNIT, ...MODELS_E2E],
  },
];
