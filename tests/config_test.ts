import assert from "node:assert/strict";
import { ENV_VARS, HELP, parseArgs, readDotEnv, VERSION } from "../src/config.ts";
import meta from "../deno.json" with { type: "json" };

const ENV = { CODER_URL: "https://coder.example.com/", CODER_SESSION_TOKEN: "abcdefgh-12345678" };

Deno.test("config: env gives a run config, URL trimmed of its slash", () => {
  const r = parseArgs([], ENV);
  assert.equal(r.kind, "run");
  if (r.kind !== "run") return;
  assert.equal(r.config.url, "https://coder.example.com");
  assert.equal(r.config.token, "abcdefgh-12345678");
  assert.equal(r.config.backend, "auto");
  assert.equal(r.config.readOnly, false);
  assert.equal(r.config.tools, undefined);
  assert.equal(r.config.http, undefined);
});

Deno.test("config: flags win over env, env wins over .env", () => {
  const r = parseArgs(
    ["--url", "http://127.0.0.1:9", "--backend=chats", "--read-only", "--tools", "a, b"],
    { ...ENV, CODER_FLEET_BACKEND: "tasks" },
    { CODER_URL: "http://dotenv", CODER_FLEET_READ_ONLY: "0", CODER_FLEET_TOOLS: "x" },
  );
  assert.equal(r.kind, "run");
  if (r.kind !== "run") return;
  assert.equal(r.config.url, "http://127.0.0.1:9");
  assert.equal(r.config.backend, "chats");
  assert.equal(r.config.readOnly, true);
  assert.deepEqual(r.config.tools, ["a", "b"]);
  const d = parseArgs([], {}, { ...ENV, CODER_FLEET_READ_ONLY: "true" });
  assert.equal(d.kind === "run" && d.config.readOnly, true);
  const e = parseArgs([], { CODER_URL: "http://real" }, { ...ENV });
  assert.equal(e.kind === "run" && e.config.url, "http://real");
});

Deno.test("config: missing or bad settings exit 2 with one line naming the variable", async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [[], { CODER_SESSION_TOKEN: "abcdefgh-1" }, /CODER_URL is not set/],
    [[], { CODER_URL: "ftp://x", CODER_SESSION_TOKEN: "abcdefgh-1" }, /CODER_URL is not an http/],
    [[], { CODER_URL: "http://x" }, /CODER_SESSION_TOKEN is not set/],
    [[], { CODER_URL: "http://x", CODER_SESSION_TOKEN: "   " }, /CODER_SESSION_TOKEN is not set/],
    [[], { ...ENV, CODER_FLEET_BACKEND: "both" }, /CODER_FLEET_BACKEND must be/],
    [["--token", "abc"], ENV, /never a flag/],
    [["--bogus"], ENV, /unknown argument "--bogus" \(see --help\)/],
    [["--http", "x:y"], ENV, /--http takes/],
    [["--http", "8080"], ENV, /CODER_FLEET_HTTP_TOKEN/],
  ];
  for (const [args, env, re] of cases) {
    await t.step(re.source, () => {
      const r = parseArgs(args, env);
      assert.equal(r.kind, "exit");
      if (r.kind !== "exit") return;
      assert.equal(r.code, 2);
      assert.match(r.err!, re);
      assert.equal(r.err!.split("\n").length, 1);
      assert.ok(!r.err!.includes("abcdefgh"), "the token never appears in an error");
    });
  }
});

Deno.test("config: CODER_FLEET_HTTP_TOKEN needs 16 characters: 15 exits 2, 16 runs", () => {
  for (const token of ["", "x", "0123456789abcde"]) {
    const r = parseArgs(["--http", "8765"], { ...ENV, CODER_FLEET_HTTP_TOKEN: token });
    assert.equal(r.kind, "exit", `a token of ${token.length} characters`);
    if (r.kind !== "exit") continue;
    assert.equal(r.code, 2);
    assert.match(r.err!, /CODER_FLEET_HTTP_TOKEN \(at least 16 characters\)/);
    assert.ok(token === "" || !r.err!.includes(token), "the token is not echoed");
  }
  const ok = parseArgs(["--http", "8765"], { ...ENV, CODER_FLEET_HTTP_TOKEN: "0123456789abcdef" });
  assert.equal(ok.kind, "run");
});

