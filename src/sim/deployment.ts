/**
 * The simulated deployment: profile, users, the organization, templates with presets, chat
 * models, and the deployment-wide routes (buildinfo, users, organizations, templates).
 */
import { SimClock } from "./clock.ts";
import { coderError, invalidUuid, json, resourceNotFound, unknownUser } from "./http.ts";
import type { Router } from "./router.ts";
import { coderLocal, isoZ, isUuid, Rng } from "./util.ts";

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

const DAY = 86_400_000;

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

/** codersdk.User. */
export function userJson(world: World, u: SimUser): Record<string, unknown> {
  const isAdmin = u === world.me;
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    email: u.email,
    avatar_url: "",
    created_at: world.time(u.createdAt),
    updated_at: world.time(u.createdAt),
    last_seen_at: world.time(world.clock.now()),
    status: "active",
    login_type: "password",
    theme_preference: "",
    organization_ids: [world.org.id],
    roles: isAdmin ? [{ name: "owner", display_name: "Owner" }] : [],
    has_ai_seat: true,
    is_service_account: false,
  };
}

/** codersdk.Organization (the recorded key set). */
export function orgJson(world: World): Record<string, unknown> {
  return {
    id: world.org.id,
    name: world.org.name,
    display_name: world.org.displayName,
    icon: "",
    description: "Builtin default organization.",
    created_at: world.time(world.org.createdAt),
    updated_at: world.time(world.org.createdAt),
    is_default: true,
  };
}

/** codersdk.Template, shaped like the recorded ones (PascalCase build-time stats). */
export function templateJson(world: World, t: SimTemplate): Record<string, unknown> {
  return {
    id: t.id,
    created_at: world.time(t.createdAt),
    updated_at: world.time(t.createdAt + DAY),
    organization_id: world.org.id,
    organization_name: world.org.name,
    organization_display_name: world.org.displayName,
    organization_icon: "",
    name: t.name,
    display_name: t.displayName,
    provisioner: "terraform",
    active_version_id: t.activeVersionId,
    active_user_count: world.users.length,
    build_time_stats: {
      delete: { P50: 24692, P95: 51709 },
      start: { P50: 22998, P95: 96603 },
      stop: t.ai ? { P50: 19971, P95: 27994 } : { P50: null, P95: null },
    },
    description: t.description,
    deprecated: false,
    deprecation_message: "",
    icon: "",
    default_ttl_ms: 0,
    activity_bump_ms: 3600000,
    autostop_requirement: { days_of_week: [], weeks: 1 },
    autostart_requirement: {
      days_of_week: ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    },
    created_by_id: world.me.id,
    created_by_name: world.me.username,
    allow_user_autostart: true,
    allow_user_autostop: true,
    allow_user_cancel_workspace_jobs: false,
    failure_ttl_ms: 0,
    time_til_dormant_ms: 0,
    time_til_dormant_autodelete_ms: 0,
    require_active_version: false,
    max_port_share_level: "public",
    cors_behavior: "simple",
    use_classic_parameter_flow: false,
  };
}

function versionJson(world: World, t: SimTemplate): Record<string, unknown> {
  return {
    id: t.activeVersionId,
    template_id: t.id,
    organization_id: world.org.id,
    name: t.versionName,
    message: "",
    created_at: world.time(t.createdAt),
    updated_at: world.time(t.createdAt),
    readme: "",
    archived: false,
    has_external_agent: false,
    created_by: { id: world.me.id, username: world.me.username, avatar_url: "", name: "" },
    job: {
      id: t.activeVersionId.replace(/^.{8}/, "0b0b0b0b"),
      status: "succeeded",
      created_at: world.time(t.createdAt),
      completed_at: world.time(t.createdAt),
      error: "",
      file_id: t.id.replace(/^.{8}/, "f11ef11e"),
      tags: { owner: "", scope: "organization" },
      type: "template_version_import",
    },
    warnings: [],
  };
}

