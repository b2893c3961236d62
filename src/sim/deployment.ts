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

/** A chat model config. */
export interface SimModel {
  id: string;
  model: string;
  provider: string;
  display_name: string;
}

/** A chat model provider. */
export interface SimProvider {
  provider: string;
  available: boolean;
  unavailable_reason?: string;
  models: SimModel[];
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
  providers: SimProvider[];
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
  const providers: SimProvider[] = [
    {
      provider: "anthropic",
      available: true,
      models: [
        model(rng, "claude-sonnet-4-5", "anthropic", "Claude Sonnet 4.5"),
        model(rng, "claude-opus-4-1", "anthropic", "Claude Opus 4.1"),
      ],
    },
    {
      provider: "openai",
      available: false,
      unavailable_reason: "missing_api_key",
      models: [model(rng, "gpt-5", "openai", "GPT-5")],
    },
  ];
  return {
    profile,
    version: PROFILE_VERSIONS[profile],
    users,
    me: users[0],
    org,
    templates,
    presets,
    providers,
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

function model(rng: Rng, m: string, provider: string, display: string): SimModel {
  return { id: rng.uuid(), model: m, provider, display_name: display };
}

/** Resolve a `{user}` parameter: `me`, a username or a user UUID. */
export function findUser(world: World, ref: string): SimUser | undefined {
  if (ref === "me") return world.me;
  const lower = ref.toLowerCase();
  return world.users.find((u) => u.username.toLowerCase() === lower || u.id === lower);
}

/** All model configs, flat. */
export function allModels(world: World): SimModel[] {
  return world.providers.flatMap((p) => p.models);
}

/** Find the template that owns a version id. */
export function templateOfVersion(world: World, versionId: string): SimTemplate | undefined {
  return world.templates.find((t) => t.activeVersionId === versionId);
}
