import assert from "node:assert/strict";
import { parseArgs, readDotEnv } from "../src/config.ts";

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
    [[], { ...ENV, CODER_FLEET_BACKEND: "both" }, /CODER_FLEET_BACKEND must be/],
    [["--token", "abc"], ENV, /never a flag/],
    [["--bogus"], ENV, /unknown argument/],
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

Deno.test("config: --demo needs no URL or token; --http binds 127.0.0.1 by default", () => {
  const r = parseArgs(["--demo"], {});
  assert.equal(r.kind === "run" && r.config.demo, true);
  const h = parseArgs(["--http", "8765"], { ...ENV, CODER_FLEET_HTTP_TOKEN: "0123456789abcdef" });
  assert.equal(h.kind, "run");
  if (h.kind === "run") assert.deepEqual(h.config.http, { host: "127.0.0.1", port: 8765 });
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
