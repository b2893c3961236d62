/**
 * The guards of `--http` (src/transport/http.ts) as a plain request handler, in process: the
 * host names accepted (loopback, the bound host, the configured extras, IPv6 in brackets), an
 * open but silent `/healthz` (GET and HEAD), the CORS preflight and the CORS headers on every
 * answer to a browser, and a 401 that says what to send. The same guards over a real server and
 * the real MCP handler are in tests/e2e/http_e2e_test.ts.
 */
import assert from "node:assert/strict";
import { within } from "../deadline.ts";
import {
  allowedHostnames,
  bearerMatches,
  mcpHttpHandler,
  serveHttp,
} from "../../src/transport/http.ts";
import { Fleet } from "../../src/fleet/fleet.ts";
import { serverFactory } from "../../src/server.ts";

const TOKEN = "tok-secret";

/** The handler with a fake MCP endpoint that answers 200 with a header of its own. */
function handler(extra: string[] = []) {
  const served: string[] = [];
  const handle = mcpHttpHandler({
    token: TOKEN,
    allowedHosts: allowedHostnames("127.0.0.1", extra),
    mcp: (req) => {
      served.push(`${req.method} ${new URL(req.url).pathname}`);
      return Promise.resolve(
        new Response("served", { status: 202, headers: { "Mcp-Session-Id": "s1" } }),
      );
    },
  });
  return { handle, served };
}

function request(
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Request {
  return new Request(`http://127.0.0.1:8080${path}`, {
    method: init.method ?? "POST",
    headers: { host: "127.0.0.1:8080", ...init.headers },
  });
}

const AUTH = { authorization: `Bearer ${TOKEN}` };

Deno.test("http: accepted host names: loopback, the bound host unless a wildcard, extras with IPv6 in brackets", () => {
  const loopback = ["localhost", "127.0.0.1", "[::1]"];
  assert.deepEqual(allowedHostnames("0.0.0.0"), loopback);
  assert.deepEqual(allowedHostnames("::"), loopback);
  assert.deepEqual(allowedHostnames("[::]"), loopback);
  assert.deepEqual(allowedHostnames(""), loopback);
  assert.deepEqual(allowedHostnames("127.0.0.1"), loopback);
  assert.deepEqual(allowedHostnames("Box.LAN"), [...loopback, "box.lan"]);
  assert.deepEqual(allowedHostnames("fd00::1"), [...loopback, "[fd00::1]"]);
  assert.deepEqual(allowedHostnames("[fd00::2]"), [...loopback, "[fd00::2]"]);
  assert.deepEqual(
    allowedHostnames("0.0.0.0", ["fleet.example", "fd00::3", "[fd00::4]", "::1"]),
    [...loopback, "fleet.example", "[fd00::3]", "[fd00::4]"],
  );
});

Deno.test("http: a configured IPv6 host name is accepted in Host and Origin", async () => {
  const { handle, served } = handler(["fd00::3"]);
  const res = await handle(request("/mcp", {
    headers: { ...AUTH, host: "[fd00::3]:8080", origin: "http://[fd00::3]:8080" },
  }));
  assert.equal(res.status, 202);
  assert.deepEqual(served, ["POST /mcp"]);
  const other = await handle(request("/mcp", { headers: { ...AUTH, host: "[fd00::9]:8080" } }));
  assert.equal(other.status, 403);
});

Deno.test("http: /healthz answers ok to GET and headers only to HEAD, uncached, without a token", async () => {
  const { handle, served } = handler();
  for (const method of ["GET", "HEAD"]) {
    const res = await handle(request("/healthz", { method }));
    assert.equal(res.status, 200, method);
    assert.equal(res.headers.get("content-type"), "text/plain");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.equal(await res.text(), method === "GET" ? "ok\n" : "");
  }
  // Any other method there is no health check, and a GET elsewhere is not one either.
  const post = await handle(request("/healthz", { headers: AUTH }));
  assert.equal(post.status, 404);
  assert.equal(await post.text(), "Not found\n");
  const mcp = await handle(request("/mcp", { method: "GET", headers: AUTH }));
  assert.equal(await mcp.text(), "served");
  assert.deepEqual(served, ["GET /mcp"]);
  served.length = 0;
  assert.deepEqual(served, []);
});

Deno.test("http: a bad Host or Origin is refused before the token is looked at; other paths are 404", async () => {
  const { handle, served } = handler();
  const badHost = await handle(request("/mcp", { headers: { ...AUTH, host: "evil.example" } }));
  assert.equal(badHost.status, 403);
  const badOrigin = await handle(
    request("/mcp", { headers: { ...AUTH, origin: "http://evil.example" } }),
  );
  assert.equal(badOrigin.status, 403);
  const preflight = await handle(
    request("/mcp", { method: "OPTIONS", headers: { origin: "http://evil.example" } }),
  );
  assert.equal(preflight.status, 403);
  const elsewhere = await handle(request("/other", { headers: AUTH }));
  assert.equal(elsewhere.status, 404);
  assert.deepEqual(served, []);
});

Deno.test("http: a CORS preflight is 204 with the methods, headers and a cache time, and needs no token", async () => {
  const { handle, served } = handler();
  const res = await handle(
    request("/mcp", { method: "OPTIONS", headers: { origin: "http://localhost:5173" } }),
  );
  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "http://localhost:5173");
  assert.equal(res.headers.get("vary"), "Origin");
  assert.equal(res.headers.get("access-control-allow-methods"), "GET, POST, DELETE, OPTIONS");
  assert.equal(res.headers.get("allow"), "GET, POST, DELETE, OPTIONS");
  assert.equal(res.headers.get("access-control-max-age"), "600");
  const allowed = res.headers.get("access-control-allow-headers") ?? "";
  // What MCP clients send (Streamable HTTP, resumption, the 2026 era's routing headers).
  const sent = [
    "Authorization",
    "Content-Type",
    "Accept",
    "Last-Event-ID",
    "Mcp-Session-Id",
    "Mcp-Protocol-Version",
    "Mcp-Method",
    "Mcp-Name",
  ];
  assert.deepEqual(allowed.split(", ").sort(), sent.sort());
  assert.deepEqual(served, []);
});

