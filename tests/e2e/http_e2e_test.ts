/**
 * The HTTP transport: `--http 127.0.0.1:PORT`, a Bearer token required, both MCP eras served,
 * `Host` and `Origin` checked (DNS rebinding) even with a valid token, CORS preflight answered,
 * `/healthz` open but silent, binding beyond loopback only on request, clean exit on signals.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { initializeRequest, untilServing } from "./harness.ts";

const EXIT_GUARD_MS = 10_000;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A request with exactly these headers (`fetch` would replace `Host`). */
function raw(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: opts.method ?? "POST",
      path: opts.path ?? "/mcp",
      setHost: false,
      headers: { host: `127.0.0.1:${port}`, ...opts.headers },
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    // No test can hang: a request the server never answers fails.
    req.setTimeout(20_000, () => req.destroy(new Error("no answer within 20 s")));
    req.end(opts.body);
  });
}

interface Running {
  child: Deno.ChildProcess;
  port: number;
  stderr(): string;
  /** Signal it and wait (bounded) for the exit. */
  stop(signal: Deno.Signal): Promise<{ code: number; killed: boolean }>;
}

async function startHttp(
  sim: Sim,
  opts: {
    bind?: string;
    args?: string[];
    env?: Record<string, string>;
    token: string;
    /** Run it under `ulimit -n` this many descriptors. */
    ulimit?: number;
  },
): Promise<Running> {
  const port = freePort();
  const args = [
    "task",
    "-q",
    "start",
    "--http",
    `${opts.bind ?? "127.0.0.1"}:${port}`,
    ...(opts.args ?? []),
  ];
  const limited = opts.ulimit !== undefined;
  const child = new Deno.Command(limited ? "sh" : Deno.execPath(), {
    args: limited
      ? ["-c", `ulimit -n ${opts.ulimit} && exec "$0" "$@"`, Deno.execPath(), ...args]
      : args,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      CODER_URL: sim.url,
      CODER_SESSION_TOKEN: sim.token,
      CODER_FLEET_HTTP_TOKEN: opts.token,
      ...opts.env,
    },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = await untilServing(child);
  return {
    child,
    port,
    stderr: log.stderr,
    async stop(signal) {
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, EXIT_GUARD_MS);
      try {
        child.kill(signal);
      } catch { /* gone */ }
      const status = await child.status;
      clearTimeout(timer);
      return { code: status.code, killed };
    },
  };
}

const INIT_BODY = JSON.stringify(initializeRequest("r"));
const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

Deno.test("e2e http: bearer token required; modern and legacy clients served; beyond loopback on request, with a warning; SIGTERM with a client connected exits 0", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 6 });
  const httpToken = crypto.randomUUID();
  // Bound beyond loopback, which takes --http-allow-remote (without it the address is refused at
  // parsing, exit 2 with one line naming the flag: tests/config_test.ts for 0.0.0.0, [::] and
  // named hosts; that way out of the process is the one tests/e2e/cli_test.ts runs). Every check
  // below holds there too; the loopback default is the next test's.
  const s = await startHttp(sim, {
    token: httpToken,
    bind: "0.0.0.0",
    args: ["--http-allow-remote"],
  });
  const url = new URL(`http://127.0.0.1:${s.port}/mcp`);
  let open: Client | undefined;
  try {
    assert.match(s.stderr(), /WARNING.*beyond loopback/);
    assert.match(s.stderr(), new RegExp(`serving MCP on http://0\\.0\\.0\\.0:${s.port}/mcp\n`));
    const health = await raw(s.port, { method: "GET", path: "/healthz" });
    assert.equal(health.status, 200);
    const anon = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    await anon.body?.cancel();
    assert.equal(anon.status, 401);

    for (const era of ["modern", "legacy"] as const) {
      const client = new Client(
        { name: `http-${era}`, version: "1" },
        era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
      );
      await client.connect(
        new StreamableHTTPClientTransport(url, {
          requestInit: { headers: { Authorization: `Bearer ${httpToken}` } },
        }),
      );
      assert.equal((await client.listTools()).tools.length, 13, era);
      const r = await client.callTool({ name: "fleet_overview", arguments: {} });
      // deno-lint-ignore no-explicit-any
      assert.equal((r.structuredContent as any).total, 6, era);
      // An agent that writes either token into its status: both are redacted from the result.
      const [id] = sim.taskIds();
      sim.setTask(id, { status: "active", state: "idle", message: `${httpToken} ${sim.token}` });
      const g = await client.callTool({ name: "get_agent", arguments: { agent: id } });
      const all = JSON.stringify(g);
      assert.ok(!all.includes(httpToken), `bearer token in the result (${era})`);
      assert.ok(!all.includes(sim.token), `session token in the result (${era})`);
      assert.match(all, /\[redacted\] \[redacted\]/);
      // The legacy client stays connected for the shutdown below.
      if (era === "modern") await client.close();
      else open = client;
    }
    // SIGTERM while a client is connected: a clean exit, not the guard's SIGKILL.
    const { code, killed } = await s.stop("SIGTERM");
    assert.equal(killed, false, "SIGTERM ends the HTTP server with a client connected");
    assert.equal(code, 0);
  } finally {
    await s.stop("SIGTERM");
    await open?.close().catch(() => {});
    await sim.close();
  }
  assert.ok(!s.stderr().includes(sim.token) && !s.stderr().includes(httpToken));
});