Deno.test("config: --demo needs no URL or token; --http binds 127.0.0.1 by default", () => {
  const r = parseArgs(["--demo"], {});
  assert.equal(r.kind === "run" && r.config.demo, true);
  const h = parseArgs(["--http", "8765"], { ...ENV, CODER_FLEET_HTTP_TOKEN: "0123456789abcdef" });
  assert.equal(h.kind, "run");
  if (h.kind === "run") {
    assert.deepEqual(h.config.http, { host: "127.0.0.1", port: 8765 });
    assert.equal(h.config.httpAllowRemote, false);
  }
});

Deno.test("config: --help and --version exit 0", () => {
  const h = parseArgs(["--help"], {});
  assert.equal(h.kind === "exit" && h.code, 0);
  assert.match(h.kind === "exit" ? h.out! : "", /CODER_SESSION_TOKEN/);
  const v = parseArgs(["--version"], {});
  assert.match(v.kind === "exit" ? v.out! : "", /^\d+\.\d+\.\d+$/);
});

Deno.test("config: .env is parsed with quotes and comments", () => {
  const dir = new URL("./fixtures/dotenv", import.meta.url).pathname;
  assert.deepEqual(readDotEnv(dir), {
    CODER_URL: "https://c.example.com",
    CODER_SESSION_TOKEN: "tok-12345678",
  });
  assert.deepEqual(readDotEnv(`${dir}/missing`), {});
});

Deno.test("config: a token no header can carry exits 2, naming the variable, not the token", async (t) => {
  const bad: [string, string][] = [
    ["a control character", "abcdefgh\u0001SECRETxyz"],
    ["DEL", "abcdefgh\u007fSECRETxyz"],
    ["an emoji", "abcdefgh\u{1F600}SECRETxyz"],
    ["a non-ASCII letter", "abcdéfghSECRETxyz"],
    ["a space inside", "abcdefgh SECRETxyz"],
  ];
  for (const [what, token] of bad) {
    await t.step(`CODER_SESSION_TOKEN with ${what}`, () => {
      const r = parseArgs([], { ...ENV, CODER_SESSION_TOKEN: token });
      assert.equal(r.kind, "exit");
      if (r.kind !== "exit") return;
      assert.equal(r.code, 2);
      assert.match(r.err!, /CODER_SESSION_TOKEN/);
      assert.match(r.err!, /character/);
      assert.equal(r.err!.split("\n").length, 1);
      assert.ok(!r.err!.includes("SECRET"), "the token never appears");
    });
  }
  await t.step("CODER_FLEET_HTTP_TOKEN with a control character or an emoji", () => {
    for (const httpToken of ["0123456789abcdef\u0007SECRET", "0123456789abcdef\u{1F600}SECRET"]) {
      const r = parseArgs(["--http", "8765"], { ...ENV, CODER_FLEET_HTTP_TOKEN: httpToken });
      assert.equal(r.kind, "exit");
      if (r.kind !== "exit") return;
      assert.equal(r.code, 2);
      assert.match(r.err!, /CODER_FLEET_HTTP_TOKEN/);
      assert.ok(!r.err!.includes("SECRET"), "the token never appears");
    }
  });
  await t.step("a token of visible ASCII is taken as it is", () => {
    const token = "AbC-123_x.y~z+/=!";
    const r = parseArgs([], { ...ENV, CODER_SESSION_TOKEN: token });
    assert.equal(r.kind === "run" && r.config.token, token);
  });
});

