/**
 * The simulator's rules of Coder v2.39 (the `current` profile) over HTTP, and where the older
 * profiles keep their own: whose chats the caller sees (its own by default, those shared with it
 * on asking, never the other users', whatever its roles), who may write (the owner; 403 on a
 * send, 404 on an update or interrupt), archiving an active chat (409), the create's
 * `organization_id`, `title` and `owner_id`, the list's `pr_status:` and `search:` terms, and
 * truth() counting what the caller sees.
 */
import assert from "node:assert/strict";
import { startSim } from "../../src/sim/server.ts";
import type { Sim, SimOptions } from "../../src/sim/api.ts";

type Json = Record<string, unknown>;

async function withSim(opts: SimOptions, fn: (sim: Sim) => Promise<void>) {
  const sim = await startSim({ frozen: true, pace: 20, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

async function call(sim: Sim, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { "Coder-Session-Token": sim.token },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // deno-lint-ignore no-explicit-any
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
}

const list = async (sim: Sim, q?: string) => {
  const r = await call(sim, "GET", `/api/v2/chats${q ? `?q=${encodeURIComponent(q)}` : ""}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Json[];
};
const ids = (chats: Json[]) => chats.map((c) => c.id as string).sort();

Deno.test("v2.39 sim: whose chats the caller sees", async (t) => {
  await withSim({ profile: "current", chats: 40, seed: 2 }, async (sim) => {
    const own = sim.chatIds("own");
    const shared = sim.chatIds("shared");
    const hidden = sim.chatIds("hidden");
    assert.ok(own.length > 0 && shared.length > 0 && hidden.length > 0);

    await t.step("by default, only the caller's own chats, though it is an owner", async () => {
      const me = (await call(sim, "GET", "/api/v2/users/me")).body;
      assert.ok(me.roles.some((r: Json) => r.name === "owner"), "the caller is a site owner");
      assert.deepEqual(ids(await list(sim)), [...own].sort());
      assert.deepEqual(ids(await list(sim, "source:created_by_me")), [...own].sort());
    });

    await t.step("shared chats only when asked, alone or with the caller's own", async () => {
      const only = await list(sim, "source:shared_with_me");
      assert.deepEqual(ids(only), [...shared].sort());
      for (const c of only) assert.equal(c.shared, true);
      const both = await list(sim, "source:created_by_me,shared_with_me");
      assert.deepEqual(ids(both), [...own, ...shared].sort());
      assert.deepEqual(
        ids(await list(sim, "source:created_by_me source:shared_with_me")),
        ids(both),
      );
    });

    await t.step("the other users' chats are never listed and a read answers 404", async () => {
      const everything = await list(sim, "source:created_by_me,shared_with_me");
      for (const id of hidden) {
        assert.ok(!everything.some((c) => c.id === id));
        const r = await call(sim, "GET", `/api/v2/chats/${id}`);
        assert.equal(r.status, 404);
        assert.deepEqual(r.body, {
          message: "Resource not found or you do not have access to this resource",
        });
      }
    });

    await t.step("truth() counts what the caller sees", () => {
      const truth = sim.truth();
      assert.equal(truth.total, own.length + shared.length);
      for (const id of hidden) assert.equal(truth.by_id[id], undefined);
    });

    await t.step("the list is newest first (updated_at, then id)", async () => {
      const times = (await list(sim)).map((c) => Date.parse(c.updated_at as string));
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
    });
  });
});

Deno.test("v2.39 sim: only the owner writes; archiving an active chat is 409", async (t) => {
  await withSim({ profile: "current", chats: 40, seed: 2 }, async (sim) => {
    const [shared] = sim.chatIds("shared");
    const status = (id: string) => (sim.chat(id) as Json).status;
    const text = { content: [{ type: "text", text: "hello" }] };

    await t.step("a shared chat: send 403, interrupt and update 404, nothing changes", async () => {
      const before = sim.chatMessages(shared);
      const send = await call(sim, "POST", `/api/v2/chats/${shared}/messages`, text);
      assert.deepEqual([send.status, send.body.message], [
        403,
        "Only the chat owner may send messages.",
      ]);
      sim.setChat(shared, { status: "running" });
      assert.equal((await call(sim, "POST", `/api/v2/chats/${shared}/interrupt`)).status, 404);
      const patch = await call(sim, "PATCH", `/api/v2/chats/${shared}`, { archived: true });
      assert.equal(patch.status, 404);
      assert.equal(sim.chatMessages(shared), before);
      assert.equal(status(shared), "running");
      assert.equal((sim.chat(shared) as Json).archived, false);
    });

    await t.step(
      "the owner: 409 archiving while running, interrupting, then archived",
      async () => {
        const id = sim.chatIds("own").find((x) => status(x) === "waiting")!;
        sim.setChat(id, { status: "running" });
        const refused = await call(sim, "PATCH", `/api/v2/chats/${id}`, { archived: true });
        assert.deepEqual([refused.status, refused.body.message], [
          409,
          "Cannot archive an active chat. Interrupt or wait for the chat to finish first.",
        ]);
        const i = await call(sim, "POST", `/api/v2/chats/${id}/interrupt`);
        assert.equal(i.status, 200);
        assert.equal(i.body.status, "interrupting");
        const still = await call(sim, "PATCH", `/api/v2/chats/${id}`, { archived: true });
        assert.equal(still.status, 409, "still interrupting");
        sim.clock.advance(10_000);
        assert.equal(status(id), "waiting");
        assert.equal(
          (await call(sim, "PATCH", `/api/v2/chats/${id}`, { archived: true })).status,
          204,
        );
        const twice = await call(sim, "PATCH", `/api/v2/chats/${id}`, { archived: true });
        assert.deepEqual([twice.status, twice.body.message], [400, "Chat is already archived."]);
        const back = await call(sim, "PATCH", `/api/v2/chats/${id}`, { archived: false });
        assert.equal(back.status, 204);
        const again = await call(sim, "PATCH", `/api/v2/chats/${id}`, { archived: false });
        assert.deepEqual([again.status, again.body.message], [400, "Chat is not archived."]);
        const idle = await call(sim, "POST", `/api/v2/chats/${id}/interrupt`);
        assert.deepEqual([idle.status, idle.body.message], [
          409,
          "Chat is not in an interruptible state.",
        ]);
      },
    );
  });
});

Deno.test("v2.39 sim: create takes organization_id, title and owner_id", async (t) => {
  await withSim({ profile: "current", chats: 6, seed: 2 }, async (sim) => {
    const org = (await call(sim, "GET", "/api/v2/users/me/organizations")).body[0].id;
    const content = [{ type: "text", text: "Write the release notes" }];

    await t.step("no organization_id: 400", async () => {
      const r = await call(sim, "POST", "/api/v2/chats", { content });
      assert.deepEqual([r.status, r.body.message], [400, "organization_id is required."]);
    });

    await t.step("title is the chat's title; older profiles ignore it", async () => {
      const r = await call(sim, "POST", "/api/v2/chats", {
        organization_id: org,
        content,
        title: "  Release notes  ",
      });
      assert.equal(r.status, 201);
      assert.equal(r.body.title, "Release notes");
      const long = await call(sim, "POST", "/api/v2/chats", {
        organization_id: org,
        content,
        title: "x".repeat(201),
      });
      assert.equal(long.status, 400);
    });

    await t.step("owner_id: another user owns it, and the creator cannot see it", async () => {
      const bob = (await call(sim, "GET", "/api/v2/users/bob")).body;
      const r = await call(sim, "POST", "/api/v2/chats", {
        organization_id: org,
        content,
        owner_id: bob.id,
      });
      assert.equal(r.status, 201);
      assert.equal(r.body.owner_id, bob.id);
      assert.equal((await call(sim, "GET", `/api/v2/chats/${r.body.id}`)).status, 404);
      const all = await list(sim, "source:created_by_me,shared_with_me");
      assert.ok(!all.some((c) => c.id === r.body.id));
      assert.ok(sim.chatIds("hidden").includes(r.body.id));
      const nobody = await call(sim, "POST", "/api/v2/chats", {
        organization_id: org,
        content,
        owner_id: crypto.randomUUID(),
      });
      assert.equal(nobody.status, 400);
    });
  });
  await withSim({ profile: "chats", chats: 2, seed: 2 }, async (sim) => {
    await t.step("v2.37: title and owner_id ignored, organization optional", async () => {
      const r = await call(sim, "POST", "/api/v2/chats", {
        content: [{ type: "text", text: "Write the release notes" }],
        title: "Release notes",
        owner_id: crypto.randomUUID(),
      });
      assert.equal(r.status, 201);
      assert.equal(r.body.title, "Write the release notes");
      assert.equal(r.body.owner_username, sim.username);
    });
  });
});

Deno.test("v2.39 sim: pull requests and the list's pr_status: and search: terms", async (t) => {
  await withSim({ profile: "current", chats: 60, seed: 2 }, async (sim) => {
    const mine = await list(sim);
    const stateOf = (c: Json) => {
      const d = c.diff_status as Json | undefined;
      return !d ? "none" : d.pull_request_draft ? "draft" : String(d.pull_request_state);
    };

    await t.step("a share of the chats carry a pull request", () => {
      const withPr = mine.filter((c) => c.diff_status);
      assert.ok(withPr.length >= 3 && withPr.length < mine.length, `${withPr.length}`);
      for (const c of withPr) {
        const d = c.diff_status as Json;
        assert.equal(d.chat_id, c.id);
        assert.match(String(d.url), /\/pull\/\d+$/);
        assert.equal(typeof d.pr_number, "number");
      }
    });

    await t.step("pr_status: one state, several (OR), none", async () => {
      for (const s of ["draft", "open", "merged", "closed", "none"]) {
        const want = mine.filter((c) => stateOf(c) === s).map((c) => c.id).sort();
        assert.deepEqual(ids(await list(sim, `pr_status:${s}`)), want, s);
      }
      const either = mine.filter((c) => ["merged", "closed"].includes(stateOf(c)));
      assert.deepEqual(ids(await list(sim, "pr_status:merged,closed")), ids(either));
      const bad = await call(sim, "GET", `/api/v2/chats?q=${encodeURIComponent("pr_status:x")}`);
      assert.equal(bad.status, 400);
    });

    await t.step("search: words by stem in the conversation; stopwords find nothing", async () => {
      const id = sim.chatIds("own").find((x) => (sim.chat(x) as Json).status === "waiting")!;
      const word = "zanzibarquest";
      await call(sim, "POST", `/api/v2/chats/${id}/messages`, {
        content: [{ type: "text", text: `Look into the ${word}s please` }],
      });
      assert.deepEqual(ids(await list(sim, `search:${word}`)), [id], "a stem of the message");
      assert.deepEqual(await list(sim, "search:zanzibar"), [], "not a substring");
      assert.deepEqual(await list(sim, 'search:"the and of"'), [], "only stopwords");
      const r = await call(
        sim,
        "GET",
        `/api/v2/chats?q=${encodeURIComponent(`search:${word} title:x`)}`,
      );
      assert.deepEqual([r.status, r.body.message], [400, "Invalid chat search query."]);
    });
  });
});

Deno.test("older profiles keep their own rules (v2.37)", async () => {
  await withSim({ profile: "chats", chats: 24, seed: 2 }, async (sim) => {
    // Every owner's chats are listed, and open to the caller's writes.
    const all = await list(sim);
    assert.ok(new Set(all.map((c) => c.owner_username)).size > 1);
    assert.equal(sim.truth().by_kind.chat, all.length);
    // One source at a time: a comma-separated pair is 400 (the back end's probe).
    const pair = await call(
      sim,
      "GET",
      `/api/v2/chats?q=${encodeURIComponent("source:created_by_me,shared_with_me")}`,
    );
    assert.equal(pair.status, 400);
    const running = all.find((c) => c.status === "running" && c.owner_username !== sim.username)!;
    const patch = await call(sim, "PATCH", `/api/v2/chats/${running.id}`, { archived: true });
    assert.equal(patch.status, 204, "an active chat is archived as it is");
  });
});
