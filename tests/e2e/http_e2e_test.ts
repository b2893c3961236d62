/**
 * The HTTP transport: `--http 127.0.0.1:PORT`, a Bearer token required, both MCP eras served.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startSim } from "../../src/sim/server.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("e2e http: bearer token required; modern and legacy clients served", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 6 });
  const port = freePort();
  const httpToken = crypto.randomUUID();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", "--http", `127.0.0.1:${port}`],
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token, CODER_FLEET_HTTP_TOKEN: httpToken },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let err = "";
  while (!err.includes("serving MCP")) {
    const { value, done } = await reader.read();
    if (done) break;
    err += value;
  }
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  try {
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
      await client.close();
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel().catch(() => {});
    await sim.close();
  }
  assert.ok(!err.includes(sim.token) && !err.includes(httpToken));
});
