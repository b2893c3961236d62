/**
 * Every client configuration in the README, run: each JSON snippet (and the `claude mcp add`
 * line, and the HTTP server line) is parsed, the example host is replaced by the simulated
 * Coder's, the command is started as written, and it must answer `tools/list`.
 *
 * A binary cannot be built here (`deno compile` cannot download its runtime), so a binary
 * command is run as the bundle with exactly the permissions of that binary, taken from the
 * `deno compile` command scripts/compile.ts issues for it:
 * - `/usr/local/bin/coder-fleet-mcp`, the release binary: `deno task compile --generic`;
 * - `/path/to/coder-fleet-mcp/dist/coder-fleet-mcp`: `deno task compile --url <the sim's URL>`
 *   (its built-in URL included).
 * A `deno run` command is run as written, with the bundle at `/path/to/coder-fleet-mcp.js`. Its
 * permission flags must be exactly those a scoped build gets, so a snippet that drifts from the
 * real flags fails.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startSim } from "../../src/sim/server.ts";
import { defaultsText, permissionFlags } from "../../scripts/compile.ts";
import { binaryAsBundle, cachedBundle } from "./bundle_build.ts";
import { connectServer, type ServingLog, untilServing } from "./harness.ts";
import { exited } from "../deadline.ts";

const HOST = "coder.example.com";
const URL_ = `https://${HOST}`;
const BUNDLE_PATH = "/path/to/coder-fleet-mcp.js";
const RELEASE_BINARY = "/usr/local/bin/coder-fleet-mcp";
const SCOPED_BINARY = "/path/to/coder-fleet-mcp/dist/coder-fleet-mcp";
const HTTP_PORT = "8765";

interface Stdio {
  where: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

const readme = await Deno.readTextFile("README.md");
const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
  lang: m[1],
  text: m[2],
}));

/** A shell line with its `\` continuations joined, split into words (no quoting in the README). */
const words = (text: string) => text.replace(/\\\n/g, " ").trim().split(/\s+/);

const stdio: Stdio[] = [];
const http: { url: string; headers: Record<string, string> }[] = [];
for (const [i, b] of blocks.entries()) {
  if (b.lang === "json") {
    const doc = JSON.parse(b.text);
    const servers = doc.mcpServers ?? doc.servers;
    assert.ok(servers, `JSON snippet ${i} has no mcpServers or servers`);
    for (const [name, s] of Object.entries(servers) as [string, Record<string, unknown>][]) {
      if (s.type === "http") {
        http.push({ url: String(s.url), headers: s.headers as Record<string, string> });
      } else {
        stdio.push({
          where: `JSON snippet ${i} (${name}${doc.servers ? ", VS Code" : ""})`,
          command: String(s.command),
          args: (s.args as string[] | undefined) ?? [],
          env: (s.env as Record<string, string> | undefined) ?? {},
        });
      }
    }
  } else if (b.lang === "sh" && b.text.includes("claude mcp add")) {
    const w = words(b.text);
    const dash = w.indexOf("--");
    const env: Record<string, string> = {};
    for (let k = 0; k < dash; k++) {
      if (w[k] === "--env") {
        const [key, ...v] = w[++k].split("=");
        env[key] = v.join("=");
      }
    }
    stdio.push({ where: "claude mcp add", command: w[dash + 1], args: w.slice(dash + 2), env });
  }
}
const httpLine = blocks.find((b) => b.lang === "sh" && b.text.includes("--http"));

/** The README's value with the example host, token and port replaced by the test's. */
function adapt(
  v: string,
  t: { url: string; token: string; bundle: string; httpToken?: string; port?: string },
) {
  const host = new URL(t.url).host;
  let out = v.replace(URL_, t.url).replaceAll(HOST, host).replace(BUNDLE_PATH, t.bundle);
  if (/^(your-token|\$\{input:[\w-]+\})$/.test(out)) out = t.token;
  if (t.httpToken) out = out.replace("your-http-token", t.httpToken);
  if (t.port) out = out.replaceAll(`:${HTTP_PORT}`, `:${t.port}`).replace(/^8765$/, t.port);
  return out;
}

Deno.test("README: the configurations are the ones this test knows, none with a bare --allow-net", () => {
  assert.ok(stdio.length >= 5, `Claude Code (2), Claude Desktop, Cursor, VS Code: ${stdio.length}`);
  assert.equal(http.length, 1, "one HTTP client configuration");
  assert.ok(httpLine, "the command that starts the HTTP server");
  for (const s of stdio) {
    assert.ok(
      [RELEASE_BINARY, SCOPED_BINARY, "deno"].includes(s.command),
      `${s.where}: a command this test cannot map: ${s.command}`,
    );
    assert.ok(!s.args.includes("--allow-net"), `${s.where}: a bare --allow-net`);
  }
  assert.ok(!readme.includes("--allow-net --") && !/--allow-net\s/.test(readme));
});

