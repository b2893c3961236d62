/**
 * The CLI as a user meets it: misconfiguration is one line and exit code 2; --help; --demo.
 */
import assert from "node:assert/strict";
import { connectServer } from "./harness.ts";

async function run(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", ...args],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      ...env,
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("cli: a missing CODER_URL is one line naming it, exit 2", async () => {
  const r = await run([], {});
  assert.equal(r.code, 2);
  assert.match(r.stderr, /CODER_URL is not set/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(!/at .*\.ts:\d+/.test(r.stderr), "no stack trace");
});

Deno.test("cli: a missing token is one line naming it, exit 2", async () => {
  const r = await run([], { CODER_URL: "http://127.0.0.1:9" });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /CODER_SESSION_TOKEN is not set/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});

Deno.test("cli: --help and --version", async () => {
  const h = await run(["--help"], {});
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--demo/);
  const v = await run(["--version"], {});
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

Deno.test("cli: deno task demo answers tools/list and fleet_overview", async () => {
  const { client, stderr } = await connectServer({ args: ["task", "-q", "demo"], era: "legacy" });
  try {
    const { tools } = await client.listTools();
    assert.equal(tools.length, 13);
    const r = await client.callTool({ name: "fleet_overview", arguments: {} });
    // deno-lint-ignore no-explicit-any
    const data = r.structuredContent as any;
    // 1000 simulated agents, less the archived chats that Coder hides from its lists.
    assert.ok(data.total > 900 && data.total <= 1000, String(data.total));
    assert.deepEqual(data.backends.map((b: { kind: string }) => b.kind).sort(), ["chat", "task"]);
    assert.match(stderr(), /DEMO MODE/);
  } finally {
    await client.close();
  }
});
