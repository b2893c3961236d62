/**
 * Secrets scan (issue 6, DESIGN "Trust"): the session token, and a password in `CODER_URL`,
 * never appear in anything the server writes: every byte of stdout (each JSON-RPC message as
 * sent), stderr, and every tool result. Every tool runs, and the main faults run with error
 * bodies, pages and redirect targets that echo the token back, as careless proxies do.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/client";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { RecordingTransport } from "./harness.ts";

const RANDOM = crypto.randomUUID();
const TOKEN = `SECRET-TOKEN-${RANDOM}`;

interface Session {
  client: Client;
  transport: RecordingTransport;
  results: string[];
  call(name: string, args?: Record<string, unknown>): Promise<string>;
}

async function open(sim: Sim, env: Record<string, string> = {}): Promise<Session> {
  const transport = new RecordingTransport({
    env: {
      CODER_URL: sim.url,
      CODER_SESSION_TOKEN: TOKEN,
      CODER_FLEET_POLL_MS: "200",
      ...env,
    },
  });
  const client = new Client({ name: "secrets", version: "1.0.0" }, {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
  });
  await client.connect(transport);
  const results: string[] = [];
  return {
    client,
    transport,
    results,
    async call(name, args = {}) {
      let out: string;
      try {
        out = JSON.stringify(await client.callTool({ name, arguments: args }, { timeout: 90_000 }));
      } catch (err) {
        out = `threw: ${String(err)}`;
      }
      results.push(out);
      return out;
    },
  };
}

/** Where `secret` (or its random part) shows up in `text`; empty when nowhere. */
function leaks(text: string, ...secrets: string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    let i = text.indexOf(s);
    while (i >= 0 && found.length < 3) {
      found.push(`…${text.slice(Math.max(0, i - 80), i + s.length + 20)}…`);
      i = text.indexOf(s, i + 1);
    }
  }
  return found;
}

function assertClean(where: string, text: string, ...secrets: string[]): void {
  const found = leaks(text, ...secrets);
  assert.equal(found.length, 0, `the secret appears in ${where}:\n${found.join("\n")}`);
}

Deno.test("secrets: every tool and the main faults never show the token", async (t) => {
  const sim = await startSim({
    profile: "both",
    tasks: 12,
    chats: 8,
    token: TOKEN,
    pace: 1,
    tcpFaults: true,
  });
  const s = await open(sim);
  const tasks = sim.taskIds();
  const chats = sim.chatIds();
  const idle = (i: number) => {
    sim.setTask(tasks[i], { status: "active", state: "idle" });
    return tasks[i];
  };
  try {
    await t.step("every tool runs", async () => {
      await s.call("fleet_overview");
      await s.call("fleet_board");
      await s.call("fleet_board_rows");
      await s.call("list_agents", {});
      await s.call("get_agent", { agent: tasks[0] });
      await s.call("get_agent", { agent: chats[0] });
      await s.call("get_logs", { agent: idle(1) });
      await s.call("get_logs", { agent: chats[1] });
      await s.call("list_templates");
      await s.call("create_task", { prompt: "Write the docs.", kind: "task" });
      await s.call("create_task", { prompt: "Review the PR.", kind: "chat" });
      await s.call("send_input", { agents: [idle(2)], input: "go on", if_busy: "fail" });
      await s.call("send_input", { agents: [chats[2]], input: "go on", if_busy: "queue" });
      await s.call("wait_for_agents", { agents: [tasks[3]], timeout_s: 1 });
      await s.call("stop_agents", { agents: [idle(4)], dry_run: true });
      await s.call("stop_agents", { agents: [idle(4)] });
      await s.call("resume_agents", { agents: [tasks[4]] });
      await s.call("delete_agents", { agents: [tasks[5]], dry_run: true });
      await s.call("delete_agents", { agents: [tasks[5], chats[3]] });
      const names = (await s.client.listTools()).tools.map((x) => x.name);
      for (
        const n of [
          "fleet_overview",
          "fleet_board",
          "fleet_board_rows",
          "list_agents",
          "get_agent",
          "get_logs",
          "list_templates",
          "create_task",
          "send_input",
          "wait_for_agents",
          "stop_agents",
          "resume_agents",
          "delete_agents",
        ]
      ) assert.ok(names.includes(n), `${n} is served`);
      assert.equal(names.length, 13, `every served tool is called here: ${names}`);
    });

    await t.step("faults whose answers echo the token", async () => {
      const echo = `Coder-Session-Token: ${TOKEN}`;
      sim.fault("/api/v2/tasks", { kind: "revoke", method: "GET", times: 8 });
      await s.call("list_agents", { kind: "task" });
      sim.clearFaults();

      sim.fault(/\/send$/, { kind: "revoke" });
      await s.call("send_input", { agents: [idle(6)], input: "x", if_busy: "fail" });
      sim.clearFaults();

      sim.fault("/api/v2/chats", {
        status: 500,
        method: "GET",
        body: { message: "upstream failed", detail: echo },
      });
      await s.call("list_agents", { kind: "chat" });
      sim.clearFaults();

      sim.fault(/^\/api\/v2\/tasks\/[^/]+$/, {
        status: 400,
        method: "POST",
        body: { message: "Validation failed.", validations: [{ field: "token", detail: TOKEN }] },
      });
      await s.call("create_task", { prompt: "Echo me.", kind: "task" });
      sim.clearFaults();

      sim.fault(/\/logs$/, { status: 404, body: { message: `No session ${TOKEN}` } });
      await s.call("get_logs", { agent: idle(7) });
      sim.clearFaults();

      sim.fault("/api/v2/chats", { kind: "wrong_shape", method: "GET", body: { message: TOKEN } });
      await s.call("list_agents", { kind: "chat" });
      sim.clearFaults();

      sim.fault(/\/send$/, {
        kind: "redirect",
        status: 307,
        location: `${sim.decoy.url}/login?session=${TOKEN}&next=/api/v2/tasks`,
      });
      await s.call("send_input", { agents: [idle(8)], input: "moved", if_busy: "fail" });
      sim.clearFaults();

      sim.fault("/api/v2/tasks", { kind: "redirect", status: 302, method: "GET" });
      await s.call("list_agents", { kind: "task" });
      sim.clearFaults();

      sim.fault(/\/messages$/, { kind: "html", method: "POST" });
      await s.call("send_input", { agents: [chats[4]], input: "to a proxy", if_busy: "queue" });
      sim.clearFaults();

      sim.fault(/\/send$/, { kind: "reset" });
      await s.call("send_input", { agents: [idle(9)], input: "reset", if_busy: "fail" });
      sim.clearFaults();

      await sim.refuse();
      await s.call("fleet_overview");
      sim.restore();
      const after = await s.call("list_agents", { limit: 1 });
      assert.ok(!after.startsWith("threw"), after);
    });
  } finally {
    sim.clearFaults();
    await s.client.close();
    await s.transport.close();
    await sim.close();
  }
  await t.step("stdout (every JSON-RPC message as sent)", () => {
    assert.ok(s.transport.stdout.includes('"jsonrpc"'), "stdout was captured");
    assertClean("stdout", s.transport.stdout, TOKEN, RANDOM);
  });
  await t.step("stderr", () => assertClean("stderr", s.transport.stderr, TOKEN, RANDOM));
  await t.step("tool results", () => {
    assert.ok(s.results.length >= 25);
    assertClean("a tool result", s.results.join("\n"), TOKEN, RANDOM);
  });
  await t.step("the other origin never saw the token", () => {
    assertClean("a request to the other origin", JSON.stringify(sim.decoy.requests), TOKEN);
  });
});

