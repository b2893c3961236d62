/** How a fetch failure is named: the host and port it could not reach, the default ports too. */
import assert from "node:assert/strict";
import { classifyFetchError, type FailureContext } from "../../src/coder/failures.ts";

const ctx = (url: string): FailureContext => ({
  write: false,
  phase: "wait",
  cancelled: false,
  timedOut: false,
  timeoutMs: 30_000,
  byBudget: false,
  url: new URL(url),
});

Deno.test("failures: a refused connection names the host and port, 443 for https, 80 for http", () => {
  const refused = new TypeError("error sending request: tcp connect error: Connection refused");
  const said = (url: string) => classifyFetchError(refused, ctx(url));
  assert.deepEqual(said("https://coder.example.com/api/v2/tasks"), {
    status: 0,
    kind: "network",
    detail: "no connection to coder.example.com:443 (refused, or the host was not found)",
  });
  assert.match(said("http://coder.example.com/x").detail!, /coder\.example\.com:80 /);
  assert.match(said("https://coder.example.com:8443/x").detail!, /coder\.example\.com:8443 /);
});

Deno.test("failures: a lost connection, by phase, for reads and for writes", () => {
  const reset = new TypeError("error reading a body from connection: connection reset");
  const url = "https://coder.example.com/api/v2/chats";
  const said = (write: boolean, phase: FailureContext["phase"]) =>
    classifyFetchError(reset, { ...ctx(url), write, phase });
  // A write may have been carried out: uncertain, and which part was lost is said.
  assert.deepEqual(said(true, "body"), {
    status: 0,
    kind: "uncertain",
    detail: "Coder accepted it, but the answer could not be read",
  });
  assert.deepEqual(said(true, "wait"), {
    status: 0,
    kind: "uncertain",
    detail: "the connection was lost after the request was sent",
  });
  // A read is simply a network failure.
  assert.deepEqual(said(false, "body"), {
    status: 0,
    kind: "network",
    detail: "the connection was lost while reading the answer",
  });
  assert.deepEqual(said(false, "wait"), {
    status: 0,
    kind: "network",
    detail: "the connection was lost",
  });
});

Deno.test("failures: the caller's cancel is 'aborted', whatever fetch threw", () => {
  const url = "https://coder.example.com/api/v2/chats";
  for (const write of [false, true]) {
    for (const timedOut of [false, true]) {
      assert.deepEqual(
        classifyFetchError(new DOMException("aborted", "AbortError"), {
          ...ctx(url),
          write,
          timedOut,
          cancelled: true,
        }),
        { status: 0, kind: "aborted" },
      );
    }
  }
});

Deno.test("failures: Deno's permission refusal names the host and is not a lost connection", () => {
  const denied = new Deno.errors.NotCapable('Requires net access to "evil.example:443"');
  for (const write of [false, true]) {
    assert.deepEqual(
      classifyFetchError(denied, { ...ctx("https://evil.example/api/v2/x"), write }),
      {
        status: 0,
        kind: "network",
        detail: "Deno's permissions refused the connection to evil.example:443; " +
          "this build may reach only the Coder host",
      },
    );
  }
});

Deno.test("failures: a timeout says how long was waited, and a write's is uncertain", () => {
  const url = "https://coder.example.com/api/v2/chats";
  const timeout = new DOMException("timeout", "TimeoutError");
  const said = (
    write: boolean,
    phase: FailureContext["phase"],
    timeoutMs = 15_000,
    byBudget = false,
  ) =>
    classifyFetchError(timeout, { ...ctx(url), write, phase, timedOut: true, timeoutMs, byBudget });
  assert.deepEqual(said(false, "wait"), {
    status: 0,
    kind: "timeout",
    detail: "no answer within 15 s",
  });
  assert.deepEqual(said(false, "body"), {
    status: 0,
    kind: "timeout",
    detail: "the answer stalled: not complete within 15 s",
  });
  // A write that got no answer in time may have been carried out.
  assert.deepEqual(said(true, "wait"), {
    status: 0,
    kind: "uncertain",
    detail: "no answer within 15 s",
  });
  assert.deepEqual(said(true, "body"), {
    status: 0,
    kind: "uncertain",
    detail: "no complete answer within 15 s",
  });
  // The time, in ms below a second, else in seconds to a tenth; and whose limit it was.
  const limit = (ms: number, byBudget = false) => said(false, "wait", ms, byBudget).detail;
  assert.equal(limit(999), "no answer within 999 ms");
  assert.equal(limit(1000), "no answer within 1 s");
  assert.equal(limit(1549), "no answer within 1.5 s");
  assert.equal(limit(1551), "no answer within 1.6 s");
  assert.equal(limit(12_345, true), "no answer within 12.3 s (the time left in this call)");
});

Deno.test("failures: a connect error is 'no connection' only before the answer began", () => {
  const refused = new TypeError("error sending request: tcp connect error: Connection refused");
  const url = "https://coder.example.com/api/v2/tasks";
  assert.deepEqual(classifyFetchError(refused, { ...ctx(url), phase: "body" }), {
    status: 0,
    kind: "network",
    detail: "the connection was lost while reading the answer",
  });
  // The words may be in the error's cause.
  const wrapped = new TypeError("fetch failed", {
    cause: new Error("dns error: failed to lookup"),
  });
  assert.match(classifyFetchError(wrapped, ctx(url)).detail!, /^no connection to /);
});
