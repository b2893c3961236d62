/**
 * Detection (`fleet/detect.ts`) against a local Coder of the test's making: which APIs it serves
 * and where, what forcing one does, and every failure said with what to do next.
 */
import assert from "node:assert/strict";
import { CoderClient, CoderError } from "../../src/coder/http.ts";
import { detect, explainConnectError } from "../../src/fleet/detect.ts";
import { FleetError } from "../../src/model/backend.ts";
import { json, type LocalServer, serve } from "../coder/local_server.ts";

const ME = { id: "11111111-1111-4111-8111-111111111111", username: "alice" };
const ROUTE_NOT_FOUND = () => json(404, { message: "Route not found." });

/**
 * A Coder with build info, the caller, and the list routes `lists` answers (by path, e.g.
 * `/api/v2/tasks`); any other path is Coder's "Route not found.".
 */
function coder(
  lists: Record<string, () => Response>,
  info: Record<string, unknown> = { version: "v2.39.0" },
): LocalServer {
  return serve((req) => {
    const p = new URL(req.url).pathname;
    if (p === "/api/v2/buildinfo") return json(200, info);
    if (p === "/api/v2/users/me") return json(200, ME);
    return lists[p]?.() ?? ROUTE_NOT_FOUND();
  });
}

async function detected(s: LocalServer, force: "auto" | "tasks" | "chats" = "auto") {
  return await detect(new CoderClient({ url: s.url, token: "tok", retries: 0 }), force);
}

const OK = () => json(200, []);

Deno.test("detect: both APIs, each at the first prefix that has it", async () => {
  const s = coder({ "/api/v2/tasks": OK, "/api/experimental/chats": OK }, {
    version: "v2.30.0",
    dashboard_url: "https://dash.example.com//",
  });
  try {
    const d = await detected(s);
    assert.deepEqual(d.backends.map((b) => [b.kind, b.prefix]), [
      ["task", "/api/v2"],
      ["chat", "/api/experimental"],
    ]);
    assert.equal(d.version, "v2.30.0");
    assert.equal(d.me.username, "alice");
    assert.equal(d.url, s.url);
    assert.equal(d.dashboardUrl, "https://dash.example.com", "no trailing slashes");
    // The probes: each API's list route, /api/v2 first.
    const probes = s.seen.filter((q) => /\/(tasks|chats)$/.test(q.path)).map((q) => q.path);
    assert.deepEqual(probes.sort(), [
      "/api/experimental/chats",
      "/api/v2/chats",
      "/api/v2/tasks",
    ]);
    // Each asks for next to nothing: the caller's pending tasks; archived chats of a title no one
    // gives (a probe must not list a fleet of thousands).
    const qs = s.seen.filter((q) => /\/(tasks|chats)$/.test(q.path)).map((q) =>
      `${q.path.replace(/.*\//, "")} ${new URLSearchParams(q.search).get("q")}`
    );
    assert.deepEqual([...new Set(qs)].sort(), [
      "chats archived:true title:__coder_fleet_probe__",
      "tasks owner:me status:pending",
    ]);
  } finally {
    await s.close();
  }
});

Deno.test("detect: a 400 to a probe (an older Coder refusing the query) still proves the route", async () => {
  const bad = () => json(400, { message: "Invalid query." });
  const s = coder({ "/api/v2/tasks": bad, "/api/v2/chats": bad });
  try {
    const d = await detected(s);
    assert.deepEqual(d.backends.map((b) => [b.kind, b.prefix]), [
      ["task", "/api/v2"],
      ["chat", "/api/v2"],
    ]);
    assert.equal(s.seen.some((q) => q.path.startsWith("/api/experimental")), false);
  } finally {
    await s.close();
  }
});

Deno.test("detect: no dashboard URL in the build info: links use CODER_URL", async () => {
  const s = coder({ "/api/v2/tasks": OK }, { version: "v2.30.0", dashboard_url: "" });
  try {
    assert.equal((await detected(s)).dashboardUrl, s.url);
  } finally {
    await s.close();
  }
});

