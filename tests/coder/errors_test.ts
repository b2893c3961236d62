/**
 * CoderError's one-line summary (src/coder/errors.ts): every kind says what happened to which
 * route, Coder's words follow clipped, and waits are said in units people read.
 */
import assert from "node:assert/strict";
import {
  AgentBusyError,
  clip,
  CoderError,
  type CoderErrorInit,
  humanDuration,
  InvalidSegmentError,
} from "../../src/coder/errors.ts";

const ROUTE = "POST /api/v2/tasks/me/t1/send";
const summary = (init: Omit<CoderErrorInit, "route">) =>
  new CoderError({ ...init, route: ROUTE }).summary;

Deno.test("CoderError: each kind's summary names the route and what happened", () => {
  const cases: [Omit<CoderErrorInit, "route">, string][] = [
    [{ status: 500, kind: "http" }, `Coder answered 500 to ${ROUTE}`],
    [{ status: 0, kind: "timeout" }, `Coder did not answer ${ROUTE} in time`],
    [{ status: 0, kind: "aborted" }, `Request ${ROUTE} was cancelled`],
    [{ status: 200, kind: "parse" }, `Coder's answer to ${ROUTE} was not understood`],
    [{ status: 0, kind: "network" }, `Could not reach Coder for ${ROUTE}`],
    [
      { status: 0, kind: "uncertain" },
      `The outcome of ${ROUTE} is unknown: the request was sent, but its answer was lost`,
    ],
    [
      { status: 502, kind: "uncertain" },
      `The outcome of ${ROUTE} is unknown: the request was sent, but its answer was lost`,
    ],
    [
      { status: 200, kind: "uncertain" },
      `The outcome of ${ROUTE} is unknown: Coder took the request but did not give its documented answer`,
    ],
    [
      { status: 299, kind: "uncertain" },
      `The outcome of ${ROUTE} is unknown: Coder took the request but did not give its documented answer`,
    ],
    [
      // A 1xx is not Coder taking the request.
      { status: 199, kind: "uncertain" },
      `The outcome of ${ROUTE} is unknown: the request was sent, but its answer was lost`,
    ],
    [
      { status: 300, kind: "uncertain" },
      `The outcome of ${ROUTE} is unknown: the request was sent, but its answer was lost`,
    ],
    [
      { status: 200, kind: "too_large", capBytes: 64 * 1048576 },
      `Coder's answer to ${ROUTE} is larger than the 64 MiB cap (setting CODER_FLEET_MAX_RESPONSE_MB)`,
    ],
    [
      { status: 200, kind: "too_large" },
      `Coder's answer to ${ROUTE} is larger than the cap (setting CODER_FLEET_MAX_RESPONSE_MB)`,
    ],
    [{ status: 0, kind: "budget" }, `${ROUTE} was not done within this call's time budget`],
    [
      { status: 429, kind: "budget", retryAfterMs: 30_000 },
      `Coder is rate-limiting ${ROUTE}: it asks to wait 30 s, longer than this call has left: retry in 30 s`,
    ],
    [
      { status: 0, kind: "budget", retryAfterMs: 300_000, askedMs: 7_200_000, holdStatus: 503 },
      `Coder is unavailable (503) for ${ROUTE}: it asked to wait 2 h; this server asks again in 5 min, longer than this call has left: retry in 5 min`,
    ],
    [
      // Asked for no longer than the hold: said as one wait.
      { status: 429, kind: "budget", retryAfterMs: 60_000, askedMs: 60_000 },
      `Coder is rate-limiting ${ROUTE}: it asks to wait 60 s, longer than this call has left: retry in 60 s`,
    ],
    [
      { status: 418, kind: "budget", retryAfterMs: 5_000 },
      `Coder asked to pause ${ROUTE}: it asks to wait 5 s, longer than this call has left: retry in 5 s`,
    ],
  ];
  for (const [init, want] of cases) assert.equal(summary(init), want, JSON.stringify(init));
});

Deno.test("CoderError: a redirect names where it pointed, or that it stayed on the host", () => {
  assert.equal(
    summary({ status: 302, kind: "redirect", location: "https://sso.example" }),
    `Coder answered ${ROUTE} with a redirect (302) to https://sso.example, which was not ` +
      "followed (the session token is sent only to CODER_URL). Set CODER_URL to the final " +
      "address (https://sso.example)",
  );
  assert.equal(
    summary({ status: 307, kind: "redirect" }),
    `Coder answered ${ROUTE} with a redirect (307) to another address, which was not followed ` +
      "(the session token is sent only to CODER_URL). Set CODER_URL to the final address",
  );
  assert.equal(
    summary({ status: 301, kind: "redirect", location: "http://c", sameOrigin: true }),
    `Coder answered ${ROUTE} with a redirect (301) to another path on the same host (a login ` +
      "page or a proxy rule?), which was not followed. Set CODER_URL to the address Coder's " +
      "API answers at",
  );
});

