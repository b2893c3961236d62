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
