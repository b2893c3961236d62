/**
 * The Chats back end against what current Coder (v2.37 to v2.39) does, over a stubbed fetch
 * (our own code is not mocked): org-scoped model configs with the old route as fallback, the
 * status filter probed once, and request_id receipts learned from the first answer.
 */
import assert from "node:assert/strict";
import { ME, type Route, stubBackend } from "./stub.ts";
import type { Agent } from "../../../src/model/agent.ts";
import { CoderError } from "../../../src/coder/errors.ts";
import { searchTerm } from "../../../src/backends/chats/search.ts";
import { conform, minimalChat } from "../../fixtures/chats/schemas.ts";

const ID1 = "11111111-1111-4111-8111-111111111111";
const ID2 = "22222222-2222-4222-8222-222222222222";
const ORG = "d0000000-0000-4000-8000-000000000000";

/** A chat as Coder v2.39 serves it (checked against the contract's schema). */
const CHAT = conform(
  "chat",
  minimalChat({
    id: ID1,
    organization_id: ORG,
    owner_id: ME.id,
    owner_username: "alice",
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:05:00Z",
  }),
);

function chat(over: Record<string, unknown> = {}) {
  return { ...CHAT, ...over };
}

const backend = (route: Route) => stubBackend(route, ORG);

const MODELS = { providers: [{ provider: "anthropic", models: [{ id: "m1", model: "claude" }] }] };
const agent = { id: ID1, kind: "chat", state: "idle" } as Agent;

Deno.test("current Coder: model configs are org-scoped, the old route is the fallback", async (t) => {
  await t.step("org route answers: used, and remembered", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === `/api/v2/organizations/${ORG}/chats/models`
        ? { status: 200, body: MODELS }
        : undefined
    );
    assert.deepEqual((await b.catalog()).models?.map((m) => m.id), ["m1"]);
    assert.equal(b.models.route, "org");
    seen.length = 0;
    await b.catalog();
    assert.deepEqual(seen.map((r) => r.url.pathname), [
      "/api/v2/users/me/organizations",
      `/api/v2/organizations/${ORG}/chats/models`,
    ]);
  });
  await t.step("org route 404: the old route, remembered (no org request again)", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats/models" ? { status: 200, body: MODELS } : undefined
    );
    assert.deepEqual((await b.catalog()).models?.map((m) => m.id), ["m1"]);
    assert.equal(b.models.route, "legacy");
    seen.length = 0;
    await b.catalog();
    assert.deepEqual(seen.map((r) => r.url.pathname), ["/api/v2/chats/models"]);
  });
  await t.step("the caller's organizations cannot be read: Coder's error, no guess", async () => {
    const { b, seen } = stubBackend((r) =>
      r.url.pathname === "/api/v2/users/me/organizations"
        ? { status: 500, body: { message: "database is locked" } }
        : r.url.pathname === "/api/v2/chats/models"
        ? { status: 200, body: MODELS }
        : undefined
    );
    await assert.rejects(
      b.catalog(),
      (e) => e instanceof CoderError && e.status === 500 && e.coderMessage === "database is locked",
    );
    assert.equal(seen.some((r) => r.url.pathname === "/api/v2/chats/models"), false);
    assert.equal(b.models.route, undefined, "nothing remembered from a failure");
  });
  await t.step("no organization at all: only the old route can tell", async () => {
    const { b } = stubBackend((r) =>
      r.url.pathname === "/api/v2/users/me/organizations"
        ? { status: 200, body: [] }
        : r.url.pathname === "/api/v2/chats/models"
        ? { status: 200, body: MODELS }
        : undefined
    );
    assert.deepEqual((await b.catalog()).models?.map((m) => m.id), ["m1"]);
    assert.equal(b.models.route, "legacy");
  });
  await t.step(
    "the models route fails otherwise: Coder's error, no other route tried",
    async () => {
      const { b, seen } = backend((r) =>
        r.url.pathname === `/api/v2/organizations/${ORG}/chats/models`
          ? { status: 500, body: { message: "database is locked" } }
          : r.url.pathname === "/api/v2/chats/models"
          ? { status: 200, body: MODELS }
          : undefined
      );
      await assert.rejects(b.catalog(), (e) => e instanceof CoderError && e.status === 500);
      assert.equal(seen.some((r) => r.url.pathname === "/api/v2/chats/models"), false);
      assert.equal(b.models.route, undefined, "nothing remembered from a failure");
    },
  );
  await t.step(
    "the remembered route 404s later: no models now, asked again next time",
    async () => {
      let gone = false;
      const { b, seen } = backend((r) =>
        r.url.pathname === `/api/v2/organizations/${ORG}/chats/models` && !gone
          ? { status: 200, body: MODELS }
          : undefined
      );
      assert.equal((await b.catalog()).models?.length, 1);
      gone = true;
      assert.deepEqual((await b.catalog()).models, []);
      gone = false;
      seen.length = 0;
      assert.equal((await b.catalog()).models?.length, 1);
      assert.equal(b.models.route, "org");
    },
  );
  await t.step("no models route: get_agent names the chat's model by its id, capped", async () => {
    const { b } = backend((r) =>
      r.url.pathname === `/api/v2/chats/${ID1}`
        ? { status: 200, body: chat({ last_model_config_id: "c".repeat(120) }) }
        : undefined
    );
    assert.deepEqual(await b.extras(agent), { model: "c".repeat(99) + "…" });
  });
  await t.step("neither: no models, and no more asking", async () => {
    const { b, seen } = backend(() => undefined);
    assert.deepEqual((await b.catalog()).models, []);
    seen.length = 0;
    assert.deepEqual((await b.catalog()).models, []);
    assert.equal(seen.length, 0);
  });
});

