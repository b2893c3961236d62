/**
 * The bundle (`deno task bundle`), run with exactly the permissions a scoped `deno task compile`
 * grants (computed by the same code, scripts/compile.ts, for the sim's 127.0.0.1:port), and its
 * default URL given the way the binary gets it (`--env-file`). `deno compile` needs a runtime
 * download this machine cannot make; it compiles the same entry with the same flags.
 *
 * The server's working directory is a fresh one (under dist/) holding only `.env` (the token): the only file
 * it may read, and nothing may appear there.
 */
import assert from "node:assert/strict";
import { ENV_VARS } from "../../src/env.ts";
import { startSim } from "../../src/sim/server.ts";
import { defaultsText, permissionFlags } from "../../scripts/compile.ts";
import { binaryAsBundle, cachedBundle } from "./bundle_build.ts";
import { connectServer } from "./harness.ts";

const READ_TOOLS = [
  "fleet_board",
  "fleet_board_rows",
  "fleet_overview",
  "get_agent",
  "get_logs",
  "list_agents",
  "list_templates",
  "wait_for_agents",
];

/** A working directory with `.env` holding the token, and the built-in defaults file elsewhere. */
async function place(url: string, token: string) {
  // Under dist/: the test suite may write there and nowhere else.
  await Deno.mkdir("dist", { recursive: true });
  const cwd = await Deno.realPath(await Deno.makeTempDir({ dir: "dist", prefix: "cwd-" }));
  await Deno.writeTextFile(`${cwd}/.env`, `CODER_SESSION_TOKEN=${token}\n`);
  const defaults = await Deno.realPath(
    await Deno.makeTempFile({ dir: "dist", suffix: ".defaults.env" }),
  );
  await Deno.writeTextFile(defaults, defaultsText(url));
  const entries = async () => {
    const names: string[] = [];
    for await (const e of Deno.readDir(cwd)) names.push(e.name);
    return names.sort();
  };
  const cleanup = async () => {
    await Deno.remove(cwd, { recursive: true });
    await Deno.remove(defaults);
  };
  return { cwd, defaults, entries, cleanup };
}

/** Run every cleanup at the end of the scope, whatever happened. */
function disposer(...fns: (() => Promise<unknown>)[]): AsyncDisposable {
  return {
    async [Symbol.asyncDispose]() {
      await Promise.all(fns.map((f) => f()));
    },
  };
}

Deno.test("bundle under the scoped grant: every read tool works, a redirect elsewhere reaches nobody, nothing else read or written", async (t) => {
  const bundle = await cachedBundle();
  const sim = await startSim({ profile: "both", tasks: 8, chats: 8, frozen: true });
  const dir = await place(sim.url, sim.token);
  const flags = permissionFlags({ url: sim.url });
  assert.deepEqual(flags[0], `--allow-net=${new URL(sim.url).host}`);
  await using _ = disposer(() => sim.close(), dir.cleanup);
  // Deno logs every permission check (granted or not) to this file: what the server asked for.
  const audit = `${dir.defaults}.audit.jsonl`;
  const { client, stderr } = await connectServer({
    args: binaryAsBundle({ url: sim.url }, bundle, dir.defaults),
    // No CODER_URL, no token: the built-in default and .env supply them.
    env: { DENO_AUDIT_PERMISSIONS: audit },
    cwd: dir.cwd,
  });
  try {
    await t.step("every read tool works", async () => {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 13);
      const readOnly = tools.filter((t) => t.annotations?.readOnlyHint === true).map((t) => t.name);
      assert.deepEqual(readOnly.sort(), READ_TOOLS);
      const [task] = sim.taskIds();
      const [chat] = sim.chatIds();
      const calls: [string, Record<string, unknown>][] = [
        ["fleet_overview", {}],
        ["list_agents", { limit: 5 }],
        ["get_agent", { agent: task }],
        ["get_agent", { agent: chat }],
        ["get_logs", { agent: task }],
        ["get_logs", { agent: chat }],
        ["list_templates", {}],
        ["wait_for_agents", { agents: [task, chat], timeout_s: 1 }],
        ["fleet_board", {}],
        ["fleet_board_rows", {}],
      ];
      for (const [name, args] of calls) {
        const r = await client.callTool({ name, arguments: args });
        // deno-lint-ignore no-explicit-any
        const text = (r.content as any[]).map((c) => c.text).join("\n");
        assert.ok(!r.isError, `${name}: ${text}`);
        if (name === "fleet_overview") {
          // deno-lint-ignore no-explicit-any
          assert.equal((r.structuredContent as any).total, sim.truth().total);
        }
      }
      assert.deepEqual(new Set(calls.map(([n]) => n)), new Set(READ_TOOLS));
      // The bundle carries the board page (no file read at run time).
      const page = await client.readResource({ uri: "ui://coder-fleet/board.html" });
      assert.match((page.contents[0] as { text: string }).text, /<title>Fleet board<\/title>/);
    });
    // "Coder" now answers every request with a redirect to another origin (the sim's decoy,
    // which counts what reaches it and would relay it back: a client that follows keeps working).
    // The grant does not cover that origin; the server must not even ask for it (the audit below).
    await t.step("a Coder that redirects elsewhere reaches nobody else", async () => {
      sim.fault(/^\//, { kind: "redirect", status: 307 });
      try {
        const r = await client.callTool({ name: "fleet_overview", arguments: {} });
        assert.ok(r.isError);
        // deno-lint-ignore no-explicit-any
        const first = (r.content as any[])[0].text.split("\n")[0] as string;
        assert.ok(first.length > 0 && first.length < 400, first);
        assert.equal(sim.decoy.requests.length, 0, "the redirect was followed to another host");
        assert.equal((await client.listTools()).tools.length, 13);
      } finally {
        sim.clearFaults();
      }
    });
    assert.doesNotMatch(stderr(), /NotCapable|Requires \w+ access|Uncaught/);
  } finally {
    await client.close();
  }
  assert.deepEqual(await dir.entries(), [".env"], "the server wrote into its working directory");
  const asked = (await Deno.readTextFile(audit)).trim().split("\n").map((l) => JSON.parse(l));
  await Deno.remove(audit);
  const host = new URL(sim.url).host;
  const seen = new Set<string>();
  for (const { permission, value } of asked as { permission: string; value: string }[]) {
    seen.add(permission);
    if (permission === "env") assert.ok((ENV_VARS as readonly string[]).includes(value), value);
    else if (permission === "read") assert.equal(value, "./.env");
    else if (permission === "net") {
      // HTTP requests, and the chat watch's WebSocket (ws:), both to the Coder host only.
      assert.equal(/^(https?|wss?):/.test(value) ? new URL(value).host : value, host, value);
    } else assert.fail(`the server asked for ${permission} access: ${value}`);
  }
  assert.deepEqual([...seen].sort(), ["env", "net", "read"]);
});

