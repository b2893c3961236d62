/** A call's fair share of a route's minute (src/coder/share.ts), worked through by hand. */
import assert from "node:assert/strict";
import { CALL_FLOOR, shareWait, withinShare } from "../../src/coder/share.ts";

const WINDOW = 60_000;

Deno.test("share: a call may send its floor always, else up to what is left of the minute", () => {
  assert.equal(CALL_FLOOR, 8);
  assert.equal(withinShare(7, 0), true);
  assert.equal(withinShare(8, 0), false);
  assert.equal(withinShare(11, 12), true);
  assert.equal(withinShare(12, 12), false);
});

Deno.test("share: a call over its share waits until enough of its sends leave the window", () => {
  // Rate 20; one call sent all 20, one every 100 ms. Its 11th-oldest send is the one whose
  // leaving the window gives it room: 9 of its own left, 11 of the minute left, 9 < 11.
  const sends = Array.from({ length: 20 }, (_, i) => i * 100);
  assert.equal(shareWait(sends, sends, 2_000, 20, WINDOW), 1_000 + WINDOW - 2_000);
  // Within its share: now.
  assert.equal(shareWait(sends.slice(0, 5), sends.slice(0, 5), 2_000, 20, WINDOW), 0);
});

Deno.test("share: sends of one instant leave the window together", () => {
  // Ten at 0 by other calls, then this call's ten at 1000: when the ten at 0 leave, 10 of the
  // minute are left and it holds 10: not yet (10 < 10 fails); it must wait for its own.
  const route = [...Array(10).fill(0), ...Array(10).fill(1_000)];
  const mine = Array(10).fill(1_000);
  assert.equal(shareWait(route, mine, 1_500, 20, WINDOW), 1_000 + WINDOW - 1_500);
});

Deno.test("share: the very first send leaving can be the one that gives room", () => {
  // Rate 20, the route full: 12 sends of others and this call's 8 (its floor), its first the
  // route's oldest. When that one leaves, 7 < 8: it may send again.
  const route = Array.from({ length: 20 }, (_, i) => i);
  const mine = route.slice(0, 8);
  assert.equal(shareWait(route, mine, 100, 20, WINDOW), 0 + WINDOW - 100);
});

Deno.test("share: the call's sends of one instant leave together with the route's", () => {
  // Rate 20, all 20 sends this call's: 15 at 0, 5 at 100. When the 15 leave, 5 are its own and
  // 15 of the minute are free: 5 < 15, room; the 15 of the same instant count as gone.
  const route = [...Array(15).fill(0), ...Array(5).fill(100)];
  assert.equal(shareWait(route, route, 200, 20, WINDOW), 0 + WINDOW - 200);
  // Within one instant, counting only part of it as gone gives the same time.
  const others = [...Array(10).fill(0), ...Array(10).fill(1_000)];
  assert.equal(shareWait(others, Array(10).fill(1_000), 1_500, 20, WINDOW), 1_000 + WINDOW - 1_500);
});

Deno.test("share: at the edge, a call holding one less than what is left may send", () => {
  // Rate 20, the route full; this call's sends are the 10th to the 19th. When the 10th leaves,
  // 9 are its own and 10 of the minute are free: 9 < 10, room (not one send later).
  const route = Array.from({ length: 20 }, (_, i) => i);
  assert.equal(shareWait(route, route.slice(9, 19), 100, 20, WINDOW), 9 + WINDOW - 100);
});