/** Both sources: the caller's chats and those shared with it. */
const BOTH = "source:created_by_me,shared_with_me";

Deno.test("current Coder: the state filter goes to Coder where it can, probed once", async (t) => {
  await t.step("accepted: status terms pushed once probed, every time", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [chat()] } : undefined
    );
    await b.list({ state: ["idle", "error"] });
    await b.list({ state: ["working"] });
    await b.list({ state: ["idle", "error"] });
    // One term of unknown support a request: the sources first, then the states.
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      BOTH,
      `${BOTH} status:running,interrupting`,
      `${BOTH} status:waiting,requires_action,paused,error`,
    ]);
    assert.equal(b.statusFilter, true);
  });
  await t.step("v2.37's 400: filtered locally from then on (one extra request, once)", async () => {
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== "/api/v2/chats") return undefined;
      return r.url.searchParams.get("q")?.includes("status:")
        ? {
          status: 400,
          body: {
            message: "Invalid chat search query.",
            validations: [{ field: "q", detail: "status" }],
          },
        }
        : {
          status: 200,
          body: [chat(), chat({ id: "22222222-2222-4222-8222-222222222222", status: "running" })],
        };
    });
    await b.list({}); // the sources are probed first
    seen.length = 0;
    const first = await b.list({ state: ["idle"] });
    assert.equal(first.length, 2, "the back end leaves state filtering to the fleet");
    await b.list({ state: ["idle"] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      `${BOTH} status:waiting,requires_action,paused`,
      BOTH,
      BOTH,
    ]);
    assert.equal(b.statusFilter, false);
  });
  await t.step("one status is pushed alone; states no chat status has push nothing", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [chat()] } : undefined
    );
    await b.list({}); // the sources are probed first
    seen.length = 0;
    await b.list({ state: ["error"] });
    await b.list({ state: ["complete", "failed", "paused"] });
    await b.list({ state: ["working", "complete"] });
    await b.list({ state: [] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      `${BOTH} status:error`,
      BOTH,
      `${BOTH} status:running,interrupting`,
      BOTH,
    ]);
  });
  await t.step("starting and unknown cannot be pushed", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [] } : undefined
    );
    await b.list({ state: ["starting"] });
    await b.list({ state: ["idle", "unknown"] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [BOTH, BOTH]);
  });
});

