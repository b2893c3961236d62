/**
 * fleet_board_rows' answers as the page reads them: every agent in columns with a digest, then,
 * given that digest back, only "unchanged" until something the rows say changes. In process, on
 * the sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { onSim } from "./on_sim.ts";

Deno.test("fleet_board_rows: the rows and their digest, then unchanged until a row changes", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 5 } }, async ({ sim, call }) => {
    const full = await call("fleet_board_rows");
    assert.ok(!full.isError, full.text);
    const { digest, total, rows, coder } = full.data;
    assert.equal(total, 5);
    assert.equal(rows.length, 5);
    assert.equal(coder, sim.url);
    assert.match(digest, /^[0-9a-f]{24}$/);
    assert.equal(full.text, `5 agents; digest ${digest}`);
    const same = await call("fleet_board_rows", { digest });
    assert.deepEqual(same.data, { digest, unchanged: true, total: 5 });
    assert.equal(same.text, "unchanged (5 agents)");
    // Another digest (a page that saw another fleet): the rows in full.
    const other = await call("fleet_board_rows", { digest: "0".repeat(24) });
    assert.equal(other.data.digest, digest);
    assert.equal(other.data.rows.length, 5);
    assert.equal(other.data.unchanged, undefined);
    // A row changes: a new digest, in full.
    sim.setTask(sim.taskIds()[0], { status: "active", state: "idle", message: "Moved on" });
    const moved = await call("fleet_board_rows", { digest });
    assert.notEqual(moved.data.digest, digest);
    assert.equal(moved.data.unchanged, undefined);
    assert.ok(moved.data.messages.includes("Moved on"));
  });
});
