/**
 * Deployment-wide Coder endpoints: build info, the current user, organizations.
 * Schemas are tolerant: extra fields pass through, optional fields may be absent or null.
 */
import { z } from "zod";
import type { CoderClient } from "./http.ts";
import { segment } from "./paths.ts";
import { shared } from "./coalesce.ts";

/** `GET /api/v2/buildinfo` (codersdk.BuildInfoResponse), the fields we read. */
export const BuildInfo = z.looseObject({
  version: z.string(),
  dashboard_url: z.string().nullish(),
  external_url: z.string().nullish(),
});
/** Build info. */
export type BuildInfo = z.infer<typeof BuildInfo>;

/** `GET /api/v2/users/{user}` (codersdk.User), the fields we read. */
export const User = z.looseObject({
  id: z.string(),
  username: z.string(),
  name: z.string().nullish(),
  email: z.string().nullish(),
});
/** A Coder user. */
export type User = z.infer<typeof User>;

/** codersdk.Organization, the fields we read. */
export const Organization = z.looseObject({
  id: z.string(),
  name: z.string(),
  display_name: z.string().nullish(),
  is_default: z.boolean().nullish(),
});
/** An organization. */
export type Organization = z.infer<typeof Organization>;

/** `GET /api/v2/buildinfo`. Needs no authentication on real Coder. */
export function getBuildInfo(client: CoderClient, signal?: AbortSignal): Promise<BuildInfo> {
  return client.get("/api/v2/buildinfo", BuildInfo, { signal });
}

/** `GET /api/v2/users/{user}`: `me`, a username or a UUID. */
export async function getUser(
  client: CoderClient,
  user = "me",
  signal?: AbortSignal,
): Promise<User> {
  return await client.get(`/api/v2/users/${segment(user, "user")}`, User, { signal });
}

/** `GET /api/v2/users/{user}/organizations`: the organizations the user belongs to. */
export async function getUserOrganizations(
  client: CoderClient,
  user = "me",
  signal?: AbortSignal,
): Promise<Organization[]> {
  const path = `/api/v2/users/${segment(user, "user")}/organizations`;
  // Concurrent reads share one request (a chat create asks for it twice, a batch of them more).
  return await shared(
    client,
    `GET ${path}`,
    `GET ${path}`,
    signal,
    (s) => client.get(path, z.array(Organization), { signal: s }),
  );
}

/**
 * `GET /api/v2/users/{user}/ai/spend` (AI Gateway, a Premium entitlement): the user's AI spend in
 * the current period and the budget that applies (`effective_budget` null: unlimited). Amounts
 * are in micro-dollars.
 */
export const AiSpend = z.looseObject({
  current_spend_micros: z.number(),
  effective_budget: z.looseObject({
    limit_source: z.string().nullish(),
    spend_limit_micros: z.number().nullish(),
  }).nullish(),
  period_start: z.string().nullish(),
  period_end: z.string().nullish(),
});
/** A user's AI spend. */
export type AiSpend = z.infer<typeof AiSpend>;

/** `GET /api/v2/users/{user}/ai/spend` (`me` by default). */
export async function getAiSpend(
  client: CoderClient,
  user = "me",
  signal?: AbortSignal,
): Promise<AiSpend> {
  return await client.get(`/api/v2/users/${segment(user, "user")}/ai/spend`, AiSpend, { signal });
}