Deno.test("current Coder: whether the list flags chats queued for capacity", async (t) => {
  const listing = (chats: Record<string, unknown>[]) =>
    backend((r) => r.url.pathname === "/api/v2/chats" ? { status: 200, body: chats } : undefined).b;
  await t.step("an empty list tells nothing either way", async () => {
    const b = listing([]);
    assert.equal((await b.list({})).queueFlagListed, undefined);
    assert.equal((await b.summaries({})).queueFlagListed, undefined);
  });
  await t.step("chats none of which is flagged: the list does not flag them", async () => {
    const b = listing([chat({ status: "running" })]);
    assert.equal((await b.list({})).queueFlagListed, false);
    assert.equal((await b.summaries({})).queueFlagListed, false);
  });
  await t.step("one flagged chat: the list flags them", async () => {
    const b = listing([chat({ status: "running" }), chat({ id: ID2, queued_for_capacity: true })]);
    const l = await b.list({});
    assert.equal(l.queueFlagListed, true);
    assert.deepEqual(l.map((a) => a.queued_for_capacity), [undefined, true]);
    assert.equal(l.skipped, undefined, "nothing skipped, no skipped list");
  });
  await t.step("a malformed chat is skipped and named; the others are listed", async () => {
    const b = listing([chat(), { title: "no id" }]);
    const l = await b.list({});
    assert.equal(l.length, 1);
    assert.equal(l.skipped?.length, 1);
    assert.equal((await b.summaries({})).skipped?.length, 1);
  });
});

Deno.test("current Coder: the pull-request filter goes as pr_status where Coder takes it", async (t) => {
  await t.step("taken: pushed (values once each), every time", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [chat()] } : undefined
    );
    await b.list({}); // the sources are probed first
    seen.length = 0;
    await b.list({ pr: ["merged", "closed", "merged"] });
    await b.list({ pr: ["none"] });
    await b.list({ pr: [] }); // an empty filter filters nothing: no term
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      `${BOTH} pr_status:merged,closed`,
      `${BOTH} pr_status:none`,
      BOTH,
    ]);
    assert.equal(b.prFilter, true);
  });
  await t.step("refused (400): left to the fleet from then on, asked once", async () => {
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== "/api/v2/chats") return undefined;
      return r.url.searchParams.get("q")?.includes("pr_status:")
        ? { status: 400, body: { message: "Invalid chat search query." } }
        : { status: 200, body: [chat()] };
    });
    await b.list({});
    seen.length = 0;
    assert.equal((await b.list({ pr: ["open"] })).length, 1);
    await b.list({ pr: ["open"] });
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      `${BOTH} pr_status:open`,
      BOTH,
      BOTH,
    ]);
    assert.equal(b.prFilter, false);
  });
});

const REQ1 = "5b0e2c1a-1111-4111-8111-000000000001";
const REQ2 = "5b0e2c1a-2222-4222-8222-000000000002";
const RECEIPT = "5b0e2c1a-3333-4333-8333-000000000003";

/** A v2.39 send answer carrying its receipt (CreateChatMessageResponse.submission, §12). */
function sentWith(requestId: string, receipt: Record<string, unknown>) {
  return conform("send_response", {
    queued: false,
    submission: { id: RECEIPT, request_id: requestId, chat_id: ID1, ...receipt },
  });
}

