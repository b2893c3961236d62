/** The deployment-wide endpoints (src/coder/deployment.ts): their paths and what they read. */
import assert from "node:assert/strict";
import { CoderClient } from "../../src/coder/http.ts";
import {
  getAiSpend,
  getBuildInfo,
  getUser,
  getUserOrganizations,
} from "../../src/coder/deployment.ts";
import { InvalidSegmentError } from "../../src/coder/errors.ts";

const json = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

function client(answer: (path: string) => unknown) {
  const paths: string[] = [];
  const fetch = ((input: string | URL | Request) => {
    const u = new URL(String(input));
    paths.push(u.pathname);
    return Promise.resolve(json(answer(u.pathname)));
  }) as typeof globalThis.fetch;
  return { paths, c: new CoderClient({ url: "http://deploy.test", token: "t0ken", fetch }) };
}

Deno.test("deployment: build info, a user (me by default), their organizations and AI spend", async () => {
  const user = { id: "u1", username: "alice", name: null, extra: 1 };
  const org = { id: "o1", name: "acme", is_default: true };
  const spend = { current_spend_micros: 5, effective_budget: null };
  const { paths, c } = client((p) =>
    p.endsWith("/buildinfo")
      ? { version: "v2.30.0", dashboard_url: "http://x" }
      : p.endsWith("/organizations")
      ? [org]
      : p.endsWith("/ai/spend")
      ? spend
      : user
  );
  assert.equal((await getBuildInfo(c)).version, "v2.30.0");
  assert.deepEqual(await getUser(c), user, "extra fields pass through");
  assert.deepEqual(await getUser(c, "bob smith"), user);
  assert.deepEqual(await getUserOrganizations(c), [org]);
  assert.deepEqual(await getUserOrganizations(c, "bob"), [org]);
  assert.deepEqual(await getAiSpend(c), spend);
  assert.deepEqual(await getAiSpend(c, "bob"), spend);
  assert.deepEqual(paths, [
    "/api/v2/buildinfo",
    "/api/v2/users/me",
    "/api/v2/users/bob%20smith",
    "/api/v2/users/me/organizations",
    "/api/v2/users/bob/organizations",
    "/api/v2/users/me/ai/spend",
    "/api/v2/users/bob/ai/spend",
  ]);
  // A user that would leave its place in the path is refused before any request.
  for (const f of [getUser, getUserOrganizations, getAiSpend]) {
    await assert.rejects(f(c, "../x"), InvalidSegmentError);
  }
  assert.equal(paths.length, 7);
});

Deno.test("deployment: concurrent organization lists share one request", async () => {
  const { paths, c } = client(() => [{ id: "o1", name: "acme" }]);
  const [a, b] = await Promise.all([getUserOrganizations(c), getUserOrganizations(c)]);
  assert.deepEqual(a, b);
  assert.equal(paths.length, 1);
  await getUserOrganizations(c);
  assert.equal(paths.length, 2, "not a cache: a later call asks again");
});