Deno.test("e2e http: Host and Origin guard, bearer scheme, preflight, healthz, signals", async (t) => {
  const sim = await startSim({ profile: "tasks", tasks: 2 });
  const token = "tok-" + crypto.randomUUID();
  const s = await startHttp(sim, { token });
  const auth = { authorization: `Bearer ${token}` };
  try {
    await t.step("on loopback: where it serves, and no warning", () => {
      assert.match(
        s.stderr(),
        new RegExp(`^coder-fleet-mcp: serving MCP on http://127\\.0\\.0\\.1:${s.port}/mcp\n`),
      );
      assert.doesNotMatch(s.stderr(), /WARNING/);
    });
    await t.step("a valid request passes (the baseline of the checks below)", async () => {
      const r = await raw(s.port, { headers: { ...MCP_HEADERS, ...auth }, body: INIT_BODY });
      assert.equal(r.status, 200, r.body);
    });
    await t.step("Host: evil.example is refused even with a valid token", async () => {
      for (const host of ["evil.example", `evil.example:${s.port}`, "127.0.0.1.evil.example"]) {
        const r = await raw(s.port, {
          headers: { ...MCP_HEADERS, ...auth, host },
          body: INIT_BODY,
        });
        assert.equal(r.status, 403, host);
        assert.ok(!r.body.includes("protocolVersion"), "not served");
      }
    });
    await t.step("a Host that names no host is 403, not a 500 and a stderr line", async () => {
      const before = s.stderr();
      for (const host of ["::1", "localhost:99999", "[::1", "127.0.0.1:0x50", "a b"]) {
        const r = await raw(s.port, {
          headers: { ...MCP_HEADERS, ...auth, host },
          body: INIT_BODY,
        });
        assert.ok(r.status === 400 || r.status === 403, `${host}: ${r.status}`);
        assert.ok(!r.body.includes("protocolVersion"), "not served");
      }
      assert.equal(s.stderr(), before, "nothing logged");
    });
    await t.step("loopback Host names pass", async () => {
      for (const host of [`localhost:${s.port}`, `127.0.0.1:${s.port}`, `[::1]:${s.port}`]) {
        const r = await raw(s.port, {
          headers: { ...MCP_HEADERS, ...auth, host },
          body: INIT_BODY,
        });
        assert.equal(r.status, 200, host);
      }
    });
    await t.step("Origin: http://evil.example is refused even with a valid token", async () => {
      for (const origin of ["http://evil.example", "https://evil.example:443", "null"]) {
        const r = await raw(s.port, {
          headers: { ...MCP_HEADERS, ...auth, origin },
          body: INIT_BODY,
        });
        assert.equal(r.status, 403, origin);
      }
      const ok = await raw(s.port, {
        headers: { ...MCP_HEADERS, ...auth, origin: "http://localhost:3000" },
        body: INIT_BODY,
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers["access-control-allow-origin"], "http://localhost:3000");
    });
    await t.step("the bearer scheme is case-insensitive; a wrong token is 401", async () => {
      for (const scheme of ["bearer", "BEARER", "Bearer", "bEaReR"]) {
        const r = await raw(s.port, {
          headers: { ...MCP_HEADERS, authorization: `${scheme} ${token}` },
          body: INIT_BODY,
        });
        assert.equal(r.status, 200, scheme);
      }
      for (
        const authorization of [
          `Bearer ${token}x`,
          `Bearer ${token.slice(0, -1)}`,
          `Basic ${token}`,
          token,
          "Bearer",
          "",
        ]
      ) {
        const r = await raw(s.port, {
          headers: { ...MCP_HEADERS, authorization },
          body: INIT_BODY,
        });
        assert.equal(r.status, 401, authorization);
        assert.equal(r.headers["www-authenticate"], "Bearer");
      }
    });
    await t.step("a CORS preflight gets 204 with methods and headers, not 401", async () => {
      const r = await raw(s.port, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type, mcp-protocol-version",
        },
      });
      assert.equal(r.status, 204);
      assert.equal(r.headers["access-control-allow-origin"], "http://localhost:5173");
      assert.match(String(r.headers["access-control-allow-methods"]), /POST/);
      assert.match(String(r.headers["access-control-allow-methods"]), /DELETE/);
      const allowed = String(r.headers["access-control-allow-headers"]).toLowerCase();
      for (const h of ["authorization", "content-type", "mcp-protocol-version", "mcp-session-id"]) {
        assert.ok(allowed.includes(h), h);
      }
      const evil = await raw(s.port, {
        method: "OPTIONS",
        headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
      });
      assert.equal(evil.status, 403);
    });
    await t.step("GET /healthz answers 200 without auth and reveals nothing", async () => {
      const r = await raw(s.port, { method: "GET", path: "/healthz", headers: {} });
      assert.equal(r.status, 200);
      assert.equal(r.body.trim(), "ok");
      for (const secret of [sim.url, sim.token, token, "0.1", "coder", "admin"]) {
        assert.ok(!r.body.includes(secret), secret);
        assert.ok(!JSON.stringify(r.headers).includes(secret), secret);
      }
      const other = await raw(s.port, { method: "GET", path: "/", headers: auth });
      assert.equal(other.status, 404);
    });
  } finally {
    const { code, killed } = await s.stop("SIGINT");
    assert.equal(killed, false, "SIGINT ends the HTTP server");
    assert.equal(code, 0);
    await sim.close();
  }
  assert.ok(!s.stderr().includes(token) && !s.stderr().includes(sim.token));
});