Deno.test("config: CODER_URL is http(s)://host[:port][/path], normalised, never echoed", async (t) => {
  const ok: [string, string][] = [
    ["https://coder.example.com/", "https://coder.example.com"],
    ["http://127.0.0.1:3000", "http://127.0.0.1:3000"],
    ["  https://Coder.Example.com:443/base/path// ", "https://coder.example.com/base/path"],
  ];
  for (const [raw, want] of ok) {
    await t.step(`accepts ${raw.trim()}`, () => {
      const r = parseArgs([], { ...ENV, CODER_URL: raw });
      assert.equal(r.kind === "run" && r.config.url, want);
    });
  }
  const bad: [string, RegExp][] = [
    ["http://admin:s3cretPW@coder.example.com", /credentials/],
    ["https://admin@coder.example.com", /credentials/],
    ["https://:s3cretPW@coder.example.com", /credentials/],
    ["https://coder.example.com/?token=s3cretPW", /query/],
    ["https://coder.example.com?", /query/],
    ["https://coder.example.com/#s3cretPW", /fragment/],
    ["ftp://coder.example.com", /not an http/],
    ["coder.example.com", /not (a|an http) URL/],
    ["http://127.0.0.1:0", /port 0/],
    ["https://coder.example.com:00/base", /port 0/],
  ];
  for (const [raw, re] of bad) {
    await t.step(`refuses ${raw}`, () => {
      for (const r of [parseArgs([], { ...ENV, CODER_URL: raw }), parseArgs(["--url", raw], ENV)]) {
        assert.equal(r.kind, "exit");
        if (r.kind !== "exit") return;
        assert.equal(r.code, 2);
        assert.match(r.err!, re);
        assert.match(r.err!, /CODER_URL/);
        assert.equal(r.err!.split("\n").length, 1);
        assert.ok(!r.err!.includes("s3cretPW"), "the password never appears");
        assert.ok(!r.err!.includes("admin"), "the user never appears");
      }
    });
  }
});

Deno.test("config: booleans are strict; anything else exits 2 naming the variable", async (t) => {
  for (const v of ["1", "true", "YES", "On", " on "]) {
    const r = parseArgs([], { ...ENV, CODER_FLEET_READ_ONLY: v });
    assert.equal(r.kind === "run" && r.config.readOnly, true, v);
  }
  for (const v of ["0", "false", "No", "OFF", ""]) {
    const r = parseArgs([], { ...ENV, CODER_FLEET_READ_ONLY: v });
    assert.equal(r.kind === "run" && r.config.readOnly, false, v);
  }
  for (const name of ["CODER_FLEET_READ_ONLY", "CODER_FLEET_HTTP_ALLOW_REMOTE"]) {
    for (const v of ["y", "n", "2", "enabled", "truee"]) {
      await t.step(`${name}=${v}`, () => {
        const r = parseArgs([], { ...ENV, [name]: v });
        assert.equal(r.kind, "exit");
        if (r.kind !== "exit") return;
        assert.equal(r.code, 2);
        assert.match(
          r.err!,
          new RegExp(`^coder-fleet-mcp: ${name} must be 1/true/yes/on or 0/false/no/off`),
        );
        assert.equal(r.err!.split("\n").length, 1);
      });
    }
  }
  // From .env as well.
  const d = parseArgs([], {}, { ...ENV, CODER_FLEET_READ_ONLY: "y" });
  assert.equal(d.kind === "exit" && d.code, 2);
});

Deno.test("config: a tool allowlist that names no tool exits 2", () => {
  for (const v of [",", " , ,", ",,,"]) {
    for (
      const r of [parseArgs([], { ...ENV, CODER_FLEET_TOOLS: v }), parseArgs(["--tools", v], ENV)]
    ) {
      assert.equal(r.kind, "exit", v);
      if (r.kind !== "exit") continue;
      assert.equal(r.code, 2);
      assert.match(r.err!, /CODER_FLEET_TOOLS names no tool/);
    }
  }
  const blank = parseArgs([], { ...ENV, CODER_FLEET_TOOLS: "  " });
  assert.equal(blank.kind === "run" && blank.config.tools, undefined, "blank means unset: all");
});

