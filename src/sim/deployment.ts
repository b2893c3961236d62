/**
 * The simulated deployment: profile, users, the organization, templates with presets and chat
 * models. Its routes (buildinfo, users, organizations, templates) are in `deployment_routes.ts`.
 */
import { SimClock } from "./clock.ts";
import { coderLocal, isoZ, Rng } from "./util.ts";

/** Which Coder the simulator imitates. */
export type Profile = "tasks" | "chats" | "both" | "old" | "current";

/** A simulated user. */
export interface SimUser {
  id: string;
  username: string;
  name: string;
  email: string;
  createdAt: number;
}

/** A simulated template (with its one active version). */
export interface SimTemplate {
  id: string;
  name: string;
  displayName: string;
  description: string;
  ai: boolean;
  activeVersionId: string;
  versionName: string;
  createdAt: number;
}

/** A template version preset, PascalCase keys as Coder sends them. */
export interface SimPreset {
  ID: string;
  Name: string;
  Parameters: { Name: string; Value: string }[];
  Default: boolean;
  DesiredPrebuildInstances: number;
  Description: string;
  Icon: string;
}

/** A chat model config (codersdk.ChatModel as current Coder keeps it). */
export interface SimModel {
  id: string;
  /** Its provider's `id`. */
  ai_provider_id: string;
  model: string;
  display_name: string;
  enabled: boolean;
  is_default: boolean;
  context_limit: number;
  compression_threshold: number;
  /** Served as `model_config` when present (omitempty). */
  model_config?: Record<string, unknown>;
  /** Served when present (omitempty). */
  reasoning_efforts?: string[];
  createdAt: number;
}

/** A chat model provider (codersdk.ChatModelProviderDescriptor). */
export interface SimProvider {
  id: string;
  /** The provider's kind, e.g. `anthropic`. */
  type: string;
  display_name: string;
  enabled: boolean;
  has_api_key: boolean;
  available: boolean;
  /** `missing_api_key | fetch_failed | user_api_key_required` when not available. */
  unavailable_reason?: string;
}

/** Everything the stores share. */
export interface World {
  profile: Profile;
  version: string;
  users: SimUser[];
  /** The token's user (the first). */
  me: SimUser;
  org: { id: string; name: string; displayName: string; createdAt: number };
  templates: SimTemplate[];
  /** Presets by template version id. */
  presets: Map<string, SimPreset[]>;
  /** Chat model providers, and the model configs (each names its provider by id). */
  providers: SimProvider[];
  models: SimModel[];
  /** Configured providers Coder Agents cannot use (`unsupported_providers`). */
  unsupported: { provider: string; display_name: string }[];
  /** Simulated time speed factor. */
  pace: number;
  /** Dashboard URL (the sim's own URL, known once it listens). */
  dashboard: string;
  /** Format a record timestamp the way this profile's Coder does. */
  time(ms: number): string;
  /** When the sim started. */
  startedAt: number;
  /** The sim's clock: every timestamp and every paced change reads it (tests freeze it). */
  clock: SimClock;
  /** Chats that may run at once; the rest wait with `queued_for_capacity` (current profile). */
  slots: number;
}

/** Coder version each profile reports. */
export const PROFILE_VERSIONS: Record<Profile, string> = {
  tasks: "v2.34.1",
  chats: "v2.37.0",
  both: "v2.35.0",
  old: "v2.27.1",
  current: "v2.39.0",
};

/** Chats that run at once, deployment-wide (a Community licence on current Coder: 5). */
export const LICENCE_SLOTS: Record<Profile, number> = {
  tasks: Infinity,
  chats: Infinity,
  both: Infinity,
  old: Infinity,
  current: 5,
};

/** A day, ms. */
export const DAY = 86_400_000;