Deno.test("current Coder: request_id on sends, receipts, and safe retries", async (t) => {
  const path = `/api/v2/chats/${ID1}/messages`;
  await t.step(
    "receipts: a lost answer is sent again with the same id, where supported",
    async () => {
      let n = 0;
      const { b, seen } = backend((r) => {
        if (r.url.pathname !== path) return undefined;
        n++;
        if (n === 2) return "lost";
        return {
          status: 200,
          body: sentWith(r.body?.request_id as string, { state: "accepted", message_id: n }),
        };
      });
      const a = await b.send(agent, "one", undefined, REQ1);
      assert.match(a.detail, /receipt accepted/);
      const c = await b.send(agent, "two", undefined, REQ2);
      assert.equal(c.outcome, "sent");
      const ids = seen.filter((r) => r.url.pathname === path).map((r) => r.body?.request_id);
      assert.deepEqual(ids, [REQ1, REQ2, REQ2]);
    },
  );
  await t.step("a rejected receipt fails with Coder's reason", async () => {
    const { b } = backend((r) =>
      r.url.pathname === path
        ? { status: 200, body: sentWith(REQ1, { state: "rejected", error: "chat is archived" }) }
        : undefined
    );
    await assert.rejects(
      b.send(agent, "x", undefined, REQ1),
      /: Coder rejected the message \(receipt .*rejected\): chat is archived$/,
    );
  });
  await t.step("an uncertain receipt is uncertain", async () => {
    const { b } = backend((r) =>
      r.url.pathname === path
        ? { status: 200, body: sentWith(REQ1, { state: "uncertain" }) }
        : undefined
    );
    await assert.rejects(
      b.send(agent, "x", undefined, REQ1),
      (e) =>
        e instanceof CoderError && e.uncertain === true &&
        e.route === "POST /api/v2/chats/{chat}/messages",
    );
  });
  await t.step(
    "tolerance: a bare receipt (no message response around it) is read too",
    async () => {
      const { b } = backend((r) =>
        r.url.pathname === path
          ? { status: 200, body: { request_id: REQ1, state: "accepted", queued_message_id: 4 } }
          : undefined
      );
      const r = await b.send(agent, "x", undefined, REQ1);
      assert.equal(r.outcome, "queued");
      assert.match(r.detail, /receipt accepted/);
    },
  );
  await t.step(
    "a create answered by a receipt that names no chat: uncertain, on its route",
    async () => {
      const { b, seen } = backend((r) =>
        r.method === "POST" && r.url.pathname === "/api/v2/chats"
          ? { status: 202, body: { request_id: REQ1, state: "accepted" } }
          : undefined
      );
      const err = await b.create({ prompt: "go", requestId: REQ1 }).catch((e) => e);
      assert.ok(err instanceof CoderError, String(err));
      assert.equal(err.kind, "uncertain");
      assert.equal(err.route, "POST /api/v2/chats");
      assert.match(err.detail ?? "", new RegExp(`accepted request ${REQ1} but named no chat`));
      assert.equal(seen.filter((r) => r.method === "POST").length, 1, "not created again");
      // A long request id is cut in the words.
      const long = "r".repeat(50);
      const { b: b2 } = backend((r) =>
        r.method === "POST" && r.url.pathname === "/api/v2/chats"
          ? { status: 202, body: { request_id: long, state: "accepted" } }
          : undefined
      );
      const cut = await b2.create({ prompt: "go", requestId: long }).catch((e) => e);
      assert.match(cut.detail ?? "", new RegExp(`accepted request ${"r".repeat(39)}… but`));
    },
  );
  await t.step("a create answered by a bare receipt: the chat it names is read", async () => {
    const bare = (receipt: Record<string, unknown>) =>
      backend((r) =>
        r.method === "POST" && r.url.pathname === "/api/v2/chats"
          ? { status: 202, body: { request_id: REQ1, state: "accepted", ...receipt } }
          : r.url.pathname === `/api/v2/chats/${ID1}`
          ? { status: 200, body: chat({ status: "running", title: "by GET" }) }
          : undefined
      );
    const named = bare({ chat_id: ID1 });
    const a = await named.b.create({ prompt: "go", requestId: REQ1 });
    assert.equal(a.id, ID1);
    assert.equal(a.name, "by GET");
    assert.deepEqual(a.receipt, { request_id: REQ1, state: "accepted" });
    assert.equal(named.seen.filter((r) => r.url.pathname === `/api/v2/chats/${ID1}`).length, 1);
    // A receipt that embeds the chat needs no GET.
    const embedded = bare({ chat_id: ID1, chat: chat({ status: "running", title: "embedded" }) });
    assert.equal((await embedded.b.create({ prompt: "go", requestId: REQ1 })).name, "embedded");
    assert.equal(embedded.seen.filter((r) => r.url.pathname === `/api/v2/chats/${ID1}`).length, 0);
  });
  await t.step(
    "a create's receipt is judged: rejected says why, uncertain is uncertain",
    async () => {
      const answered = (receipt: Record<string, unknown>) =>
        backend((r) =>
          r.method === "POST" && r.url.pathname === "/api/v2/chats"
            ? { status: 202, body: { request_id: REQ1, chat_id: ID1, ...receipt } }
            : r.url.pathname === `/api/v2/chats/${ID1}`
            ? { status: 200, body: chat({ status: "running" }) }
            : undefined
        ).b;
      const rejected = await answered({ state: "rejected", error: "over quota" })
        .create({ prompt: "go", requestId: REQ1 }).catch((e) => e);
      assert.match(String(rejected.message), /^Coder rejected the chat \(receipt .*: over quota$/);
      const unsure = await answered({ state: "uncertain" })
        .create({ prompt: "go", requestId: REQ1 }).catch((e) => e);
      assert.ok(unsure instanceof CoderError, String(unsure));
      assert.equal(unsure.kind, "uncertain");
      assert.equal(unsure.route, "POST /api/v2/chats");
    },
  );
  await t.step("a create answers its chat with the receipt in it (Chat.submission)", async () => {
    const { b, seen } = backend((r) =>
      r.method === "POST" && r.url.pathname === "/api/v2/chats"
        ? {
          status: 201,
          body: conform("chat", {
            ...chat({ status: "running" }),
            submission: { id: RECEIPT, request_id: REQ1, chat_id: ID1, state: "accepted" },
          }),
        }
        : undefined
    );
    const a = await b.create({ prompt: "go", requestId: REQ1 });
    assert.equal(a.id, ID1);
    assert.deepEqual(a.receipt, { request_id: REQ1, state: "accepted" });
    assert.equal(seen.filter((r) => r.url.pathname === `/api/v2/chats/${ID1}`).length, 0);
  });
  await t.step(
    "a server that ignores request_id: not sent again, lost answers not retried",
    async () => {
      let n = 0;
      const { b, seen } = backend((r) => {
        if (r.url.pathname !== path) return undefined;
        n++;
        return n === 2
          ? "lost"
          : { status: 200, body: conform("send_response", { queued: false }) };
      });
      await b.send(agent, "one", undefined, REQ1);
      await assert.rejects(b.send(agent, "two", undefined, REQ2));
      const ids = seen.filter((r) => r.url.pathname === path).map((r) => r.body?.request_id);
      assert.deepEqual(ids, [REQ1, undefined]);
    },
  );
  await t.step("a server that refuses request_id (400 naming it): sent again without", async () => {
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== path) return undefined;
      return r.body?.request_id
        ? {
          status: 400,
          body: {
            message: "Invalid request.",
            validations: [{ field: "request_id", detail: "unknown field" }],
          },
        }
        : { status: 200, body: conform("send_response", { queued: false }) };
    });
    assert.equal((await b.send(agent, "one", undefined, REQ1)).outcome, "sent");
    await b.send(agent, "two", undefined, REQ2);
    const ids = seen.filter((r) => r.url.pathname === path).map((r) => r.body?.request_id);
    assert.deepEqual(ids, [REQ1, undefined, undefined]);
  });
});