Deno.test("secrets: CODER_URL with credentials, query or fragment is refused at startup", async (t) => {
  const sim = await startSim({ profile: "tasks", tasks: 3, token: TOKEN });
  const port = new URL(sim.url).port;
  const password = `PASSWORD-${crypto.randomUUID()}`;
  // One server start per refusal line (a password alone gets the credentials line too: that
  // and every other form, user-only, empty query, are tests/config_test.ts's, never echoed).
  const credentials = /CODER_URL must not contain credentials/;
  const cases: [string, string, string[], RegExp][] = [
    [
      "user and password",
      `http://fleet-user:${password}@127.0.0.1:${port}`,
      [password, "fleet-user"],
      credentials,
    ],
    ["a query", `http://127.0.0.1:${port}/?session=${password}`, [password], /query/],
    ["a fragment", `http://127.0.0.1:${port}/#${password}`, [password], /fragment/],
  ];
  try {
    for (const [what, url, secrets, reason] of cases) {
      await t.step(what, async () => {
        const transport = new RecordingTransport({
          env: { CODER_URL: url, CODER_SESSION_TOKEN: TOKEN },
        });
        const client = new Client({ name: "secrets", version: "1.0.0" });
        const results: string[] = [];
        // Either the process exits (as it should), or it starts: then see what it reveals.
        const exited = transport.start().then(() => transport.status);
        const started = client.connect(transport, { timeout: 20_000 }).then(
          () => true,
          () => false,
        );
        const first = await Promise.race([exited.then(() => "exited"), started.then(() => "up")]);
        if (first === "up" && await started) {
          for (const name of ["fleet_overview", "list_agents"]) {
            try {
              results.push(JSON.stringify(await client.callTool({ name, arguments: {} })));
            } catch (err) {
              results.push(String(err));
            }
          }
        }
        await client.close().catch(() => undefined);
        await transport.close();
        const status = await transport.status;
        const all = [transport.stdout, transport.stderr, ...results].join("\n");
        assertClean("the server's output", all, ...secrets, TOKEN, RANDOM);
        assert.equal(status.code, 2, `exit code ${status.code}; stderr: ${transport.stderr}`);
        const lines = transport.stderr.trim().split("\n").filter(Boolean);
        assert.equal(lines.length, 1, `one line on stderr: ${transport.stderr}`);
        assert.match(lines[0], /CODER_URL/);
        assert.match(lines[0], reason);
        assert.ok(!/at .*\.ts:\d+/.test(transport.stderr), "no stack trace");
        assert.equal(results.length, 0, "no tool ran");
      });
    }
  } finally {
    await sim.close();
  }
});
