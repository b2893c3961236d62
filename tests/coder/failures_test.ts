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
