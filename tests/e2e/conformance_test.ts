/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, run under Deno because
 * it needs Node >= 22) against `--http`, for both protocol revisions' requirement sets. The suite
 * cannot send headers, so a loopback proxy adds the bearer token and passes `Host` and `Origin`
 * through unchanged. Expected failures live in tests/conformance/baseline.json, each one a
 * scenario that needs the suite's own fixtures; anything else failing, or a baselined entry
 * passing, fails this test. `dns-rebinding-protection` must pass outright.
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import { startProxy } from "../conformance/proxy.ts";
import { untilServing } from "./harness.ts";
import { exited } from "../deadline.ts";
import baseline from "../conformance/baseline.json" with { type: "json" };

const SUITE = "npm:@modelcontextprotocol/conformance@0.2.0-alpha.12";
const REVISIONS = ["2025-11-25", "2026-07-28"] as const;
const ROOT = new URL("../../", import.meta.url).pathname;
const OUT = `${ROOT}dist/conformance`;

interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Every scenario's checks from the suite's output directory. */
function readResults(dir: string): Map<string, Check[]> {
  const out = new Map<string, Check[]>();
  for (const e of Deno.readDirSync(dir)) {
    const m = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(e.name);
    if (!e.isDirectory || !m) continue;
    out.set(m[1], JSON.parse(Deno.readTextFileSync(`${dir}/${e.name}/checks.json`)));
  }
  return out;
}

Deno.test("conformance: the official suite passes on both revisions, fixture-only failures baselined", async (t) => {
  const sim = await startSim({ profile: "both", tasks: 5, chats: 5 });
  const port = freePort();
  const token = `conf-${crypto.randomUUID()}`;
  const server = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "start", "--http", `127.0.0.1:${port}`],
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      CODER_URL: sim.url,
      CODER_SESSION_TOKEN: sim.token,
      CODER_FLEET_HTTP_TOKEN: token,
    },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const serving = await untilServing(server);
  const proxy = await startProxy(port, token);
  const summary: string[] = [];
  try {
    for (const rev of REVISIONS) {
      await t.step(rev, async () => {
        const expected = Object.keys(baseline[rev]);
        const dir = `${OUT}/${rev}`;
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        await Deno.mkdir(dir, { recursive: true });
        // JSON is YAML: the suite reads this as its expected-failures file.
        const expectedFile = `${OUT}/expected-${rev}.yml`;
        await Deno.writeTextFile(expectedFile, JSON.stringify({ server: expected }));
        const run = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--no-config",
            "--no-lock",
            SUITE,
            "server",
            "--url",
            `http://127.0.0.1:${proxy.port}/mcp`,
            "--requirements",
            rev,
            "--expected-failures",
            expectedFile,
            "-o",
            dir,
          ],
          cwd: OUT,
          env: { NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
          // A server that hangs a scenario must fail this step, not hold the lane.
          signal: AbortSignal.timeout(120_000),
        }).output();
        const log = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
        const results = readResults(dir);
        assert.ok(
          results.size >= 20,
          `the suite ran (${results.size} scenarios):\n${log.slice(-3000)}`,
        );

        const baselined = new Set(expected.map((e) => e.split(":")[0]));
        let passed = 0, failed = 0, excused = 0, warned = 0;
        const unexpected: string[] = [];
        for (const [scenario, checks] of results) {
          const bad = checks.filter((c) => c.status === "FAILURE");
          if (bad.length === 0) {
            passed++;
            if (checks.some((c) => c.status === "WARNING")) warned++;
            continue;
          }
          failed++;
          const allExcused = bad.every((c) =>
            expected.includes(scenario) || expected.includes(`${scenario}:${c.id}`)
          );
          if (allExcused) excused++;
          else unexpected.push(`${scenario}: ${bad.map((c) => `${c.id} ${c.errorMessage ?? ""}`)}`);
        }
        summary.push(
          `${rev}: ${results.size} scenarios: ${passed} passed (${warned} with warnings), ${failed} failed (${excused} baselined, ${
            failed - excused
          } unexpected)`,
        );
        assert.deepEqual(unexpected, [], "failures not in the baseline");
        for (const must of ["dns-rebinding-protection", "tools-list"]) {
          const checks = results.get(must);
          assert.ok(checks, `${must} ran`);
          assert.ok(checks.every((c) => c.status !== "FAILURE"), `${must} passes`);
          assert.ok(!baselined.has(must), `${must} is never baselined`);
        }
        // The suite's own verdict: no regression and no stale baseline entry.
        assert.equal(run.code, 0, log.slice(-4000));
      });
    }
  } finally {
    console.log(summary.join("\n"));
    await proxy.close();
    server.kill("SIGTERM");
    await exited(server, "the server, after SIGTERM");
    await serving.done;
    await sim.close();
  }
  const err = serving.stderr();
  assert.ok(!err.includes(token) && !err.includes(sim.token));
});
