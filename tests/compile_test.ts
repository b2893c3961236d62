/**
 * `deno task compile`: the command it prints grants exactly the Coder host, the server's
 * variables and `.env`; bad input is one line; a failed runtime download is one line and no
 * binary.
 */
import assert from "node:assert/strict";
import { ENV_VARS } from "../src/env.ts";
import {
  checkUrl,
  compileArgs,
  explainFailure,
  netHost,
  outputPath,
  parseCompileArgs,
  permissionFlags,
  TARGETS,
  V8_FLAGS,
} from "../scripts/compile.ts";

async function task(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "compile", ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000), // a build that hangs fails the test
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const flag = (words: string[], name: string) =>
  words.filter((w) => w === name || w.startsWith(`${name}=`));

Deno.test("compile --print: the network grant is exactly the Coder host", async () => {
  const r = await task(["--url", "https://coder.example.com", "--print"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 1, "one command line");
  const words = lines[0].split(" ");
  assert.deepEqual(words.slice(0, 2), ["deno", "compile"]);
  assert.deepEqual(flag(words, "--allow-net"), ["--allow-net=coder.example.com"]);
  assert.deepEqual(flag(words, "--allow-env"), [`--allow-env=${ENV_VARS.join(",")}`]);
  assert.deepEqual(flag(words, "--allow-read"), ["--allow-read=.env"]);
  assert.deepEqual(flag(words, "--allow-write"), []);
  assert.deepEqual(flag(words, "--allow-run"), []);
  assert.deepEqual(flag(words, "--allow-sys"), []);
  assert.deepEqual(flag(words, "-A"), []);
  assert.deepEqual(flag(words, "--env-file"), ["--env-file=dist/coder-fleet-mcp.defaults.env"]);
  assert.equal(words.at(-1), "src/main.ts");
  assert.match(r.stderr, /CODER_URL=https:\/\/coder\.example\.com/);
  assert.equal(await Deno.stat("dist/coder-fleet-mcp").catch(() => null), null);
});

Deno.test("compile: the URL comes from --url, else CODER_URL, else .env; a port is kept", () => {
  const url = (p: ReturnType<typeof parseCompileArgs>) => p.kind === "build" ? p.opts.url : p.err;
  assert.equal(
    url(parseCompileArgs(["--url=https://a.example"], { CODER_URL: "https://b" })),
    "https://a.example",
  );
  assert.equal(url(parseCompileArgs([], { CODER_URL: "https://b.example/" })), "https://b.example");
  assert.equal(
    url(parseCompileArgs([], {}, { CODER_URL: "https://c.example" })),
    "https://c.example",
  );
  assert.match(String(url(parseCompileArgs([], {}))), /^compile: which Coder\?/);
  assert.equal(netHost("https://coder.example.com:8443/coder/"), "coder.example.com:8443");
  assert.equal(netHost("https://coder.example.com:443"), "coder.example.com");
  assert.equal(netHost("http://127.0.0.1:3000"), "127.0.0.1:3000");
  assert.equal(netHost("http://[::1]:3000"), "[::1]:3000");
  assert.deepEqual(
    permissionFlags({ url: "https://coder.example.com", listen: ["8765"] })[0],
    "--allow-net=coder.example.com,127.0.0.1:8765",
  );
  // deno compile type-checks unless told not to (--no-check).
  const checked = parseCompileArgs(["--url=https://a.example"], {});
  assert.ok(checked.kind === "build" && !compileArgs(checked.opts).includes("--no-check"));
  const unchecked = parseCompileArgs(["--url=https://a.example", "--no-check"], {});
  assert.ok(unchecked.kind === "build" && compileArgs(unchecked.opts).includes("--no-check"));
});

Deno.test("compile: a bad URL, target or flag is one line, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--url", "ftp://coder.example.com"], /must be http\(s\)/],
    [["--url", "https://me:pw@coder.example.com"], /credentials/],
    [["--url", "https://coder.example.com/?x=1"], /query or fragment/],
    [["--url", "not a url"], /not a URL/],
    [
      ["--generic", "--target", "sparc"],
      /unknown target "sparc": use one of x86_64-unknown-linux-gnu/,
    ],
    [["--generic", "--url", "https://coder.example.com"], /leave out --url/],
    [["--url", "https://coder.example.com", "--allow-all"], /unknown argument/],
  ];
  // Every case through the parser the task runs (all refusals come from it)...
  for (const [args, re] of cases) {
    const p = parseCompileArgs([...args, "--print"], {});
    assert.equal(p.kind, "exit", args.join(" "));
    if (p.kind !== "exit") continue;
    assert.equal(p.code, 2, args.join(" "));
    assert.equal(p.out, undefined);
    assert.equal(p.err!.split("\n").length, 1, p.err);
    assert.match(p.err!, /^compile: /);
    assert.match(p.err!, re);
  }
  // ...and one through the task itself: the refusal reaches stderr alone, as one line, exit 2.
  const r = await task(["--url", "https://me:pw@coder.example.com", "--print"], {});
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^compile: .*credentials/);
  assert.ok(!r.stderr.includes("pw@"), "the password is not echoed");
  assert.throws(() => checkUrl("https://coder.example.com#x"), /query or fragment/);
});