Deno.test("bundle under the scoped grant: another host is refused by Deno, in one line; serving goes on", async () => {
  const bundle = await cachedBundle();
  const sim = await startSim({ profile: "both", tasks: 4, chats: 4 });
  const port = new URL(sim.url).port;
  // The grant is for 127.0.0.1:<port>; CODER_URL in the environment (which wins over the
  // built-in default) names the same sim by another host name, which the grant does not cover.
  const dir = await place(sim.url, sim.token);
  await using _ = disposer(() => sim.close(), dir.cleanup);
  const { client, stderr } = await connectServer({
    args: binaryAsBundle({ url: sim.url }, bundle, dir.defaults),
    env: { CODER_URL: `http://localhost:${port}` },
    cwd: dir.cwd,
  });
  try {
    sim.clearRequests();
    for (let round = 0; round < 2; round++) {
      const r = await client.callTool({ name: "fleet_overview", arguments: {} });
      assert.ok(r.isError);
      // deno-lint-ignore no-explicit-any
      const first = (r.content as any[])[0].text.split("\n")[0] as string;
      assert.match(first, new RegExp(`localhost:${port}`), first);
      assert.match(
        first,
        /permission/i,
        `the refusal should say Deno's permissions refused it: ${first}`,
      );
      assert.doesNotMatch(first, /NotCapable:|\bat \w+ \(/, "one clear line, not a stack");
      // Still serving: the next request is answered.
      assert.equal((await client.listTools()).tools.length, 13);
    }
    assert.equal(sim.requests.length, 0, "nothing reached the sim through the refused host");
    assert.doesNotMatch(stderr(), /Uncaught/);
  } finally {
    await client.close();
  }
  assert.deepEqual(await dir.entries(), [".env"]);
});

/**
 * "Coder" answers every request with a redirect to another host, which counts what reaches it.
 * Under the scoped grant Deno refuses the other host; under the generic grant (`--allow-net`,
 * the release binaries) only the server's own client can keep the request, and the token, home.
 */
async function redirectElsewhere(grant: "scoped" | "generic") {
  const bundle = await cachedBundle();
  let reached = 0;
  let tokenSeen = false;
  const other = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    reached++;
    if (req.headers.get("coder-session-token")) tokenSeen = true;
    return Response.json({ message: "should never be asked" });
  });
  const otherUrl = `http://localhost:${other.addr.port}`;
  const coder = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => Response.redirect(otherUrl + new URL(req.url).pathname, 307),
  );
  const coderUrl = `http://127.0.0.1:${coder.addr.port}`;
  const dir = await place(coderUrl, "a-session-token-0123");
  await using _ = disposer(() => coder.shutdown(), () => other.shutdown(), dir.cleanup);
  const { client, stderr } = await connectServer({
    args: grant === "scoped"
      ? binaryAsBundle({ url: coderUrl }, bundle, dir.defaults)
      : binaryAsBundle({ generic: true }, bundle),
    env: grant === "scoped" ? {} : { CODER_URL: coderUrl },
    cwd: dir.cwd,
  });
  try {
    const r = await client.callTool({ name: "fleet_overview", arguments: {} });
    assert.ok(r.isError);
    // deno-lint-ignore no-explicit-any
    const first = (r.content as any[])[0].text.split("\n")[0] as string;
    assert.ok(first.length > 0 && first.length < 400, first);
    assert.equal(tokenSeen, false, "the session token went to another host");
    assert.equal(reached, 0, "the redirect was followed to another host");
    assert.equal((await client.listTools()).tools.length, 13);
    assert.doesNotMatch(stderr(), /Uncaught/);
  } finally {
    await client.close();
  }
  assert.deepEqual(await dir.entries(), [".env"]);
}

Deno.test("bundle under the generic grant: a redirect elsewhere is not followed (the client's own check)", () =>
  redirectElsewhere("generic"));
