/**
 * The stdio transport as a client meets it, with raw bytes on the wire: an oversized message and
 * garbage get JSON-RPC errors and the session goes on; closing stdin ends the process (exit 0);
 * SIGINT and SIGTERM end it cleanly too.
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import { connectServer, initializeRequest } from "./harness.ts";

/** Generous guards: the test fails instead of hanging when the server goes silent. */
const READ_GUARD_MS = 60_000;
const EXIT_GUARD_MS = 10_000;

/** `p`, or a failure once the read guard has passed. */
async function guarded<T>(p: Promise<T>, why: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(why())), READ_GUARD_MS);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

interface Spawned {
  child: Deno.ChildProcess;
  send(line: string | Uint8Array): Promise<void>;
  /** The next JSON line from stdout. */
  next(): Promise<Record<string, unknown>>;
  closeStdin(): Promise<void>;
  /** Wait for the exit; kill after the guard. Returns the code and whether it was killed. */
  exit(): Promise<{ code: number; killed: boolean }>;
  stderr(): string;
}

/** Spawn the server; `readStderr: false` leaves its stderr pipe unread, as some clients do. */
function spawnServer(env: Record<string, string>, readStderr = true): Spawned {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start"],
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/tmp", ...env },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let err = "";
  if (readStderr) {
    (async () => {
      for await (const t of child.stderr.pipeThrough(new TextDecoderStream())) err += t;
    })().catch(() => {});
  }
  return {
    child,
    async send(line) {
      const bytes = typeof line === "string" ? new TextEncoder().encode(line) : line;
      await guarded(writer.write(bytes), () => `the server stopped reading stdin; stderr: ${err}`);
      await guarded(writer.write(new Uint8Array([0x0a])), () => "the server stopped reading");
    },
    async next() {
      while (!buf.includes("\n")) {
        const r = await guarded(lines.read(), () => `no answer; stderr: ${err}`);
        if (r.done) throw new Error(`stdout closed; stderr: ${err}`);
        buf += r.value;
      }
      const i = buf.indexOf("\n");
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      return JSON.parse(line);
    },
    async closeStdin() {
      await writer.close();
    },
    async exit() {
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, EXIT_GUARD_MS);
      const status = await child.status;
      clearTimeout(timer);
      await lines.cancel().catch(() => {});
      return { code: status.code, killed };
    },
    stderr: () => err,
  };
}

const INIT = JSON.stringify(initializeRequest("raw"));

Deno.test("e2e stdio: oversized and malformed messages get JSON-RPC errors; the session goes on; stdin EOF exits 0", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 4 });
  const s = spawnServer({ CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token });
  try {
    await s.send(INIT);
    const init = await s.next();
    assert.equal(init.id, 1);
    assert.ok(init.result, JSON.stringify(init));
    await s.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));

    // An 11 MiB request: refused with an error that names its id, not the end of the session.
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "send_input", arguments: { agents: ["x"], input: "a".repeat(11 << 20) } },
    });
    await s.send(huge);
    const tooBig = await s.next();
    // deno-lint-ignore no-explicit-any
    assert.equal((tooBig.error as any)?.code, -32600, JSON.stringify(tooBig));
    assert.equal(tooBig.id, 2);
    // deno-lint-ignore no-explicit-any
    assert.match((tooBig.error as any).message, /too large/i);

    // Raw bytes that are neither UTF-8 nor JSON.
    await s.send(new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0x80, 0x7d]));
    const garbage = await s.next();
    // deno-lint-ignore no-explicit-any
    assert.equal((garbage.error as any)?.code, -32700, JSON.stringify(garbage));
    assert.equal(garbage.id, null);

    // JSON that is no JSON-RPC message.
    await s.send('{"hello":"world"}');
    const invalid = await s.next();
    // deno-lint-ignore no-explicit-any
    assert.equal((invalid.error as any)?.code, -32600, JSON.stringify(invalid));

    // And the session still serves.
    await s.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }));
    const list = await s.next();
    assert.equal(list.id, 3);
    // deno-lint-ignore no-explicit-any
    assert.equal((list.result as any).tools.length, 13);
    await s.send(JSON.stringify({
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "fleet_overview", arguments: {} },
    }));
    const overview = await s.next();
    assert.equal(overview.id, 4);
    // deno-lint-ignore no-explicit-any
    assert.equal((overview.result as any).structuredContent.total, 4);

    await s.closeStdin();
    const { code, killed } = await s.exit();
    assert.equal(killed, false, "the process exits by itself when stdin closes");
    assert.equal(code, 0);
    assert.ok(!s.stderr().includes(sim.token));
  } finally {
    try {
      s.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await s.child.status;
    await sim.close();
  }
});

