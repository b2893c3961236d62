/**
 * Archiving a chat (`backends/chats/archive.ts`) over a stubbed Coder: an active chat is
 * interrupted, looked at until it is no longer active, then archived; each answer of Coder's
 * along the way (reference §4 and §7) leads where it should, and nothing else is swallowed.
 */
import assert from "node:assert/strict";
import { type Req, type Route, stubBackend } from "./stub.ts";
import { minimalChat } from "../../fixtures/chats/schemas.ts";
import type { Agent } from "../../../src/model/agent.ts";
import { CoderError } from "../../../src/coder/errors.ts";
import { withBudget } from "../../../src/coder/budget.ts";
import { FleetError } from "../../../src/model/backend.ts";

const ID = "11111111-1111-4111-8111-111111111111";
const CHAT = `/api/v2/chats/${ID}`;
const INTERRUPT = `${CHAT}/interrupt`;

const chat = (status: string) => ({ status: 200, body: minimalChat({ id: ID, status }) });
const coder = (status: number, message: string) => ({ status, body: { message } });

/** The chat as the fleet last saw it. */
const agent = (state: Agent["state"]) =>
  ({ id: ID, kind: "chat", name: "Fix the build", owner: "alice", state }) as Agent;

/** The back end on `route`, and the requests it made as `METHOD path`. */
function archiving(route: Route) {
  const { b, seen } = stubBackend(route);
  return { b, sent: () => seen.map((r: Req) => `${r.method} ${r.url.pathname}`) };
}

Deno.test("archive: an active chat is interrupted, then archived", async (t) => {
  await t.step("the interrupt answers the chat, waiting: archived at once", async () => {
    const { b, sent } = archiving((r) =>
      r.url.pathname === INTERRUPT
        ? chat("waiting")
        : r.method === "PATCH"
        ? { status: 204 }
        : undefined
    );
    assert.deepEqual(await b.remove(agent("working")), {
      outcome: "done",
      detail: "interrupted, then archived",
    });
    assert.deepEqual(sent(), [`POST ${INTERRUPT}`, `PATCH ${CHAT}`]);
  });

  await t.step(
    "409 to the interrupt (it finished meanwhile): looked at, then archived",
    async () => {
      const { b, sent } = archiving((r) =>
        r.url.pathname === INTERRUPT
          ? coder(409, "Chat is not in an interruptible state.")
          : r.method === "GET"
          ? chat("waiting")
          : r.method === "PATCH"
          ? { status: 204 }
          : undefined
      );
      assert.deepEqual(await b.remove(agent("working")), {
        outcome: "done",
        detail: "interrupted, then archived",
      });
      assert.deepEqual(sent(), [`POST ${INTERRUPT}`, `GET ${CHAT}`, `PATCH ${CHAT}`]);
    },
  );

  await t.step("still interrupting: looked at again until it is not", async () => {
    let looks = 0;
    const { b, sent } = archiving((r) => {
      if (r.url.pathname === INTERRUPT) return { status: 200 }; // no body: looked at below
      if (r.method === "GET") return chat(++looks < 2 ? "interrupting" : "waiting");
      return r.method === "PATCH" ? { status: 204 } : undefined;
    });
    assert.equal((await b.remove(agent("starting"))).outcome, "done");
    assert.deepEqual(sent(), [`POST ${INTERRUPT}`, `GET ${CHAT}`, `GET ${CHAT}`, `PATCH ${CHAT}`]);
  });

  await t.step("an archived chat (400 to the interrupt) is skipped", async () => {
    const { b, sent } = archiving((r) =>
      r.url.pathname === INTERRUPT ? coder(400, "Cannot interrupt an archived chat.") : undefined
    );
    assert.deepEqual(await b.remove(agent("working")), {
      outcome: "skipped",
      detail: "already archived",
    });
    assert.deepEqual(sent(), [`POST ${INTERRUPT}`]);
  });

  await t.step("another failure of the interrupt is the error: nothing archived", async () => {
    const { b, sent } = archiving((r) =>
      r.url.pathname === INTERRUPT ? coder(500, "Internal error.") : undefined
    );
    await assert.rejects(
      b.remove(agent("working")),
      (e) => e instanceof CoderError && e.status === 500,
    );
    assert.deepEqual(sent(), [`POST ${INTERRUPT}`]);
  });
});