Deno.test("e2e http: bound to IPv6 loopback, it says where it serves in a URL (the address bracketed)", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 1 });
  const s = await startHttp(sim, { token: "tok-" + crypto.randomUUID(), bind: "[::1]" });
  try {
    assert.match(s.stderr(), new RegExp(`serving MCP on http://\\[::1\\]:${s.port}/mcp\n`));
    assert.doesNotMatch(s.stderr(), /WARNING/, "::1 is loopback");
  } finally {
    const { code } = await s.stop("SIGTERM");
    assert.equal(code, 0);
    await sim.close();
  }
});

Deno.test("e2e http: under ulimit -n 256, 300 idle connections neither end the server nor lock it", async () => {
  // Issue 17: idle connections were held for ever, and at the descriptor limit an accept error
  // ended the process. Now the longest-idle connection makes room, and the server goes on.
  const sim = await startSim({ profile: "tasks", tasks: 2 });
  const token = "tok-" + crypto.randomUUID();
  const s = await startHttp(sim, { token, ulimit: 256 });
  const idle: Deno.TcpConn[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
      // Half send the start of a request and never finish it; half send nothing.
      if (i % 2 === 0) await c.write(new TextEncoder().encode("POST /mcp HTTP/1.1\r\n"));
      idle.push(c);
    }
    // Each answer within a deadline: a server that stopped accepting fails here, not by hanging.
    const health = await within(raw(s.port, { method: "GET", path: "/healthz" }), 30_000);
    assert.equal(health.status, 200);
    const r = await within(
      raw(s.port, {
        headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
        body: INIT_BODY,
      }),
      30_000,
    );
    assert.equal(r.status, 200, r.body);
    const state = await Promise.race([s.child.status.then(() => "exited"), "running"]);
    assert.equal(state, "running");
    // Accept errors are reported, a line at a time with a count, not one line each.
    const lines = s.stderr().split("\n").filter((l) => /accept/i.test(l));
    assert.ok(lines.length <= 20, `${lines.length} lines about accepting`);
    assert.doesNotMatch(s.stderr(), /Uncaught|panicked/);
  } finally {
    for (const c of idle) {
      try {
        c.close();
      } catch { /* closed by the server */ }
    }
    const { killed } = await s.stop("SIGTERM");
    assert.equal(killed, false, "SIGTERM ends it");
    await sim.close();
  }
});

/** `p`, or a failure after `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
