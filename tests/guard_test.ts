/** The lanes' deadline on every test (tests/lanes/guard.ts). */
import assert from "node:assert/strict";
import { TEST_MS, withDeadline } from "./lanes/guard.ts";

Deno.test("guard: a test that never ends fails by the deadline, naming itself and its place", async () => {
  const hung = withDeadline(
    "waits for ever",
    () => new Promise(() => {}),
    50,
    "fleet/x_test.ts:12",
  );
  await assert.rejects(
    Promise.resolve(hung({} as Deno.TestContext)),
    (e: Error) =>
      e.message ===
        'test "waits for ever" (fleet/x_test.ts:12) did not end within 0.05 s: it hangs',
  );
});

Deno.test("guard: a test that ends keeps its result, and its timer is gone", async () => {
  const ok = withDeadline("ends", async () => {}, 50);
  await ok({} as Deno.TestContext); // a timer left behind would fail this test (op sanitizer)
  const fails = withDeadline("fails", () => {
    throw new Error("the test's own failure");
  }, 5_000);
  await assert.rejects(Promise.resolve(fails({} as Deno.TestContext)), /the test's own failure/);
  assert.equal(TEST_MS, 120_000);
});

Deno.test("guard: every lane imports it first, so every test registers under it", async () => {
  for await (const e of Deno.readDir(new URL("./lanes/", import.meta.url))) {
    if (!e.name.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(new URL(`./lanes/${e.name}`, import.meta.url));
    const first = text.split("\n").find((l) => l.startsWith("import "));
    assert.equal(first, 'import "./guard.ts";', e.name);
  }
});