Deno.test("archive: an idle chat is archived; Coder's 409 means it started meanwhile", async (t) => {
  await t.step("409: interrupted, then archived", async () => {
    let patches = 0;
    const { b, sent } = archiving((r) => {
      if (r.method === "PATCH") {
        return ++patches === 1
          ? coder(
            409,
            "Cannot archive an active chat. Interrupt or wait for the chat to finish first.",
          )
          : { status: 204 };
      }
      return r.url.pathname === INTERRUPT ? chat("waiting") : undefined;
    });
    assert.deepEqual(await b.remove(agent("idle")), {
      outcome: "done",
      detail: "interrupted, then archived",
    });
    assert.deepEqual(sent(), [`PATCH ${CHAT}`, `POST ${INTERRUPT}`, `PATCH ${CHAT}`]);
  });

  /** A chat Coder never lets archive: every PATCH is 409, its interrupt answers `waiting`. */
  const alwaysActive: Route = (r) =>
    r.method === "PATCH"
      ? coder(409, "Cannot archive an active chat.")
      : r.url.pathname === INTERRUPT
      ? chat("waiting")
      : undefined;

  await t.step("409 again after the interrupt: the error, not another round", async () => {
    const { b, sent } = archiving(alwaysActive);
    await assert.rejects(
      b.remove(agent("idle")),
      (e) => e instanceof CoderError && e.status === 409,
    );
    assert.deepEqual(sent(), [`PATCH ${CHAT}`, `POST ${INTERRUPT}`, `PATCH ${CHAT}`]);
  });

  await t.step(
    "a listed-working chat refused with 409 after its interrupt: not retried",
    async () => {
      const { b, sent } = archiving(alwaysActive);
      await assert.rejects(
        b.remove(agent("working")),
        (e) => e instanceof CoderError && e.status === 409,
      );
      assert.deepEqual(sent(), [`POST ${INTERRUPT}`, `PATCH ${CHAT}`]);
    },
  );

  await t.step("a 400 for another reason is the error, not a skip", async () => {
    const { b } = archiving((r) =>
      r.method === "PATCH"
        ? coder(400, "Chat archive state can only be changed on the root chat.")
        : undefined
    );
    await assert.rejects(b.remove(agent("idle")), /root chat/);
  });

  await t.step("an error chat is not active: archived without an interrupt", async () => {
    const { b, seen } = stubBackend((r) => r.method === "PATCH" ? { status: 204 } : undefined);
    assert.deepEqual(await b.remove(agent("error")), { outcome: "done", detail: "archived" });
    assert.deepEqual(seen.map((r) => [`${r.method} ${r.url.pathname}`, r.body]), [
      [`PATCH ${CHAT}`, { archived: true }],
    ]);
  });
});

Deno.test("archive: a chat that does not settle within the call's budget", async (t) => {
  // 1.6 s of budget leaves nothing to wait once the archive's own 1.5 s is kept back: the first
  // look finds it still active, so the error comes at once.
  const stuck = (body?: unknown) =>
    archiving((r) => r.url.pathname === INTERRUPT ? { status: 200, body } : undefined);

  await t.step("is not archived, and the error says so and what to do", async () => {
    const { b, sent } = stuck(minimalChat({ id: ID, status: "interrupting" }));
    const err = await withBudget(1_600, () => b.remove(agent("working"))).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.equal(
      err.message,
      `Chat "Fix the build" (${ID}) was interrupted but is still interrupting after 0.0 s, so ` +
        "it was not archived: Coder refuses to archive an active chat.",
    );
    assert.equal(err.next, "wait_for_agents on it until it settles, then delete_agents again");
    assert.deepEqual(sent(), [`POST ${INTERRUPT}`]);
  });

  await t.step("an interrupt that answered no chat reads as still active", async () => {
    const { b } = stuck();
    const err = await withBudget(1_600, () => b.remove(agent("working"))).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.match(err.message, /is still active after 0\.0 s/);
  });

  await t.step("a long name is cut at 80 characters", async () => {
    const { b } = stuck(minimalChat({ id: ID, status: "running" }));
    const long = { ...agent("working"), name: "n".repeat(100) };
    const err = await withBudget(1_600, () => b.remove(long)).catch((e) => e);
    assert.ok(err instanceof FleetError, String(err));
    assert.ok(err.message.startsWith(`Chat "${"n".repeat(79)}…" (${ID})`), err.message);
  });
});
