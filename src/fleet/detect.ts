/**
 * Back-end detection: `GET /api/v2/buildinfo` and the current user, then a probe of each API's list
 * route, first under `/api/v2`, then under `/api/experimental`. A 404 whose message is
 * "Route not found." means that API is off or gone at that prefix. When both APIs answer, the
 * fleet is their union. `CODER_FLEET_BACKEND=tasks|chats` forces one.
 */
import { z } from "zod";
import { type BuildInfo, getBuildInfo, getUser, type User } from "../coder/deployment.ts";
import { type CoderClient, CoderError } from "../coder/http.ts";
import type { AgentKind } from "../model/agent.ts";
import { type Backend, type BackendContext, FleetError } from "../model/backend.ts";
import { ChatsBackend } from "../backends/chats/backend.ts";
import { TasksBackend } from "../backends/tasks/backend.ts";

/** What detection found. */
export interface Deployment {
  /** Coder's base URL (API). */
  url: string;
  /** Dashboard URL for links. */
  dashboardUrl: string;
  version: string;
  me: User;
  backends: Backend[];
}

const PREFIXES = ["/api/v2", "/api/experimental"] as const;

const PROBES: Record<AgentKind, { path: string; query: Record<string, string> }> = {
  task: { path: "/tasks", query: { q: "owner:me status:pending" } },
  chat: { path: "/chats", query: { q: "archived:true title:__coder_fleet_probe__" } },
};

/** Probe one API: the first prefix whose list route exists, or undefined when none does. */
export async function probe(
  client: CoderClient,
  kind: AgentKind,
  signal?: AbortSignal,
): Promise<string | undefined> {
  for (const prefix of PREFIXES) {
    try {
      // The answer must be JSON: a proxy's 200 login page proves nothing.
      await client.request("GET", prefix + PROBES[kind].path, {
        query: PROBES[kind].query,
        schema: z.unknown(),
        signal,
      });
      return prefix;
    } catch (err) {
      // "Route not found." is Coder's answer; any 404 (a proxy's, say) means absent too.
      if (err instanceof CoderError && err.kind === "http" && err.status === 404) continue;
      // A 400 (an older server rejecting our q) still proves the route exists.
      if (err instanceof CoderError && err.kind === "http" && err.status === 400) return prefix;
      throw err;
    }
  }
  return undefined;
}

/** Detect the deployment. Throws FleetError with a next step when Coder cannot be used. */
export async function detect(
  client: CoderClient,
  force: "auto" | "tasks" | "chats",
  now: () => number = Date.now,
  signal?: AbortSignal,
): Promise<Deployment> {
  const kinds: AgentKind[] = force === "tasks" ? ["task"] : force === "chats" ? ["chat"] : [
    "task",
    "chat",
  ];
  let info: BuildInfo, me: User, prefixes: (string | undefined)[];
  try {
    [info, me, ...prefixes] = await Promise.all([
      getBuildInfo(client, signal),
      getUser(client, "me", signal),
      ...kinds.map((k) => probe(client, k, signal)),
    ]) as [BuildInfo, User, ...(string | undefined)[]];
  } catch (err) {
    throw explainConnectError(err, client.url);
  }
  const dashboardUrl = (info.dashboard_url || client.url).replace(/\/+$/, "");
  const ctx: BackendContext = {
    client,
    prefix: "",
    dashboardUrl,
    me: { id: me.id, username: me.username },
    now,
    version: info.version,
  };
  const backends: Backend[] = [];
  kinds.forEach((kind, i) => {
    const prefix = prefixes[i];
    if (!prefix) return;
    const c = { ...ctx, prefix };
    backends.push(kind === "task" ? new TasksBackend(c) : new ChatsBackend(c));
  });
  if (backends.length === 0) {
    const lacks = force === "auto"
      ? "serves neither the Tasks API nor the Chats API"
      : `does not serve the ${force === "tasks" ? "Tasks" : "Chats"} API`;
    throw new FleetError(
      `Coder ${info.version} at ${client.url} ${lacks}.`,
      force === "auto"
        ? "Enable Coder Tasks or Coder Agents on the deployment, or check CODER_URL."
        : "Unset CODER_FLEET_BACKEND (auto) or set it to the API this deployment has.",
    );
  }
  return { url: client.url, dashboardUrl, version: info.version, me, backends };
}

/** Turn a connection-time failure into an actionable FleetError (never mentions the token). */
export function explainConnectError(err: unknown, url: string): Error {
  if (!(err instanceof CoderError)) return err as Error;
  if (err.kind === "http" && err.status === 401) {
    return new FleetError(
      `Coder at ${url} rejected the session token (401).`,
      "Set CODER_SESSION_TOKEN to a valid token (`coder tokens create`) and restart the server.",
    );
  }
  if (err.kind === "http" && err.status === 403) {
    return new FleetError(
      `Coder at ${url} refused access (403): ${
        (err.coderMessage ?? "forbidden").replace(/\.$/, "")
      }.`,
      "Use a token of a user who may see tasks or chats.",
    );
  }
  if (err.kind === "network" || err.kind === "timeout") {
    return new FleetError(
      `Cannot reach Coder at ${url}: ${err.summary}`,
      "Check CODER_URL and the network, then call the tool again.",
    );
  }
  if (err.kind === "redirect") {
    return new FleetError(
      err.summary,
      "Set CODER_URL to the address Coder really answers at, then restart the server.",
    );
  }
  if (err.kind === "budget") {
    return new FleetError(err.summary, "Call the tool again later, as the message says.");
  }
  return new FleetError(err.summary, "Check CODER_URL, then call the tool again.");
}