Deno.test("config: rate limit and response cap: defaults, env, flags, ranges", async (t) => {
  const d = parseArgs([], ENV);
  assert.equal(d.kind, "run");
  if (d.kind !== "run") return;
  assert.equal(d.config.ratePerMinute, 450);
  assert.equal(d.config.maxResponseBytes, 64 * 1024 * 1024);
  assert.equal(d.config.pollMs, 1000);
  const e = parseArgs([], {
    ...ENV,
    CODER_FLEET_RATE_LIMIT: "120",
    CODER_FLEET_MAX_RESPONSE_MB: "8",
    CODER_FLEET_POLL_MS: "250",
  });
  assert.equal(e.kind === "run" && e.config.ratePerMinute, 120);
  assert.equal(e.kind === "run" && e.config.maxResponseBytes, 8 * 1024 * 1024);
  assert.equal(e.kind === "run" && e.config.pollMs, 250);
  const f = parseArgs(
    ["--rate-limit", "10000", "--max-response-mb=1", "--poll-ms", "100"],
    { ...ENV, CODER_FLEET_RATE_LIMIT: "5" },
  );
  assert.equal(f.kind === "run" && f.config.ratePerMinute, 10000);
  assert.equal(f.kind === "run" && f.config.maxResponseBytes, 1024 * 1024);
  assert.equal(f.kind === "run" && f.config.pollMs, 100);
  const bad: [string[], Record<string, string>, RegExp][] = [
    [
      [],
      { CODER_FLEET_RATE_LIMIT: "0" },
      /CODER_FLEET_RATE_LIMIT must be a whole number from 1 to 10000/,
    ],
    [[], { CODER_FLEET_RATE_LIMIT: "10001" }, /CODER_FLEET_RATE_LIMIT/],
    [[], { CODER_FLEET_RATE_LIMIT: "fast" }, /CODER_FLEET_RATE_LIMIT/],
    [[], { CODER_FLEET_RATE_LIMIT: "4.5" }, /CODER_FLEET_RATE_LIMIT/],
    [["--rate-limit", "-1"], {}, /--rate-limit must be/],
    [[], { CODER_FLEET_MAX_RESPONSE_MB: "0" }, /CODER_FLEET_MAX_RESPONSE_MB/],
    [[], { CODER_FLEET_MAX_RESPONSE_MB: "64MB" }, /CODER_FLEET_MAX_RESPONSE_MB/],
    [[], { CODER_FLEET_POLL_MS: "10" }, /CODER_FLEET_POLL_MS/],
    [[], { CODER_FLEET_POLL_MS: "soon" }, /CODER_FLEET_POLL_MS/],
  ];
  for (const [args, env, re] of bad) {
    await t.step(re.source, () => {
      const r = parseArgs(args, { ...ENV, ...env });
      assert.equal(r.kind, "exit");
      if (r.kind !== "exit") return;
      assert.equal(r.code, 2);
      assert.match(r.err!, re);
    });
  }
});

Deno.test("config: --http's port: 0 (the system picks a free one, logged) to 65535", () => {
  const env = { ...ENV, CODER_FLEET_HTTP_TOKEN: "0123456789abcdef" };
  for (const [spec, port] of [["0", 0], ["127.0.0.1:0", 0], ["65535", 65535]] as const) {
    const r = parseArgs(["--http", spec], env);
    assert.equal(r.kind === "run" && r.config.http?.port, port, spec);
  }
  const over = parseArgs(["--http", "65536"], env);
  assert.ok(over.kind === "exit" && over.code === 2 && /--http takes/.test(over.err ?? ""));
});

Deno.test("config: --http beyond loopback needs --http-allow-remote", async (t) => {
  const env = { ...ENV, CODER_FLEET_HTTP_TOKEN: "0123456789abcdef" };
  for (const spec of ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "127.0.0.2:1"]) {
    await t.step(`loopback ${spec}`, () => {
      assert.equal(parseArgs(["--http", spec], env).kind, "run");
    });
  }
  // A name that starts like a loopback address is a name: DNS decides where it points.
  for (
    const spec of [
      "0.0.0.0:8765",
      "[::]:8765",
      "192.168.1.5:8765",
      "example.com:80",
      "127.evil.example:8765",
      "127.0.0.1.nip.io:8765",
      "localhost.evil.example:8765",
    ]
  ) {
    await t.step(`remote ${spec}`, () => {
      const r = parseArgs(["--http", spec], env);
      assert.equal(r.kind, "exit");
      if (r.kind !== "exit") return;
      assert.equal(r.code, 2);
      assert.match(r.err!, /--http-allow-remote/);
      assert.equal(r.err!.split("\n").length, 1);
      const a = parseArgs(["--http", spec, "--http-allow-remote"], env);
      assert.equal(a.kind === "run" && a.config.httpAllowRemote, true);
      const e = parseArgs(["--http", spec], { ...env, CODER_FLEET_HTTP_ALLOW_REMOTE: "yes" });
      assert.equal(e.kind, "run");
    });
  }
  const v6 = parseArgs(["--http", "[::]:9"], { ...env, CODER_FLEET_HTTP_ALLOW_REMOTE: "1" });
  assert.deepEqual(v6.kind === "run" && v6.config.http, { host: "::", port: 9 });
  const hosts = parseArgs([], { ...ENV, CODER_FLEET_HTTP_ALLOWED_HOSTS: "Fleet.lan, 10.0.0.2" });
  assert.deepEqual(hosts.kind === "run" && hosts.config.httpAllowedHosts, [
    "fleet.lan",
    "10.0.0.2",
  ]);
});