Deno.test("e2e stdio: 3,000 malformed lines with stderr never read do not freeze the server", async () => {
  // Issue 17: each bad line was logged with a blocking write to stderr; a client that never
  // reads stderr filled the pipe, and the next log line froze the whole process.
  const sim = await startSim({ profile: "tasks", tasks: 2 });
  const s = spawnServer({ CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token }, false);
  try {
    await s.send(INIT);
    assert.equal((await s.next()).id, 1);
    const bad = Array.from({ length: 3000 }, (_, i) => `{malformed line ${i}}`).join("\n");
    await s.send(bad);
    for (let i = 0; i < 3000; i++) {
      // deno-lint-ignore no-explicit-any
      assert.equal(((await s.next()).error as any)?.code, -32700);
    }
    await s.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }));
    const list = await s.next();
    assert.equal(list.id, 3);
    // deno-lint-ignore no-explicit-any
    assert.equal((list.result as any).tools.length, 13);
  } finally {
    try {
      s.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await s.child.status;
    await s.child.stderr.cancel().catch(() => {});
    await sim.close();
  }
});

Deno.test("e2e stdio: an oversized call from the official client (id after params) gets its error at once", async () => {
  // The official client writes the id last: the error used to carry id null, and the client
  // waited for its own timeout.
  const sim = await startSim({ pace: 20, frozen: true, profile: "tasks", tasks: 2 });
  const { client } = await connectServer({
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token },
  });
  try {
    await assert.rejects(
      client.callTool(
        { name: "send_input", arguments: { agents: ["x"], input: "a".repeat(5 << 20) } },
        { timeout: READ_GUARD_MS },
      ),
      (e: Error) => /too large/i.test(e.message),
    );
    const r = await client.callTool({ name: "fleet_overview", arguments: {} });
    assert.equal((r.structuredContent as { total: number }).total, 2, "the session goes on");
  } finally {
    await client.close();
    await sim.close();
  }
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`e2e stdio: ${signal} ends the process cleanly with exit 0`, async () => {
    const sim = await startSim({ profile: "tasks", tasks: 1 });
    const s = spawnServer({ CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token });
    try {
      await s.send(INIT);
      assert.equal((await s.next()).id, 1);
      s.child.kill(signal);
      const { code, killed } = await s.exit();
      assert.equal(killed, false);
      assert.equal(code, 0);
    } finally {
      try {
        s.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await s.child.status;
      await sim.close();
    }
  });
}

Deno.test("e2e stdio: the SDK's own stdio transport (modern era, its discover probe on a sibling process) connects and calls", async () => {
  // Every other e2e test probes in place (harness InPlaceStdioTransport): one process each. This
  // is the path an official client takes with the SDK's own class: a first process is asked
  // `server/discover` and killed, then the session's process starts.
  const sim = await startSim({ pace: 20, frozen: true, profile: "tasks", tasks: 3 });
  const { client, stderr } = await connectServer({
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token },
    probe: "sibling",
  });
  try {
    assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
    const r = await client.callTool({ name: "fleet_overview", arguments: {} });
    assert.ok(!r.isError, stderr());
    assert.equal((r.structuredContent as { total: number }).total, 3);
  } finally {
    await client.close();
    await sim.close();
  }
});