Deno.test("README: every stdio configuration answers tools/list against the sim", async (t) => {
  const bundle = await cachedBundle();
  const sim = await startSim({ profile: "both", tasks: 5, chats: 5 });
  const to = { url: sim.url, token: sim.token, bundle };
  // Configurations that come down to the same command, arguments and environment (the same
  // server in another client's file format) are started once; each is still read and checked.
  const answered = new Map<string, Promise<void>>();
  await Deno.mkdir("dist", { recursive: true });
  const cwd = await Deno.realPath(await Deno.makeTempDir({ dir: "dist", prefix: "readme-cwd-" }));
  const defaults = `${cwd}.defaults.env`;
  await Deno.writeTextFile(defaults, defaultsText(sim.url));
  try {
    for (const s of stdio) {
      await t.step(`${s.where}: ${s.command}`, async () => {
        let args: string[];
        if (s.command === "deno") {
          const flags = s.args.filter((a) => a.startsWith("--allow-"));
          assert.deepEqual(flags, permissionFlags({ url: URL_ }), `${s.where}: the flags drifted`);
          args = s.args.map((a) => adapt(a, to));
        } else {
          assert.deepEqual(s.args, [], "a binary takes no arguments here");
          args = s.command === RELEASE_BINARY
            ? binaryAsBundle({ generic: true }, bundle)
            : binaryAsBundle({ url: sim.url }, bundle, defaults);
        }
        const env = Object.fromEntries(
          Object.entries(s.env).map(([k, v]) => [k, adapt(v, to)]).sort(),
        );
        const key = JSON.stringify([args, env]);
        if (!answered.has(key)) {
          answered.set(
            key,
            (async () => {
              const { client, stderr } = await connectServer({ args, env, cwd });
              try {
                const { tools } = await client.listTools();
                assert.equal(tools.length, 13, stderr());
                const r = await client.callTool({ name: "fleet_overview", arguments: {} });
                // deno-lint-ignore no-explicit-any
                assert.equal((r.structuredContent as any)?.total, sim.truth().total, stderr());
              } finally {
                await client.close();
              }
            })(),
          );
        }
        await answered.get(key);
      });
    }
    // Claude Code's two forms run the release binary alike, and Claude Desktop and VS Code the
    // same `deno run` line: three servers for the three ways of running.
    assert.equal(answered.size, 3, "distinct commands started");
  } finally {
    await sim.close();
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(defaults);
  }
});

Deno.test("README: the HTTP configuration (URL plus bearer header) answers tools/list", async () => {
  const bundle = await cachedBundle();
  const sim = await startSim({ profile: "tasks", tasks: 5 });
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String((l.addr as Deno.NetAddr).port);
  l.close();
  const httpToken = crypto.randomUUID();
  await Deno.mkdir("dist", { recursive: true }); // a fresh clone has none
  const cwd = await Deno.realPath(await Deno.makeTempDir({ dir: "dist", prefix: "readme-http-" }));
  // The README says: in the environment or .env. Here: .env, in the server's working directory.
  await Deno.writeTextFile(
    `${cwd}/.env`,
    `CODER_URL=${sim.url}\nCODER_SESSION_TOKEN=${sim.token}\nCODER_FLEET_HTTP_TOKEN=${httpToken}\n`,
  );
  const w = words(httpLine!.text);
  assert.equal(w[0], "deno");
  assert.deepEqual(
    w.filter((a) => a.startsWith("--allow-")),
    permissionFlags({ url: URL_, listen: [HTTP_PORT] }),
    "the HTTP server line's flags drifted",
  );
  const args = w.slice(1).map((a) => adapt(a, { url: sim.url, token: sim.token, bundle, port }));
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let serving: ServingLog | undefined;
  try {
    serving = await untilServing(child); // throws with what it printed when it cannot start
    const cfg = http[0];
    const url = new URL(adapt(cfg.url, { url: sim.url, token: sim.token, bundle, port }));
    const headers = Object.fromEntries(
      Object.entries(cfg.headers).map((
        [k, v],
      ) => [k, adapt(v, { url: sim.url, token: sim.token, bundle, httpToken, port })]),
    );
    const client = new Client({ name: "readme-http", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    try {
      assert.equal((await client.listTools()).tools.length, 13);
    } finally {
      await client.close();
    }
  } finally {
    child.kill("SIGTERM");
    await serving?.cancel();
    await exited(child, "the server, after SIGTERM");
    await sim.close();
    await Deno.remove(cwd, { recursive: true });
  }
});