Deno.test("config: .env with a byte-order mark is read", () => {
  const dir = new URL("./fixtures/dotenv/bom", import.meta.url).pathname;
  assert.deepEqual(readDotEnv(dir), {
    CODER_URL: "https://bom.example.com",
    CODER_SESSION_TOKEN: "tok-bom-12345",
  });
});

Deno.test("config: a .env that is not a regular file is ignored (a FIFO does not block)", async () => {
  const dir = new TextDecoder().decode(
    (await new Deno.Command("mktemp", { args: ["-d"], stdout: "piped" }).output()).stdout,
  ).trim();
  try {
    const mk = await new Deno.Command("mkfifo", { args: [`${dir}/.env`] }).output();
    assert.equal(mk.code, 0);
    assert.deepEqual(readDotEnv(dir), {});
    // A directory named .env is ignored too.
    assert.equal(
      (await new Deno.Command("mkdir", { args: ["-p", `${dir}/d/.env`] }).output()).code,
      0,
    );
    assert.deepEqual(readDotEnv(`${dir}/d`), {});
  } finally {
    await new Deno.Command("rm", { args: ["-rf", dir] }).output();
  }
});

Deno.test("config: --version is deno.json's version; --help names every flag and variable", () => {
  assert.equal(VERSION, meta.version);
  const v = parseArgs(["--version"], {});
  assert.equal(v.kind === "exit" && v.out, meta.version);
  const h = parseArgs(["--help"], {});
  const help = h.kind === "exit" ? h.out! : "";
  assert.equal(help, HELP.trimEnd());
  const source = Deno.readTextFileSync(new URL("../src/config.ts", import.meta.url));
  const vars = new Set([...source.matchAll(/"(CODER_[A-Z_]+)"/g)].map((m) => m[1]));
  assert.ok(vars.size >= 11, [...vars].join());
  for (const name of vars) {
    assert.ok((ENV_VARS as readonly string[]).includes(name), `${name} is in ENV_VARS`);
    assert.match(help, new RegExp(`\\b${name}\\b`), `${name} is in --help`);
  }
  for (const name of ENV_VARS) assert.ok(vars.has(name), `${name} is read by config.ts`);
  const flags = new Set([...source.matchAll(/"(--[a-z-]+|-[a-zA-Z])"/g)].map((m) => m[1]));
  for (
    const f of [
      "--http-allow-remote",
      "--rate-limit",
      "--max-response-mb",
      "--poll-ms",
      "--call-budget-s",
    ]
  ) {
    assert.ok(flags.has(f), f);
  }
  for (const flag of flags) {
    if (flag === "--token" || flag === "--session-token") continue; // refused, never a flag
    assert.ok(help.includes(flag), `${flag} is in --help`);
  }
  // The permissions a scoped build gets.
  assert.match(help, /--allow-net=coder\.example\.com\[:port\]/);
  assert.ok(help.includes(`--allow-env=${ENV_VARS.join(",")}`));
  assert.match(help, /--allow-read=\.env/);
});

Deno.test("config: only env.ts reads the environment, and only the variables it names", () => {
  const walk = (dir: URL): string[] =>
    [...Deno.readDirSync(dir)].flatMap((e) =>
      e.isDirectory
        ? (e.name === "sim" ? [] : walk(new URL(`${e.name}/`, dir)))
        : e.name.endsWith(".ts")
        ? [new URL(e.name, dir).pathname]
        : []
    );
  for (const file of walk(new URL("../src/", import.meta.url))) {
    const text = Deno.readTextFileSync(file);
    const reads = /Deno\.env\.(get|toObject)|process\.env/.test(text);
    if (file.endsWith("/src/env.ts")) {
      assert.ok(!/Deno\.env\.toObject|process\.env/.test(text), "no wholesale env read");
    } else {
      assert.ok(!reads, `${file} reads the environment: route it through src/env.ts`);
    }
  }
});

