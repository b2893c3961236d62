/**
 * The CLI as a user meets it: misconfiguration is one line and exit code 2; --help; --demo.
 */
import assert from "node:assert/strict";
import { connectServer } from "./harness.ts";
import meta from "../../deno.json" with { type: "json" };

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
  const v = await run(["--version"], {});
  assert.equal(v.stdout.trim(), meta.version);
});

const SIM_LIKE = { CODER_URL: "http://127.0.0.1:9", CODER_SESSION_TOKEN: "tok-abcdefgh-1234" };

Deno.test("cli: bad settings are one line, exit 2, and never echo a password", async (t) => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    [
      "credentials in CODER_URL",
      { ...SIM_LIKE, CODER_URL: "http://admin:hunter2-pw@127.0.0.1:9" },
      [],
      /CODER_URL must not contain credentials/,
    ],
    ["a query in CODER_URL", { ...SIM_LIKE, CODER_URL: "http://127.0.0.1:9/?a=b" }, [], /query/],
    [
      "a fragment in CODER_URL",
      { ...SIM_LIKE, CODER_URL: "http://127.0.0.1:9/#x" },
      [],
      /fragment/,
    ],
    [
      "CODER_FLEET_READ_ONLY=y",
      { ...SIM_LIKE, CODER_FLEET_READ_ONLY: "y" },
      [],
      /CODER_FLEET_READ_ONLY must be 1\/true\/yes\/on or 0\/false\/no\/off/,
    ],
    ['CODER_FLEET_TOOLS=","', { ...SIM_LIKE, CODER_FLEET_TOOLS: "," }, [], /names no tool/],
    [
      "read-only with only write tools",
      { ...SIM_LIKE, CODER_FLEET_READ_ONLY: "1", CODER_FLEET_TOOLS: "send_input,delete_agents" },
      [],
      /no tool is left/,
    ],
    [
      "--read-only with only write tools (flags)",
      SIM_LIKE,
      ["--read-only", "--tools", "create_task"],
      /no tool is left/,
    ],
    [
      "a bad rate limit",
      { ...SIM_LIKE, CODER_FLEET_RATE_LIMIT: "0" },
      [],
      /CODER_FLEET_RATE_LIMIT/,
    ],
  ];
  for (const [name, env, args, re] of cases) {
    await t.step(name, async () => {
      const r = await run(args, env);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(!r.stderr.includes("hunter2-pw") && !r.stdout.includes("hunter2-pw"));
      assert.ok(!r.stderr.includes(SIM_LIKE.CODER_SESSION_TOKEN));
    });
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
  } finally {
    await client.close();
  }
});