Deno.test("CoderError: Coder's message, detail (when different) and three validations follow, clipped", () => {
  const e = new CoderError({
    status: 400,
    route: ROUTE,
    kind: "http",
    coderMessage: "Invalid request.",
    detail: "Invalid request.",
    validations: [
      { field: "name", detail: "required" },
      { field: "prompt", detail: "too long" },
      { field: "template", detail: "unknown" },
      { field: "fourth", detail: "never shown" },
    ],
  });
  assert.equal(
    e.summary,
    `Coder answered 400 to ${ROUTE}: Invalid request.: name: required: prompt: too long: ` +
      "template: unknown",
  );
  assert.equal(e.validations.length, 4, "every validation is kept on the error");
  const long = new CoderError({
    status: 500,
    route: ROUTE,
    kind: "http",
    coderMessage: "m".repeat(300),
    detail: "d\n".repeat(300),
    validations: [{ field: "f".repeat(50), detail: "v".repeat(200) }],
  });
  const parts = long.summary.split(": ");
  assert.equal(parts[1], "m".repeat(199) + "…");
  assert.equal(parts[2], "d ".repeat(99) + "d…");
  assert.equal(parts[3], "f".repeat(39) + "…");
  assert.equal(parts[4], "v".repeat(119) + "…");
  // The detail alone (the client's own words) follows the head.
  assert.equal(
    summary({ status: 0, kind: "timeout", detail: "no answer within 50 ms" }),
    `Coder did not answer ${ROUTE} in time: no answer within 50 ms`,
  );
});

Deno.test("CoderError: fields, uncertain, and 'Route not found.' told apart from other 404s", () => {
  const e = new CoderError({
    status: 404,
    route: ROUTE,
    kind: "http",
    coderMessage: " Route not found. ",
    retryAfterMs: 5,
    askedMs: 9,
    location: "https://x",
  });
  assert.equal(e.name, "CoderError");
  assert.equal(e.status, 404);
  assert.equal(e.route, ROUTE);
  assert.equal(e.kind, "http");
  assert.equal(e.coderMessage, " Route not found. ");
  assert.equal(e.retryAfterMs, 5);
  assert.equal(e.askedMs, 9);
  assert.equal(e.location, "https://x");
  assert.deepEqual(e.validations, []);
  assert.equal(e.routeNotFound, true);
  assert.equal(e.uncertain, false);
  const other = (status: number, coderMessage?: string) =>
    new CoderError({ status, route: ROUTE, kind: "http", coderMessage }).routeNotFound;
  assert.equal(other(404, "Task not found."), false);
  assert.equal(other(404), false);
  assert.equal(other(400, "Route not found."), false);
  assert.equal(new CoderError({ status: 0, route: ROUTE, kind: "uncertain" }).uncertain, true);
  assert.equal(new CoderError({ status: 0, route: ROUTE, kind: "timeout" }).uncertain, false);
});

Deno.test("humanDuration: seconds below 2 min, minutes below 2 h, hours below 2 days, then days", () => {
  const cases: [number, string][] = [
    [0, "1 s"],
    [1, "1 s"],
    [1_000, "1 s"],
    [1_001, "2 s"],
    [119_000, "119 s"],
    [119_001, "2 min"],
    [120_000, "2 min"],
    [121_000, "3 min"],
    [7_140_000, "119 min"],
    [7_140_001, "2 h"],
    [7_200_000, "2 h"],
    [47 * 3_600_000, "47 h"],
    [47 * 3_600_000 + 1, "2 days"],
    [365 * 86_400_000, "365 days"],
    [366 * 86_400_000 - 1, "366 days"],
    [366 * 86_400_000, "more than a year"],
    [Infinity, "more than a year"],
    [NaN, "more than a year"],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

Deno.test("clip: one line, at most n characters, the cut marked", () => {
  assert.equal(clip("  a\n\tb  c ", 10), "a b c");
  assert.equal(clip("abcde", 5), "abcde");
  assert.equal(clip("abcdef", 5), "abcd…");
  assert.equal(clip("", 5), "");
});

Deno.test("AgentBusyError and InvalidSegmentError: named, with their words", () => {
  const busy = new AgentBusyError("the task is busy");
  assert.equal(busy.name, "AgentBusyError");
  assert.equal(busy.message, "the task is busy");
  const bad = new InvalidSegmentError("task name", "it holds a slash");
  assert.equal(bad.name, "InvalidSegmentError");
  assert.equal(bad.message, "Invalid task name: it holds a slash");
  assert.equal(bad.what, "task name");
});