Deno.test("config: stall threshold: default 15 min, env, flag, decimals, range", () => {
  const d = parseArgs([], ENV);
  assert.equal(d.kind === "run" && d.config.stalledMin, 15);
  const e = parseArgs([], { ...ENV, CODER_FLEET_STALLED_MIN: "0.5" });
  assert.equal(e.kind === "run" && e.config.stalledMin, 0.5);
  const f = parseArgs(["--stalled-min", "60"], { ...ENV, CODER_FLEET_STALLED_MIN: "5" });
  assert.equal(f.kind === "run" && f.config.stalledMin, 60);
  for (const v of ["0", "0.01", "1441", "soon", "-3"]) {
    const r = parseArgs([], { ...ENV, CODER_FLEET_STALLED_MIN: v });
    assert.equal(r.kind, "exit", v);
    assert.match(r.kind === "exit" ? r.err! : "", /CODER_FLEET_STALLED_MIN must be a number/);
  }
});

Deno.test("config: call budget: default DESIGN's 50 s, env, flag, decimals, range", async (t) => {
  const d = parseArgs([], ENV);
  // DESIGN "Trust": a call that does not wait answers within 50 s (the literal, not our constant).
  assert.equal(d.kind === "run" && d.config.callBudgetMs, 50_000);
  const e = parseArgs([], { ...ENV, CODER_FLEET_CALL_BUDGET_S: "2.5" });
  assert.equal(e.kind === "run" && e.config.callBudgetMs, 2500);
  const f = parseArgs(["--call-budget-s", "110"], { ...ENV, CODER_FLEET_CALL_BUDGET_S: "20" });
  assert.equal(f.kind === "run" && f.config.callBudgetMs, 110_000);
  const g = parseArgs(["--call-budget-s=1"], ENV);
  assert.equal(g.kind === "run" && g.config.callBudgetMs, 1000);
  const h = parseArgs([], { ...ENV, CODER_FLEET_CALL_BUDGET_S: "600" });
  assert.equal(h.kind === "run" && h.config.callBudgetMs, 600_000);
  const dot = parseArgs([], ENV, { CODER_FLEET_CALL_BUDGET_S: "25" });
  assert.equal(dot.kind === "run" && dot.config.callBudgetMs, 25_000);
  const demo = parseArgs(["--demo", "--call-budget-s", "7"], {});
  assert.equal(demo.kind === "run" && demo.config.callBudgetMs, 7000);
  const bad: [string[], Record<string, string>, RegExp][] = [
    [
      [],
      { CODER_FLEET_CALL_BUDGET_S: "0.5" },
      /^coder-fleet-mcp: CODER_FLEET_CALL_BUDGET_S must be a number from 1 to 600, not "0.5"$/,
    ],
    [[], { CODER_FLEET_CALL_BUDGET_S: "0" }, /CODER_FLEET_CALL_BUDGET_S must be a number/],
    [[], { CODER_FLEET_CALL_BUDGET_S: "601" }, /CODER_FLEET_CALL_BUDGET_S must be a number/],
    [[], { CODER_FLEET_CALL_BUDGET_S: "50s" }, /CODER_FLEET_CALL_BUDGET_S must be a number/],
    [[], { CODER_FLEET_CALL_BUDGET_S: "-5" }, /CODER_FLEET_CALL_BUDGET_S must be a number/],
    [[], { CODER_FLEET_CALL_BUDGET_S: "1e2" }, /CODER_FLEET_CALL_BUDGET_S must be a number/],
    [["--call-budget-s", "fast"], {}, /^coder-fleet-mcp: --call-budget-s must be a number/],
    [["--call-budget-s"], {}, /--call-budget-s needs a value/],
  ];
  for (const [args, env, re] of bad) {
    await t.step(`${args.join(" ")} ${JSON.stringify(env)}`, () => {
      const r = parseArgs(args, { ...ENV, ...env });
      assert.equal(r.kind, "exit");
      if (r.kind !== "exit") return;
      assert.equal(r.code, 2);
      assert.match(r.err!, re);
      assert.equal(r.err!.split("\n").length, 1, "one line");
    });
  }
});

