import assert from "node:assert/strict";
import { shared } from "../../src/coder/coalesce.ts";
import { CoderError } from "../../src/coder/errors.ts";
import { within } from "../deadline.ts";

/** A fetch whose answer the test gives, counting calls and keeping each call's signal. */
function gate<T>() {
  const calls: { signal: AbortSignal; resolve: (v: T) => void; reject: (e: unknown) => void }[] =
    [];
  const fetch = (signal: AbortSignal) =>
    new Promise<T>((resolve, reject) => calls.push({ signal, resolve, reject }));
  return { calls, fetch };
}

Deno.test("shared: concurrent identical reads share one request, and nothing is kept", async () => {
  const owner = {};
  const g = gate<number>();
  const a = shared(owner, "k", "GET /x", undefined, g.fetch);
  const b = shared(owner, "k", "GET /x", new AbortController().signal, g.fetch);
  const other = shared(owner, "other", "GET /y", undefined, g.fetch);
  assert.equal(g.calls.length, 2, "one request for k, one for other");
  g.calls[0].resolve(7);
  g.calls[1].resolve(8);
  assert.deepEqual(await Promise.all([a, b, other]), [7, 7, 8]);
  // Answered: the next call sends its own request.
  const c = shared(owner, "k", "GET /x", undefined, g.fetch);
  assert.equal(g.calls.length, 3);
  g.calls[2].resolve(9);
  assert.equal(await c, 9);
});

Deno.test("shared: a failure reaches every caller; the next call tries again", async () => {
  const owner = {};
  const g = gate<number>();
  const a = shared(owner, "k", "GET /x", undefined, g.fetch);
  const b = shared(owner, "k", "GET /x", undefined, g.fetch);
  g.calls[0].reject(new Error("boom"));
  await assert.rejects(a, /boom/);
  await assert.rejects(b, /boom/);
  const c = shared(owner, "k", "GET /x", undefined, g.fetch);
  assert.equal(g.calls.length, 2);
  g.calls[1].resolve(1);
  assert.equal(await c, 1);
});

Deno.test("shared: each caller cancels alone; the last one to leave aborts the request", async () => {
  const owner = {};
  const g = gate<number>();
  const ca = new AbortController();
  const cb = new AbortController();
  const a = shared(owner, "k", "GET /x", ca.signal, g.fetch);
  const b = shared(owner, "k", "GET /x", cb.signal, g.fetch);
  ca.abort();
  // Each rejection comes only from its abort: a caller that did not hear it fails, not hangs.
  await assert.rejects(
    within(a, "a to end on its abort"),
    (e) => e instanceof CoderError && e.kind === "aborted",
  );
  assert.equal(g.calls[0].signal.aborted, false, "b still waits");
  cb.abort();
  await assert.rejects(
    within(b, "b to end on its abort"),
    (e) => e instanceof CoderError && e.kind === "aborted",
  );
  assert.equal(g.calls[0].signal.aborted, true, "nobody waits: the request is aborted");
  // The aborted request is forgotten at once: a new caller sends a new one.
  const c = shared(owner, "k", "GET /x", undefined, g.fetch);
  assert.equal(g.calls.length, 2);
  g.calls[1].resolve(3);
  assert.equal(await c, 3);
  g.calls[0].reject(new Error("aborted late"));
});

Deno.test("shared: an already aborted caller gets aborted without a request", async () => {
  const g = gate<number>();
  const ctl = new AbortController();
  ctl.abort();
  await assert.rejects(
    shared({}, "k", "GET /x", ctl.signal, g.fetch),
    (e) => e instanceof CoderError && e.kind === "aborted",
  );
  assert.equal(g.calls[0].signal.aborted, true);
});

Deno.test("shared: an abandoned request that ends late does not unshare the one after it", async () => {
  const owner = {};
  const g = gate<number>();
  const ctl = new AbortController();
  const a = shared(owner, "k", "GET /x", ctl.signal, g.fetch);
  ctl.abort();
  await assert.rejects(within(a, "a's abort"), (e) => {
    assert.ok(e instanceof CoderError);
    assert.equal(e.status, 0);
    assert.equal(e.summary, "Request GET /x was cancelled");
    return true;
  });
  const b = shared(owner, "k", "GET /x", undefined, g.fetch);
  assert.equal(g.calls.length, 2);
  // The first request ends now, after the second began: the second stays shared.
  g.calls[0].reject(new Error("aborted late"));
  await Promise.resolve();
  const c = shared(owner, "k", "GET /x", undefined, g.fetch);
  assert.equal(g.calls.length, 2, "c joined b's request");
  g.calls[1].resolve(5);
  assert.deepEqual(await Promise.all([b, c]), [5, 5]);
});