Deno.test("current Coder: the sources and the search probed like the state filter", async (t) => {
  const invalid = {
    status: 400,
    body: conform("error", {
      message: "Invalid chat search query.",
      validations: [{ field: "q", detail: "bad term" }],
    }),
  };
  await t.step("a Coder that refuses both sources: listed as before, once", async () => {
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== "/api/v2/chats") return undefined;
      return r.url.searchParams.get("q")?.includes(",shared_with_me")
        ? invalid
        : { status: 200, body: [chat()] };
    });
    assert.equal((await b.list({})).length, 1);
    await b.list({});
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [BOTH, null, null]);
    assert.equal(b.sharedSource, false);
  });
  await t.step("a 400 for another reason is not blamed on the probe", async () => {
    const { b, seen } = backend((r) => r.url.pathname === "/api/v2/chats" ? invalid : undefined);
    await assert.rejects(
      b.list({ labels: { team: "" } }),
      (e) => e instanceof CoderError && e.status === 400 && e.coderMessage === invalid.body.message,
    );
    assert.equal(seen.length, 2, "once with the probe, once without");
    assert.equal(b.sharedSource, undefined, "still unknown");
  });
  await t.step(
    "a failure other than 400 is no verdict on the probe: thrown, not retried",
    async () => {
      let n = 0;
      const { b, seen } = backend((r) =>
        r.url.pathname !== "/api/v2/chats"
          ? undefined
          : ++n === 1
          ? { status: 403, body: { message: "Forbidden." } }
          : { status: 200, body: [chat()] }
      );
      await assert.rejects(b.list({}), (e) => e instanceof CoderError && e.status === 403);
      assert.equal(seen.length, 1);
      assert.equal(b.sharedSource, undefined, "still unknown");
      await b.list({});
      assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [BOTH, BOTH]);
      assert.equal(b.sharedSource, true);
    },
  );
  await t.step("search: pushed once probed; a value Coder refuses is matched locally", async () => {
    let refuse = false;
    const { b, seen } = backend((r) => {
      if (r.url.pathname !== "/api/v2/chats") return undefined;
      return refuse && r.url.searchParams.get("q")?.includes("search:")
        ? invalid
        : { status: 200, body: [chat()] };
    });
    await b.list({});
    const hit = await b.list({ query: "flaky tests" });
    assert.equal(hit.queryMatched, true);
    refuse = true;
    const miss = await b.list({ query: "other words" });
    assert.equal(miss.queryMatched, undefined, "the fleet matches it itself");
    assert.equal(b.searchFilter, true, "still taken: that value was refused, not the term");
    assert.deepEqual(seen.map((r) => r.url.searchParams.get("q")), [
      BOTH,
      `${BOTH} search:"flaky tests"`,
      `${BOTH} search:"other words"`,
      BOTH,
    ]);
  });
  await t.step("a query Coder cannot run stays local: no searchable word, a quote", async () => {
    const { b, seen } = backend((r) =>
      r.url.pathname === "/api/v2/chats" ? { status: 200, body: [chat()] } : undefined
    );
    await b.list({});
    for (const query of ["the", "to be or not", "--", 'say "hi"']) {
      const l = await b.list({ query });
      assert.equal(l.queryMatched, undefined, query);
    }
    assert.ok(seen.every((r) => !r.url.searchParams.get("q")?.includes("search:")));
  });
});

Deno.test("search: a query of Postgres' English stopwords alone is not pushed (it finds nothing)", () => {
  for (
    const q of [
      "myself yourselves",
      "herself itself",
      "themselves whom",
      "further once",
      "should just now",
      "Which of THESE?",
    ]
  ) assert.equal(searchTerm(q), undefined, q);
  assert.equal(searchTerm("the flaky tests"), 'search:"the flaky tests"');
  assert.equal(searchTerm("  flaky  "), "search:flaky", "trimmed");
});