Deno.test("detect: forcing one back end probes only it", async () => {
  const s = coder({ "/api/v2/tasks": OK, "/api/v2/chats": OK });
  try {
    const d = await detected(s, "chats");
    assert.deepEqual(d.backends.map((b) => b.kind), ["chat"]);
    assert.equal(s.seen.some((q) => q.path.endsWith("/tasks")), false, "tasks not probed");
    assert.deepEqual((await detected(s, "tasks")).backends.map((b) => b.kind), ["task"]);
  } finally {
    await s.close();
  }
});

Deno.test("detect: no API at all, or not the one forced: said, with what to do", async () => {
  const s = coder({ "/api/v2/tasks": OK }, { version: "v2.20.0" });
  try {
    const none = coder({}, { version: "v2.20.0" });
    try {
      await assert.rejects(detected(none), (e) =>
        e instanceof FleetError &&
        e.message ===
          `Coder v2.20.0 at ${none.url} serves neither the Tasks API nor the Chats API.` &&
        e.next === "Enable Coder Tasks or Coder Agents on the deployment, or check CODER_URL.");
    } finally {
      await none.close();
    }
    // Forced to an API it lacks: it does not serve it (not "serves the chats API").
    await assert.rejects(detected(s, "chats"), (e) =>
      e instanceof FleetError &&
      e.message === `Coder v2.20.0 at ${s.url} does not serve the Chats API.` &&
      e.next === "Unset CODER_FLEET_BACKEND (auto) or set it to the API this deployment has.");
    const chats = coder({ "/api/v2/chats": OK }, { version: "v2.40.0" });
    try {
      await assert.rejects(detected(chats, "tasks"), (e) =>
        e instanceof FleetError &&
        e.message === `Coder v2.40.0 at ${chats.url} does not serve the Tasks API.`);
    } finally {
      await chats.close();
    }
  } finally {
    await s.close();
  }
});

Deno.test("detect: a probe that fails otherwise fails detection, explained", async () => {
  const s = coder({ "/api/v2/tasks": () => json(500, { message: "Internal error." }) });
  try {
    await assert.rejects(
      detected(s),
      (e) =>
        e instanceof FleetError && /Coder answered 500 to GET \/api\/v2\/tasks/.test(e.message) &&
        e.next === "Check CODER_URL, then call the tool again.",
    );
  } finally {
    await s.close();
  }
});

Deno.test("explainConnectError: each kind of failure, and what to do next", () => {
  const url = "https://coder.example.com";
  const err = (
    kind: CoderError["kind"],
    more: Partial<ConstructorParameters<typeof CoderError>[0]> = {},
  ) =>
    explainConnectError(
      new CoderError({ status: 0, route: "GET /api/v2/buildinfo", kind, ...more }),
      url,
    );
  const said = (e: Error) =>
    e instanceof FleetError ? `${e.message} | ${e.next}` : `raw: ${e.message}`;
  assert.equal(
    said(err("http", { status: 403 })),
    `Coder at ${url} refused access (403): forbidden. | Use a token of a user who may see tasks or chats.`,
  );
  assert.equal(
    said(err("http", { status: 403, coderMessage: "Not allowed." })),
    `Coder at ${url} refused access (403): Not allowed. | Use a token of a user who may see tasks or chats.`,
  );
  assert.match(
    said(err("http", { status: 401 })),
    /rejected the session token \(401\)\. \| Set CODER_SESSION_TOKEN/,
  );
  assert.match(
    said(err("timeout")),
    /^Cannot reach Coder at https:\/\/coder\.example\.com: Coder did not answer .* in time.* \| Check CODER_URL and the network, then call the tool again\.$/,
  );
  assert.match(
    said(err("network")),
    /^Cannot reach Coder at .* \| Check CODER_URL and the network/,
  );
  assert.match(
    said(err("redirect", { status: 302 })),
    /redirect \(302\).* \| Set CODER_URL to the address Coder really answers at/,
  );
  assert.match(
    said(err("budget")),
    /time budget \| Call the tool again later, as the message says\.$/,
  );
  assert.match(
    said(err("parse", { status: 200 })),
    /not understood \| Check CODER_URL, then call the tool again\.$/,
  );
  assert.match(
    said(err("http", { status: 500 })),
    /^Coder answered 500 .* \| Check CODER_URL, then call the tool again\.$/,
  );
  // Not a Coder failure: passed on as it is.
  const other = new TypeError("boom");
  assert.equal(explainConnectError(other, url), other);
});
