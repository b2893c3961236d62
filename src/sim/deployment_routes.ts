/**
 * The deployment-wide routes of the simulated Coder (buildinfo, users, organizations, templates,
 * template versions and presets), and the wire shapes they answer, as recorded from a real Coder.
 */
import {
  DAY,
  findUser,
  type SimTemplate,
  type SimUser,
  templateOfVersion,
  type World,
} from "./deployment.ts";
import { coderError, invalidUuid, json, resourceNotFound, unknownUser } from "./http.ts";
import type { Router } from "./router.ts";
import { isUuid } from "./util.ts";

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
