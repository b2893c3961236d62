/**
 * One malformed item in Coder's list is skipped with a warning that says so; the back end still
 * answers, and the warning does not call the list failed.
 */
import assert from "node:assert/strict";
import { startHarness } from "./harness.ts";

Deno.test("a malformed list item is skipped and named as skipped, not as a failed list", async () => {
  const h = await startHarness({ sim: { profile: "tasks", tasks: 6, chats: 0, frozen: true } });
  try {
    const res = await fetch(`${h.sim.url}/api/v2/tasks`, {
      headers: { "Coder-Session-Token": h.sim.token },
    });
    const body = await res.json() as { tasks: Record<string, unknown>[] };
    body.tasks[0] = { ...body.tasks[0], id: 42 }; // not a UUID string
    h.sim.fault(/\/api\/v2\/tasks$/, { kind: "wrong_shape", method: "GET", body });
    for (const tool of ["fleet_overview", "list_agents"]) {
      const r = await h.call(tool, {});
      assert.ok(!r.isError, r.text);
      const warnings: string[] = r.data.warnings ?? [];
      assert.equal(warnings.length, 1, `${tool}: ${JSON.stringify(warnings)}`);
      assert.match(warnings[0], /task list: skipped 1 malformed item/);
      assert.doesNotMatch(warnings[0], /failed/);
    }
    const overview = await h.call("fleet_overview", {});
    assert.equal(overview.data.total, 5);
  } finally {
    await h.close();
  }
});
