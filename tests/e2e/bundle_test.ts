/**
 * The bundle (`deno task bundle`) runs under the same scoped permissions as `deno task start`
 * and serves the tools against a simulated Coder. (`deno compile` needs a runtime download this
 * machine cannot make; it compiles this same entry point.)
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import { connectServer } from "./harness.ts";

Deno.test("bundle: builds, and runs with --allow-net --allow-env --allow-read=.", async () => {
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "bundle"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  const sim = await startSim({ profile: "both", tasks: 10, chats: 10 });
  const { client } = await connectServer({
    args: ["run", "--allow-net", "--allow-env", "--allow-read=.", "dist/coder-fleet-mcp.js"],
    env: { CODER_URL: sim.url, CODER_SESSION_TOKEN: sim.token },
  });
  try {
    assert.equal((await client.listTools()).tools.length, 13);
    const r = await client.callTool({ name: "fleet_overview", arguments: {} });
    assert.ok(!r.isError);
    // deno-lint-ignore no-explicit-any
    assert.equal((r.structuredContent as any).total, sim.truth().total);
    // The bundle carries the board page (no file read at run time).
    const page = await client.readResource({ uri: "ui://coder-fleet/board.html" });
    assert.match((page.contents[0] as { text: string }).text, /<title>Fleet board<\/title>/);
  } finally {
    await client.close();
    await sim.close();
  }
});
