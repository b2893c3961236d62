/**
 * The Fleet board over MCP, end to end (the server spawned over stdio and over --http, the
 * official client, both protocol eras): UI metadata and visibility in tools/list, the ui://
 * resource, fleet_board = fleet_overview, and fleet_board_rows' size, digest and list requests.
 */
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type Sim, startSim } from "../../src/sim/server.ts";
import { startHttpServer } from "../board/harness.ts";
import { connectServer } from "./harness.ts";

const URI = "ui://coder-fleet/board.html";
const MIME = "text/html;profile=mcp-app";
const WRITE_TOOLS = ["create_task", "send_input", "stop_agents", "resume_agents", "delete_agents"];

// deno-lint-ignore no-explicit-any
type Any = any;

function stdioClient(sim: Sim, era: "modern" | "legacy", env: Record<string, string> = {}) {
  return connectServer({
    era,
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token, ...env },
  }).then((c) => c.client);
}

async function httpClient(url: string, token: string, era: "modern" | "legacy") {
  const client = new Client(
    { name: `board-http-${era}`, version: "1" },
    era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** Clients started side by side; if one cannot start, the others are closed before it throws. */
async function allOrClose(starting: Promise<Client>[]): Promise<Client[]> {
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((s) => s.status === "rejected");
  if (!failed) return settled.map((s) => (s as PromiseFulfilledResult<Client>).value);
  for (const s of settled) if (s.status === "fulfilled") await s.value.close();
  throw failed.reason;
}

/** What every transport and era must show. */
async function checkProtocol(client: Client, sim: Sim, label: string) {
  const { tools } = await client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  const board = byName.get("fleet_board") as Any;
  const rows = byName.get("fleet_board_rows") as Any;
  assert.equal(board?._meta?.ui?.resourceUri, URI, `${label}: fleet_board links the page`);
  assert.equal(board?._meta?.["ui/resourceUri"], URI, `${label}: legacy key too`);
  assert.deepEqual(rows?._meta?.ui?.visibility, ["app"], `${label}: rows are app-only`);
  for (const w of WRITE_TOOLS) {
    assert.deepEqual((byName.get(w) as Any)?._meta?.ui?.visibility, ["model"], `${label}: ${w}`);
  }
  assert.equal(board.annotations.readOnlyHint, true);
  assert.equal(rows.annotations.readOnlyHint, true);

  const { resources } = await client.listResources();
  assert.ok(resources.some((r) => r.uri === URI && r.mimeType === MIME), `${label}: listed`);
  const read = await client.readResource({ uri: URI });
  const page = read.contents[0] as Any;
  assert.equal(page.mimeType, MIME, `${label}: mime`);
  assert.ok(page.text.length > 1000 && new TextEncoder().encode(page.text).length < 64 * 1024);
  assert.doesNotMatch(page.text, /https?:\/\//, `${label}: no URL in the page`);

  // fleet_board answers exactly what fleet_overview answers at the same instant.
  const { o, b } = await sameInstant(client);
  assert.ok(!b.isError);
  assert.deepEqual(b.structuredContent, o.structuredContent, `${label}: same data`);
  assert.deepEqual(b.content, o.content, `${label}: same text`);
  assert.equal((b.structuredContent as Any).total, sim.truth().total);
}

/**
 * fleet_board between two fleet_overview calls, until both overviews agree. The sim's clock is
 * frozen, but the server's is not: an age in the text ("12m") can tick over between two calls.
 * When the overviews before and after agree, the board was answered at an instant they describe.
 */
async function sameInstant(client: Client) {
  const overview = () => client.callTool({ name: "fleet_overview", arguments: {} });
  for (let attempt = 1;; attempt++) {
    const o = await overview();
    const b = await client.callTool({ name: "fleet_board", arguments: {} });
    const after = await overview();
    const agree = JSON.stringify(after) === JSON.stringify(o);
    if (agree || attempt === 5) {
      assert.ok(agree, "five overviews in a row changed while nothing in the fleet moved");
      return { o, b };
    }
  }
}

Deno.test("e2e board: stdio, both eras: UI metadata, the page, fleet_board = fleet_overview; rows at 1000 agents", async (t) => {
  // The demo's fleet, with enough chats that 1000 agents remain once archived ones are hidden.
  // One sim and one server per era for the whole test: each server start costs about a CPU-second.
  const sim = await startSim({ profile: "both", tasks: 600, chats: 460, seed: 7, frozen: true });
  try {
    const [modern, legacy] = await allOrClose([
      stdioClient(sim, "modern"),
      stdioClient(sim, "legacy"),
    ]);
    try {
      await t.step("modern", () => checkProtocol(modern, sim, "stdio modern"));
      await t.step("legacy", () => checkProtocol(legacy, sim, "stdio legacy"));
      await t.step(
        "rows at 1000 agents stay under 100 KB, one list per back end, digest",
        async () => {
          const client = modern;
          await client.callTool({ name: "fleet_overview", arguments: {} }); // detect the back ends
          sim.clearRequests();
          const r = await client.callTool({ name: "fleet_board_rows", arguments: {} });
          const data = r.structuredContent as Any;
          assert.ok(!r.isError);
          const truth = sim.truth();
          assert.ok(truth.total >= 1000, String(truth.total));
          assert.equal(data.total, truth.total);
          assert.equal(data.rows.length, truth.total);
          const bytes = new TextEncoder().encode(JSON.stringify(r)).length;
          assert.ok(bytes < 100 * 1024, `rows answer is ${bytes} bytes`);
          console.log(`fleet_board_rows at ${data.total} agents: ${bytes} bytes (whole result)`);
          // Every agent, decodable: states and owners by index, ids unique.
          const ids = new Set(data.rows.map((row: Any[]) => row[0]));
          assert.equal(ids.size, truth.total);
          const counts: Record<string, number> = {};
          for (const row of data.rows) {
            counts[data.states[row[4]]] = (counts[data.states[row[4]]] ?? 0) + 1;
          }
          assert.deepEqual(counts, truth.by_state);
          // Each agent's reason and pull request, agent by agent as the sim's truth has them
          // (tasks and chats; the sim serves chats no PR yet, so pr is checked null until it does).
          const decode = (answer: Any, row: Any[]) => ({
            waiting_for: row[7] < 0 ? null : answer.reasons[row[7]],
            pr: row[8] < 0 ? null : answer.pr_states[answer.prs[row[8]][0]],
          });
          assert.deepEqual(data.columns.slice(7), ["waiting_for", "pr"]);
          const reasonsSeen = new Set<string>();
          for (const row of data.rows) {
            const got = decode(data, row);
            assert.equal(got.waiting_for, truth.waiting_for[row[0]], `${row[0]} waiting_for`);
            assert.equal(got.pr, truth.pr[row[0]], `${row[0]} pr`);
            reasonsSeen.add(`${row[3]}:${got.waiting_for}`);
          }
          for (const r of ["t:reply", "t:fix", "t:nothing", "t:resume", "c:reply", "c:fix"]) {
            assert.ok(reasonsSeen.has(r), `the fleet has ${r}: ${[...reasonsSeen]}`);
          }
          // One list request per back end.
          const lists = sim.requests.filter((q) =>
            q.method === "GET" && /\/api\/(v2|experimental)\/(tasks|chats)$/.test(q.path)
          );
          assert.deepEqual(lists.map((q) => q.path.split("/").pop()).sort(), ["chats", "tasks"]);

          // Nothing moved: "unchanged" in a few bytes.
          const same = await client.callTool({
            name: "fleet_board_rows",
            arguments: { digest: data.digest },
          });
          const small = same.structuredContent as Any;
          assert.equal(small.unchanged, true);
          assert.equal(small.digest, data.digest);
          assert.equal(small.rows, undefined);
          assert.ok(JSON.stringify(small).length < 100, JSON.stringify(small));

          // One agent moves: a new digest and the full rows.
          const id = sim.taskIds()[3];
          sim.setTask(id, { status: "active", state: "failed", message: "tests broke" });
          const moved = await client.callTool({
            name: "fleet_board_rows",
            arguments: { digest: data.digest },
          });
          const next = moved.structuredContent as Any;
          assert.notEqual(next.digest, data.digest);
          assert.equal(next.unchanged, undefined);
          const row = next.rows.find((x: Any[]) => x[0] === id);
          assert.equal(next.states[row[4]], "failed");
          assert.equal(next.messages[row[6]], "tests broke");

          // A chat's reason moves alone (waiting -> requires_action: idle both times): a new
          // digest, and the row says it needs a decision.
          const waiting = sim.chatIds().find((c) =>
            (sim.chat(c) as Any).status === "waiting" && sim.truth().pr[c] === null
          )!;
          assert.ok(waiting, "a waiting chat");
          const before = next.rows.find((x: Any[]) => x[0] === waiting);
          assert.equal(next.reasons[before[7]], "reply");
          sim.setChat(waiting, { status: "requires_action" });
          const asked = (await client.callTool({
            name: "fleet_board_rows",
            arguments: { digest: next.digest },
          })).structuredContent as Any;
          assert.notEqual(asked.digest, next.digest, "the reason alone moved the digest");
          const after = asked.rows.find((x: Any[]) => x[0] === waiting);
          assert.equal(asked.states[after[4]], "idle", "the state did not move");
          assert.equal(asked.reasons[after[7]], "action");
          assert.equal(sim.truth().waiting_for[waiting], "action");
        },
      );
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  } finally {
    await sim.close();
  }
});

Deno.test("e2e board: HTTP, both eras: UI metadata, the page, fleet_board = fleet_overview", async (t) => {
  const sim = await startSim({ profile: "both", tasks: 30, chats: 20, frozen: true });
  const server = await startHttpServer(sim);
  try {
    for (const era of ["modern", "legacy"] as const) {
      await t.step(era, async () => {
        const client = await httpClient(server.url, server.token, era);
        try {
          await checkProtocol(client, sim, `http ${era}`);
        } finally {
          await client.close();
        }
      });
    }
  } finally {
    await server.close();
    await sim.close();
  }
});

Deno.test("e2e board: read-only mode and the allowlist keep both board tools", async () => {
  const sim = await startSim({ profile: "tasks", tasks: 5 });
  try {
    const [ro, only] = await allOrClose([
      stdioClient(sim, "legacy", { CODER_FLEET_READ_ONLY: "1" }),
      stdioClient(sim, "modern", { CODER_FLEET_TOOLS: "fleet_overview" }),
    ]);
    try {
      const names = (await ro.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes("fleet_board") && names.includes("fleet_board_rows"));
      assert.ok(!names.includes("delete_agents"));
      assert.ok((await ro.listResources()).resources.some((r) => r.uri === URI));

      assert.deepEqual((await only.listTools()).tools.map((t) => t.name), ["fleet_overview"]);
      // Without fleet_board there is no page to serve.
      const listed = await only.listResources().then((r) => r.resources, () => []);
      assert.ok(!listed.some((r) => r.uri === URI));
    } finally {
      await Promise.all([ro.close(), only.close()]);
    }
  } finally {
    await sim.close();
  }
});
