/**
 * The simulated AI Gateway's spend report (current profile): `GET /api/v2/users/{user}/ai/spend`
 * (reference section 11), the user's spend this month from their chats' requests, against a
 * group budget. Older profiles have no such route (404 "Route not found.").
 */
import type { ChatStore } from "./chats/store.ts";
import { findUser, type World } from "./deployment.ts";
import { json, unknownUser } from "./http.ts";
import type { Router } from "./router.ts";
import { isoZ } from "./util.ts";

/** Micro-dollars a chat request costs (the chats' cost route prices them the same way). */
export const MICROS_PER_REQUEST = 4_250;

/** The group budget every simulated user spends against, in micro-dollars ($50). */
export const BUDGET_MICROS = 50_000_000;

/** Register the spend route. */
export function registerSpend(router: Router, world: World, chats: ChatStore): void {
  router.add("GET", "/api/v2/users/{user}/ai/spend", ({ params }) => {
    const u = findUser(world, params.user);
    if (!u) return unknownUser(params.user);
    let requests = 0;
    for (const c of chats.all) if (c.owner === u) requests += c.requests;
    const now = new Date(world.clock.now());
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    return json(200, {
      user_id: u.id,
      current_spend_micros: requests * MICROS_PER_REQUEST,
      effective_budget: { limit_source: "group", spend_limit_micros: BUDGET_MICROS },
      effective_group_id: world.org.id,
      period_start: isoZ(start),
      period_end: isoZ(end),
    });
  });
}