Deno.test("http: without the token, 401 says what to send, with CORS headers a browser can read", async () => {
  const { handle, served } = handler();
  for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`]) {
    const res = await handle(request("/mcp", {
      headers: {
        origin: "http://localhost:3000",
        ...(authorization === undefined ? {} : { authorization }),
      },
    }));
    assert.equal(res.status, 401, authorization);
    assert.equal(res.headers.get("www-authenticate"), "Bearer");
    assert.equal(
      await res.text(),
      "Unauthorized: send Authorization: Bearer $CODER_FLEET_HTTP_TOKEN\n",
    );
    assert.equal(res.headers.get("access-control-allow-origin"), "http://localhost:3000");
    assert.equal(
      res.headers.get("access-control-expose-headers"),
      "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate",
    );
  }
  // No Origin, no CORS headers.
  const plain = await handle(request("/mcp"));
  assert.equal(plain.status, 401);
  assert.equal(plain.headers.get("access-control-allow-origin"), null);
  assert.deepEqual(served, []);
});

Deno.test("http: an authorised answer keeps its own status and headers, plus CORS for a browser", async () => {
  const { handle, served } = handler();
  const browser = await handle(
    request("/mcp", { headers: { ...AUTH, origin: "http://localhost:3000" } }),
  );
  assert.equal(browser.status, 202);
  assert.equal(await browser.text(), "served");
  assert.equal(browser.headers.get("mcp-session-id"), "s1");
  assert.equal(browser.headers.get("access-control-allow-origin"), "http://localhost:3000");
  assert.equal(browser.headers.get("vary"), "Origin");
  const cli = await handle(request("/mcp", { method: "DELETE", headers: AUTH }));
  assert.equal(cli.status, 202);
  assert.equal(cli.headers.get("access-control-allow-origin"), null);
  assert.deepEqual(served, ["POST /mcp", "DELETE /mcp"]);
});

Deno.test("http: the bearer token: scheme in any case, spaces around, nothing else", () => {
  for (const h of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, ` BEARER  ${TOKEN} `]) {
    assert.equal(bearerMatches(h, TOKEN), true, h);
  }
  for (const h of [null, "", TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN} x`, `Bearer x${TOKEN}`]) {
    assert.equal(bearerMatches(h, TOKEN), false, String(h));
  }
});

Deno.test("http: shutdown stops serving: the port no longer answers, and the server says it finished", async () => {
  const token = "0123456789abcdef-token";
  const server = serveHttp(
    serverFactory(new Fleet({ url: "http://127.0.0.1:9", token: "x" }), []),
    {
      host: "127.0.0.1",
      port: 0,
      token,
    },
  );
  const { port } = server.addr;
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(await health.text(), "ok\n");
  await within(server.shutdown(), "shutdown");
  await within(server.finished, "finished");
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), "no longer listening");
});
