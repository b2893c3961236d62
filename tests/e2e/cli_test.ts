/**
 * The CLI as a user meets it: misconfiguration is one line and exit code 2; --help; --demo.
 *
 * Each spawn here covers one way out of src/main.ts: parseArgs refusing (a missing URL), parseArgs
 * answering on stdout (--help), main.ts's own checks (no tool left, an unknown tool), a port it
 * cannot listen on (exit 1), the FIFO, and serving (--demo).
 * Which setting parseArgs refuses, with what line, is tests/config_test.ts's (every variable and
 * flag, the version, that a password or token is never echoed); the refusal of a CODER_URL with
 * credentials, a query or a fragment, seen from outside the process (stdout, stderr, exit code),
 * is tests/e2e/secrets_test.ts's.
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
    // stdin is at EOF: the server exits at once. One that does not is killed, and fails.
    signal: AbortSignal.timeout(30_000),
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
  assert.equal(r.stdout, "");
});

Deno.test("cli: a token with an emoji, or a CODER_URL with port 0, is one line, exit 2", async () => {
  const token = "abcdefgh-\u{1F600}-SECRETPART";
  const t = await run([], { CODER_URL: "https://coder.example.com", CODER_SESSION_TOKEN: token });
  assert.equal(t.code, 2, t.stderr);
  assert.match(t.stderr, /CODER_SESSION_TOKEN/);
  assert.equal(t.stderr.trim().split("\n").length, 1, t.stderr);
  assert.ok(!t.stderr.includes("SECRETPART"), "the token is not printed");
  const p = await run([], {
    CODER_URL: "http://127.0.0.1:0",
    CODER_SESSION_TOKEN: "abcdefgh-12345678",
  });
  assert.equal(p.code, 2, p.stderr);
  assert.match(p.stderr, /CODER_URL .*port 0/);
  assert.equal(p.stderr.trim().split("\n").length, 1, p.stderr);
});

Deno.test("cli: --help on stdout, exit 0, under the start task's scoped --allow-env", async () => {
  const h = await run(["--help"], {});
  assert.equal(h.code, 0, h.stderr);
  for (
    const s of [
      "--demo",
      "--http-allow-remote",
      "--rate-limit",
      "--max-response-mb",
      "CODER_FLEET_RATE_LIMIT",
      "CODER_FLEET_MAX_RESPONSE_MB",
      "CODER_FLEET_HTTP_ALLOW_REMOTE",
      "--allow-read=.env",
    ]
  ) assert.ok(h.stdout.includes(s), s);
  // The task grants exactly ENV_VARS (tests/env_test.ts): reading any other variable, or the
  // whole environment, would be refused here (no TTY, so no prompt) and show on stderr.
  assert.doesNotMatch(h.stderr, /NotCapable|Requires env access/);
  assert.match(h.stdout, /Usage: coder-fleet-mcp/);
});

const SIM_LIKE = { CODER_URL: "http://127.0.0.1:9", CODER_SESSION_TOKEN: "tok-abcdefgh-1234" };

Deno.test("cli: settings that leave no tool, or name one that does not exist, are one line, exit 2, from the environment", async () => {
  // Both variables reach the server through the task's grant, and main.ts's own check (not the
  // parser's) refuses: the one exit-2 path outside parseArgs.
  const r = await run([], {
    ...SIM_LIKE,
    CODER_FLEET_READ_ONLY: "1",
    CODER_FLEET_TOOLS: "send_input,delete_agents",
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^coder-fleet-mcp: no tool is left to serve: CODER_FLEET_TOOLS with read-only mode selects none/,
  );
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(!r.stderr.includes(SIM_LIKE.CODER_SESSION_TOKEN));
  assert.equal(r.stdout, "");
  const u = await run([], { ...SIM_LIKE, CODER_FLEET_TOOLS: "fleet_overview,no_such_tool" });
  assert.equal(u.code, 2, u.stderr);
  assert.match(
    u.stderr,
    /^coder-fleet-mcp: CODER_FLEET_TOOLS names unknown tools: no_such_tool \(known: /,
  );
  assert.equal(u.stderr.trim().split("\n").length, 1, u.stderr);
  assert.equal(u.stdout, "");
});

Deno.test("cli: --http on a port already taken is one line naming it, exit 1", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = taken.addr as Deno.NetAddr;
    const r = await run(["--http", `127.0.0.1:${port}`], {
      ...SIM_LIKE,
      CODER_FLEET_HTTP_TOKEN: "http-token-0123456789",
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^coder-fleet-mcp: cannot listen on 127\\.0\\.0\\.1:${port}: `),
    );
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.equal(r.stdout, "");
  } finally {
    taken.close();
  }
});

Deno.test("cli: a FIFO named .env does not hang startup", async () => {
  const dir = new TextDecoder().decode(
    (await new Deno.Command("mktemp", { args: ["-d"], stdout: "piped" }).output()).stdout,
  ).trim();
  try {
    assert.equal((await new Deno.Command("mkfifo", { args: [`${dir}/.env`] }).output()).code, 0);
    const root = new URL("../../", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--config=${root}deno.json`, `${root}src/main.ts`],
      cwd: dir,
      env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/tmp", ...SIM_LIKE },
      clearEnv: true,
      stdin: "null", // stdio transport: stdin at EOF, so a healthy server exits at once
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let killed = false;
    const guard = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, 10_000);
    const out = await child.output();
    clearTimeout(guard);
    assert.equal(killed, false, "startup hung on the FIFO");
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  } finally {
    await new Deno.Command("rm", { args: ["-rf", dir] }).output();
  }
});

Deno.test("cli: deno task demo answers tools/list and fleet_overview", async () => {
  const { client, stderr } = await connectServer({ args: ["task", "-q", "demo"], era: "legacy" });
  try {
    const { tools } = await client.listTools();
    assert.equal(tools.length, 13);
    const r = await client.callTool({ name: "fleet_overview", arguments: {} });
    // deno-lint-ignore no-explicit-any
    const data = r.structuredContent as any;
    // About 1000 agents once Coder hides the archived chats: a current Coder (v2.39), chats only.
    assert.ok(data.total > 900 && data.total <= 1100, String(data.total));
    assert.deepEqual(data.backends.map((b: { kind: string }) => b.kind), ["chat"]);
    assert.equal(data.coder.version, "v2.39.0");
    assert.match(stderr(), /DEMO MODE/);
    // What a v2.39 user sees: mostly its own chats, a few of other owners' shared with it.
    const owners = Object.entries(data.by_owner as Record<string, number>);
    const mine = data.by_owner[data.coder.user] as number;
    const others = owners.filter(([o]) => o !== data.coder.user).map(([, n]) => n);
    assert.ok(others.length >= 1, JSON.stringify(data.by_owner));
    assert.ok(others.every((n) => n * 5 < mine), JSON.stringify(data.by_owner));
    assert.ok(data.by_state.starting > 0 || data.capacity.running > 5, "the licence queue");
  } finally {
    await client.close();
  }
});