Deno.test("compile --generic --target: any host, the five release targets and their file names", () => {
  for (const target of TARGETS) {
    const args = compileArgs({ generic: true, target });
    assert.deepEqual(flag(args, "--allow-net"), ["--allow-net"]);
    assert.deepEqual(flag(args, "--env-file"), [], "no URL is built into a generic build");
    assert.equal(args[args.indexOf("--target") + 1], target);
    const out = args[args.indexOf("--output") + 1];
    assert.equal(out, outputPath(target));
    assert.equal(out, `dist/coder-fleet-mcp-${target}${target.includes("windows") ? ".exe" : ""}`);
    // The binary keeps its heap small (bench:memory's figures, scripts/compile.ts).
    assert.deepEqual(flag(args, "--v8-flags"), [
      "--v8-flags=--max-semi-space-size=8,--max-old-space-size=512",
    ]);
  }
});

Deno.test("compile: deno task start and demo run with the binary's V8 flags", async () => {
  const tasks = JSON.parse(await Deno.readTextFile("deno.json")).tasks as Record<string, string>;
  for (const name of ["start", "demo"]) {
    const words = tasks[name].split(/\s+/);
    // Before the script: a flag after it would be the server's argument, not Deno's.
    assert.ok(words.indexOf(`--v8-flags=${V8_FLAGS}`) > 0, `deno task ${name}: ${tasks[name]}`);
    assert.ok(words.indexOf(`--v8-flags=${V8_FLAGS}`) < words.indexOf("src/main.ts"));
  }
});

Deno.test("compile: a runtime that cannot be downloaded is one line, and no binary", async () => {
  // Here Deno's runtime cannot be downloaded; where it can (a developer's machine, CI with a
  // network), the build succeeds and the binary must then exist. deno compile type-checks before
  // it downloads: 4 to 9 CPU-seconds whenever src/ changed since the last check, for a check
  // `deno test` has just made of the same code. --no-check leaves the download as it is.
  const r = await task(["--url", "http://127.0.0.1:9", "--no-check"]);
  const binary = await Deno.stat(outputPath()).catch(() => null);
  if (r.code === 0) {
    assert.ok(binary?.isFile, "a build that says it succeeded left a binary");
    return;
  }
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^compile: could not download Deno's runtime .*no binary was written/);
  assert.equal(binary, null, "no binary after a failed build");
  assert.equal(await Deno.stat("dist/coder-fleet-mcp.defaults.env").catch(() => null), null);
});

Deno.test("compile: explainFailure keeps to one line", () => {
  const stderr = `Compile src/main.ts to dist/x
Download https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip
error: Writing deno compile executable to temporary file 'dist/x.tmp'

Caused by:
    0: Setting up base binary.
    1: error sending request
    2: dns error: failed to lookup address information

Stack backtrace:
   0: <unknown>`;
  const line = explainFailure(stderr, "aarch64-apple-darwin");
  assert.equal(line.split("\n").length, 1);
  assert.match(line, /aarch64-apple-darwin .*denort-aarch64-apple-darwin\.zip.*dns error/);
  assert.match(
    explainFailure("error: Module not found\n  at x"),
    /^compile: deno compile failed: error: Module not found$/,
  );
});