Deno.test("config: a session token under 8 characters (spaces aside) exits 2 as malformed; 8 runs", () => {
  const short = parseArgs([], { ...ENV, CODER_SESSION_TOKEN: " abc1234 " });
  assert.deepEqual(short, {
    kind: "exit",
    code: 2,
    err: "coder-fleet-mcp: CODER_SESSION_TOKEN looks malformed (too short): check its value",
  });
  const eight = parseArgs([], { ...ENV, CODER_SESSION_TOKEN: " abcd1234 " });
  assert.equal(eight.kind === "run" && eight.config.token, "abcd1234");
});

Deno.test("config: an environment that cannot be read is an error of its own, not a bad setting", () => {
  const denied = new Error('Requires env access to "CODER_URL"');
  const env = {
    get CODER_URL(): string {
      throw denied;
    },
  };
  assert.throws(() => parseArgs([], env), (e) => e === denied);
});

/** The one-line error of `parseArgs(args, env)`, which must exit 2. */
function refusal(args: string[], env: Record<string, string>): string {
  const r = parseArgs(args, env);
  assert.equal(r.kind, "exit", JSON.stringify({ args, env }));
  assert.equal(r.kind === "exit" && r.code, 2);
  return r.kind === "exit" ? (r.err ?? "").replace(/^coder-fleet-mcp: /, "") : "";
}

/** The config of `parseArgs(args, env)`, which must run. */
function config(args: string[], env: Record<string, string>) {
  const r = parseArgs(args, env);
  assert.equal(r.kind, "run", JSON.stringify(r));
  return r.kind === "run" ? r.config : undefined!;
}

Deno.test("config: credentials in CODER_URL are refused however they are written", () => {
  const creds =
    "CODER_URL must not contain credentials (user:password@): remove them; the token goes in CODER_SESSION_TOKEN";
  // Backslashes are slashes to a URL parser, and spaces around are trimmed first.
  for (
    const url of [
      "https:\\\\user:pw@coder.example.com",
      "https:\\\\:pw@coder.example.com",
      "https:\\\\user@coder.example.com",
      " https://@coder.example.com",
    ]
  ) {
    assert.equal(refusal([], { ...ENV, CODER_URL: url }), creds, url);
  }
  assert.equal(
    refusal([], { ...ENV, CODER_URL: "   " }),
    refusal([], { CODER_SESSION_TOKEN: "abcdefgh-1" }),
  );
});

Deno.test("config: switches: spaces around are ignored, blank is unset, 0/off is false, anything else says what it got (20 characters)", () => {
  for (
    const [v, want] of [[" yes ", true], [" 1", true], ["  ", false], ["0", false], [
      " Off ",
      false,
    ], ["no", false]] as const
  ) {
    assert.equal(
      config([], { ...ENV, CODER_FLEET_READ_ONLY: v }).readOnly,
      want,
      JSON.stringify(v),
    );
  }
  assert.equal(
    refusal([], { ...ENV, CODER_FLEET_READ_ONLY: "maybe-" + "x".repeat(30) }),
    `CODER_FLEET_READ_ONLY must be 1/true/yes/on or 0/false/no/off, not "maybe-xxxxxxxxxxxxxx"`,
  );
});