const RICH_PARAMETERS = [
  {
    name: "AI Prompt",
    description: "Write a prompt for the agent",
    description_plaintext: "Write a prompt for the agent",
    type: "string",
    form_type: "input",
    mutable: true,
    default_value: "",
    icon: "",
    options: [],
    required: false,
    ephemeral: false,
  },
  {
    name: "system_prompt",
    display_name: "System Prompt",
    description: "System prompt for the agent (select a preset)",
    description_plaintext: "System prompt for the agent (select a preset)",
    type: "string",
    form_type: "textarea",
    mutable: false,
    default_value: "",
    icon: "",
    options: [],
    required: false,
    ephemeral: false,
  },
];

/** Register buildinfo, users, organizations and templates routes (every profile serves them). */
export function registerDeployment(router: Router, world: World): void {
  router.add("GET", "/api/v2/buildinfo", () =>
    json(200, {
      external_url: `https://github.com/coder/coder/releases/tag/${world.version}`,
      version: world.version,
      dashboard_url: world.dashboard,
      telemetry: false,
      workspace_proxy: false,
      agent_api_version: "2.6",
      provisioner_api_version: "1.9",
      upgrade_message: "",
      deployment_id: "5a1d0c5e-0000-4000-8000-5a1d0c5e0001",
      webpush_public_key: "",
    }));
  router.add("GET", "/api/v2/users/{user}", ({ params }) => {
    const u = findUser(world, params.user);
    return u ? json(200, userJson(world, u)) : unknownUser(params.user);
  });
  router.add("GET", "/api/v2/users/{user}/organizations", ({ params }) => {
    const u = findUser(world, params.user);
    return u ? json(200, [orgJson(world)]) : unknownUser(params.user);
  });
  router.add("GET", "/api/v2/organizations", () => json(200, [orgJson(world)]));
  router.add("GET", "/api/v2/organizations/{organization}", ({ params }) => {
    return orgMatches(world, params.organization) ? json(200, orgJson(world)) : resourceNotFound();
  });
  router.add("GET", "/api/v2/organizations/{organization}/templates", ({ params }) => {
    if (!orgMatches(world, params.organization)) return resourceNotFound();
    return json(200, world.templates.map((t) => templateJson(world, t)));
  });
  router.add(
    "GET",
    "/api/v2/organizations/{organization}/templates/{templatename}",
    ({ params }) => {
      if (!orgMatches(world, params.organization)) return resourceNotFound();
      const t = world.templates.find((x) => x.name === params.templatename);
      return t ? json(200, templateJson(world, t)) : resourceNotFound();
    },
  );
  router.add("GET", "/api/v2/templates", ({ query }) => {
    const q = query.get("q") ?? "";
    const aiOnly = /has-ai-task:true/i.test(q);
    const noAi = /has-ai-task:false/i.test(q);
    const list = world.templates.filter((t) => (aiOnly ? t.ai : noAi ? !t.ai : true));
    return json(200, list.map((t) => templateJson(world, t)));
  });
  router.add("GET", "/api/v2/templates/{template}", ({ params }) => {
    if (!isUuid(params.template)) return invalidUuid(params.template);
    const t = world.templates.find((x) => x.id === params.template);
    return t ? json(200, templateJson(world, t)) : resourceNotFound();
  });
  router.add("GET", "/api/v2/templateversions/{templateversion}", ({ params }) => {
    const t = versionOwner(world, params.templateversion);
    if (t instanceof Response) return t;
    return json(200, versionJson(world, t));
  });
  router.add("GET", "/api/v2/templateversions/{templateversion}/presets", ({ params }) => {
    const t = versionOwner(world, params.templateversion);
    if (t instanceof Response) return t;
    return json(200, world.presets.get(t.activeVersionId) ?? []);
  });
  router.add("GET", "/api/v2/templateversions/{templateversion}/rich-parameters", ({ params }) => {
    const t = versionOwner(world, params.templateversion);
    if (t instanceof Response) return t;
    return json(200, t.ai ? RICH_PARAMETERS : []);
  });
}

function orgMatches(world: World, ref: string): boolean {
  return ref === world.org.id || ref === world.org.name || ref === "default";
}

function versionOwner(world: World, id: string): SimTemplate | Response {
  if (!isUuid(id)) return invalidUuid(id);
  return templateOfVersion(world, id) ?? coderError(
    404,
    "Resource not found or you do not have access to this resource",
  );
}