/** Build the deployment for a profile. */
export function buildWorld(
  profile: Profile,
  usernames: string[],
  rng: Rng,
  pace: number,
  clock: SimClock = new SimClock(),
): World {
  const now = clock.now();
  const users = usernames.map((u, i): SimUser => ({
    id: rng.uuid(),
    username: u,
    name: u.charAt(0).toUpperCase() + u.slice(1),
    email: `${u}@example.com`,
    createdAt: now - (200 - i) * DAY,
  }));
  const org = { id: rng.uuid(), name: "coder", displayName: "Coder", createdAt: now - 210 * DAY };
  const templates: SimTemplate[] = [
    tpl(rng, "claude-code", "Claude Code", "Claude Code in a dev container.", true, now - 60 * DAY),
    tpl(rng, "codex", "Codex", "OpenAI Codex CLI in a dev container.", true, now - 45 * DAY),
    tpl(rng, "docker-basic", "Docker", "A plain Docker workspace.", false, now - 120 * DAY),
  ];
  const presets = new Map<string, SimPreset[]>();
  presets.set(templates[0].activeVersionId, [
    preset(rng, "Coder", true, "You are an expert software development assistant."),
    preset(rng, "Operator", false, "You are an expert site reliability engineer."),
    preset(rng, "Researcher", false, "You are an expert research analyst."),
  ]);
  presets.set(templates[1].activeVersionId, [
    preset(rng, "Default", true, "You are a careful coding agent."),
    preset(rng, "Fast", false, "Work fast; skip optional polish."),
  ]);
  presets.set(templates[2].activeVersionId, []);
  // Chat models: a default, another usable one, one disabled, and one whose provider has no API
  // key. Older Coder lists only enabled models (see sim/chats/models.ts).
  const anthropic = provider(rng, "anthropic", "Anthropic");
  const openai = { ...provider(rng, "openai", "OpenAI"), has_api_key: false, available: false };
  openai.unavailable_reason = "missing_api_key";
  const at = now - 90 * DAY;
  const providers: SimProvider[] = [anthropic, openai];
  const models: SimModel[] = [
    {
      ...model(rng, anthropic, "claude-sonnet-4-5", "Claude Sonnet 4.5", at),
      is_default: true,
      model_config: { max_output_tokens: 64000, reasoning_effort: { default: "medium" } },
      reasoning_efforts: ["low", "medium", "high"],
    },
    model(rng, anthropic, "claude-opus-4-1", "Claude Opus 4.1", at),
    { ...model(rng, openai, "gpt-5", "GPT-5", at), context_limit: 400_000 },
    { ...model(rng, anthropic, "claude-3-5-haiku", "Claude Haiku 3.5", at), enabled: false },
  ];
  const unsupported = [{ provider: "copilot", display_name: "GitHub Copilot" }];
  return {
    profile,
    version: PROFILE_VERSIONS[profile],
    users,
    me: users[0],
    org,
    templates,
    presets,
    providers,
    models,
    unsupported,
    pace,
    clock,
    dashboard: "",
    time: profile === "old" ? coderLocal : isoZ,
    startedAt: now,
    slots: LICENCE_SLOTS[profile],
  };
}

function tpl(
  rng: Rng,
  name: string,
  displayName: string,
  description: string,
  ai: boolean,
  createdAt: number,
): SimTemplate {
  return {
    id: rng.uuid(),
    name,
    displayName,
    description,
    ai,
    activeVersionId: rng.uuid(),
    versionName: `v${rng.int(1, 9)}-${rng.hex(6)}`,
    createdAt,
  };
}

function preset(rng: Rng, name: string, isDefault: boolean, prompt: string): SimPreset {
  return {
    ID: rng.uuid(),
    Name: name,
    Parameters: [{ Name: "system_prompt", Value: prompt }],
    Default: isDefault,
    DesiredPrebuildInstances: 0,
    Description: "",
    Icon: "",
  };
}

function provider(rng: Rng, type: string, display: string): SimProvider {
  return {
    id: rng.uuid(),
    type,
    display_name: display,
    enabled: true,
    has_api_key: true,
    available: true,
  };
}

function model(rng: Rng, p: SimProvider, m: string, display: string, at: number): SimModel {
  return {
    id: rng.uuid(),
    ai_provider_id: p.id,
    model: m,
    display_name: display,
    enabled: true,
    is_default: false,
    context_limit: 200_000,
    compression_threshold: 70,
    createdAt: at,
  };
}

/** Resolve a `{user}` parameter: `me`, a username or a user UUID. */
export function findUser(world: World, ref: string): SimUser | undefined {
  if (ref === "me") return world.me;
  const lower = ref.toLowerCase();
  return world.users.find((u) => u.username.toLowerCase() === lower || u.id === lower);
}

/** All model configs, flat (the first is the default). */
export function allModels(world: World): SimModel[] {
  return world.models;
}

/** The provider of a model config. */
export function providerOf(world: World, m: SimModel): SimProvider | undefined {
  return world.providers.find((p) => p.id === m.ai_provider_id);
}

/**
 * Why a model config cannot be used, or undefined when it can: usable = enabled, and its
 * provider enabled and available (reference 9).
 */
export function unusable(world: World, m: SimModel): string | undefined {
  const p = providerOf(world, m);
  if (!m.enabled) return "the model config is disabled";
  if (!p || !p.enabled) return "the model's provider is disabled";
  if (!p.available) return `the model's provider is unavailable: ${p.unavailable_reason}`;
  return undefined;
}

/** Find the template that owns a version id. */
export function templateOfVersion(world: World, versionId: string): SimTemplate | undefined {
  return world.templates.find((t) => t.activeVersionId === versionId);
}