Deno.test("config: numbers: spaces around are ignored, blank is the default, their bounds are in, one step out is refused", () => {
  const at = (name: string, v: string) => config([], { ...ENV, [name]: v });
  assert.equal(at("CODER_FLEET_POLL_MS", " 250 ").pollMs, 250);
  assert.equal(at("CODER_FLEET_POLL_MS", "   ").pollMs, 1000);
  assert.equal(at("CODER_FLEET_POLL_MS", "100").pollMs, 100);
  assert.equal(at("CODER_FLEET_POLL_MS", "60000").pollMs, 60_000);
  assert.equal(at("CODER_FLEET_MAX_RESPONSE_MB", "4096").maxResponseBytes, 4096 * 1024 * 1024);
  assert.equal(at("CODER_FLEET_STALLED_MIN", " 1440 ").stalledMin, 1440);
  assert.equal(at("CODER_FLEET_STALLED_MIN", "  ").stalledMin, 15);
  assert.equal(at("CODER_FLEET_CALL_BUDGET_S", " 2.5 ").callBudgetMs, 2500);
  for (
    const [name, v, words] of [
      ["CODER_FLEET_POLL_MS", "99", "a whole number from 100 to 60000"],
      ["CODER_FLEET_POLL_MS", "60001", "a whole number from 100 to 60000"],
      ["CODER_FLEET_MAX_RESPONSE_MB", "4097", "a whole number from 1 to 4096"],
      ["CODER_FLEET_STALLED_MIN", "1440.5", "a number from 0.05 to 1440"],
    ]
  ) {
    assert.equal(refusal([], { ...ENV, [name]: v }), `${name} must be ${words}, not "${v}"`);
  }
  // What was given is said, to 20 characters.
  assert.equal(
    refusal([], { ...ENV, CODER_FLEET_POLL_MS: "1".repeat(30) }),
    `CODER_FLEET_POLL_MS must be a whole number from 100 to 60000, not "${"1".repeat(20)}"`,
  );
  assert.equal(
    refusal([], { ...ENV, CODER_FLEET_STALLED_MIN: "9".repeat(30) }),
    `CODER_FLEET_STALLED_MIN must be a number from 0.05 to 1440, not "${"9".repeat(20)}"`,
  );
});

Deno.test("config: flags: short forms, a flag's empty value, a bare flag given a value, the token's other name, what is echoed", () => {
  for (const args of [["-h"], ["--help"]]) {
    const r = parseArgs(args, {});
    assert.equal(r.kind === "exit" && r.code, 0);
    assert.equal(r.kind === "exit" && r.out, HELP.trimEnd());
  }
  for (const args of [["-V"], ["--version"]]) {
    assert.deepEqual(parseArgs(args, {}), { kind: "exit", code: 0, out: VERSION });
  }
  assert.equal(refusal(["--url="], ENV), "--url needs a value (see --help)");
  assert.equal(refusal(["--demo=yes"], ENV), 'unknown argument "--demo=yes" (see --help)');
  assert.equal(
    refusal(["--session-token", "abcdefgh-1"], ENV),
    "the session token is never a flag: set CODER_SESSION_TOKEN in the environment or .env",
  );
  const long = "--" + "x".repeat(60);
  assert.equal(
    refusal([long], ENV),
    `unknown argument ${JSON.stringify(long.slice(0, 40))} (see --help)`,
  );
});

Deno.test("config: the back end: spaces around are ignored, blank is auto, a wrong one is echoed to 20 characters", () => {
  assert.equal(config([], { ...ENV, CODER_FLEET_BACKEND: " tasks " }).backend, "tasks");
  assert.equal(config([], { ...ENV, CODER_FLEET_BACKEND: "  " }).backend, "auto");
  assert.equal(config(["--backend", "chats"], ENV).backend, "chats");
  assert.equal(
    refusal([], { ...ENV, CODER_FLEET_BACKEND: "b".repeat(30) }),
    `CODER_FLEET_BACKEND must be auto, tasks or chats, not "${"b".repeat(20)}"`,
  );
});

Deno.test("config: extra HTTP host names: trimmed, lower-cased, blanks dropped; a remote bind names the host it refuses", () => {
  assert.deepEqual(
    config([], { ...ENV, CODER_FLEET_HTTP_ALLOWED_HOSTS: " Fleet.Example , ,box" })
      .httpAllowedHosts,
    ["fleet.example", "box"],
  );
  assert.equal(
    refusal(["--http", "0.0.0.0:8765"], { ...ENV, CODER_FLEET_HTTP_TOKEN: "0123456789abcdef" }),
    "--http 0.0.0.0 listens beyond loopback: add --http-allow-remote (or CODER_FLEET_HTTP_ALLOW_REMOTE=1) if you mean it, or bind 127.0.0.1",
  );
});

Deno.test("config: .env is read from the working directory by default", () => {
  const cwd = Deno.cwd();
  try {
    Deno.chdir(new URL("./fixtures/dotenv", import.meta.url).pathname);
    assert.deepEqual(readDotEnv(), {
      CODER_URL: "https://c.example.com",
      CODER_SESSION_TOKEN: "tok-12345678",
    });
  } finally {
    Deno.chdir(cwd);
  }
});
