/**
 * The batch runner (src/model/batch.ts): every item run once and reported in input order, a
 * failure beside the others, never more than the limit in flight (8 by default).
 */
import assert from "node:assert/strict";
import { runBatch } from "../../src/model/batch.ts";

/** A job that counts how many run at once, and settles when the test releases it. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  return {
    get peak() {
      return peak;
    },
    job: async (x: number, i: number) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((r) => waiting.push(r));
      inFlight--;
      if (x < 0) throw new Error(`item ${i} failed`);
      return x * 10;
    },
    /** Release every job waiting now, repeatedly, until `done` settles. */
    async drain(done: Promise<unknown>) {
      let settled = false;
      done.finally(() => settled = true);
      for (let turn = 0; !settled; turn++) {
        if (turn > 10_000) throw new Error("the batch did not finish");
        for (const r of waiting.splice(0)) r();
        await new Promise((r) => setTimeout(r, 0));
      }
    },
  };
}

Deno.test("batch: every item once, in input order, a failure beside the others", async () => {
  const g = gate();
  const items = [1, 2, -3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const ran: number[] = [];
  const done = runBatch(items, (x, i) => {
    ran.push(i);
    return g.job(x, i);
  });
  await g.drain(done);
  const results = await done;
  assert.deepEqual(ran, items.map((_, i) => i), "each item once, started in input order");
  assert.equal(results.length, items.length);
  for (const [i, r] of results.entries()) {
    if (items[i] < 0) {
      assert.equal(r.ok, false);
      assert.equal((r as { error: Error }).error.message, `item ${i} failed`);
    } else assert.deepEqual(r, { ok: true, value: items[i] * 10 });
  }
  assert.equal(g.peak, 8, "eight at a time by default");
});

Deno.test("batch: the limit holds, fewer items run all at once, none is nothing", async () => {
  const three = gate();
  const a = runBatch([1, 2, 3, 4, 5, 6, 7], three.job, 3);
  await three.drain(a);
  assert.equal((await a).length, 7);
  assert.equal(three.peak, 3);
  const few = gate();
  const b = runBatch([1, 2], few.job);
  await few.drain(b);
  assert.equal(few.peak, 2);
  assert.deepEqual(await runBatch([], () => Promise.resolve(1)), []);
  // A synchronous throw is a failure of its item too.
  const r = await runBatch([1, 2], (x) => {
    if (x === 1) throw new Error("sync");
    return Promise.resolve(x);
  });
  assert.equal(r[0].ok, false);
  assert.deepEqual(r[1], { ok: true, value: 2 });
});
