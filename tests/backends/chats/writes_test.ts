/**
 * The chat writes' helpers (src/backends/chats/writes.ts): which 400 names a field an older Coder
 * refused, and how a receipt that is neither accepted nor rejected is said.
 */
import assert from "node:assert/strict";
import { CoderError } from "../../../src/coder/errors.ts";
import {
  checkReceipt,
  idempotent,
  namesField,
  receiptNote,
  type RequestIdSupport,
  type WithReceipt,
} from "../../../src/backends/chats/writes.ts";
import { FleetError } from "../../../src/model/backend.ts";

const bad = (init: Partial<ConstructorParameters<typeof CoderError>[0]>) =>
  new CoderError({ status: 400, route: "POST /api/v2/chats", kind: "http", ...init });

Deno.test("namesField: a 400 that names the field, in its message, detail or validations", () => {
  assert.equal(namesField(bad({ coderMessage: "Unknown field title" }), "title"), true);
  assert.equal(namesField(bad({ detail: 'json: unknown field "title"' }), "title"), true);
  // Words apart: a message without a final stop, then the validation's field.
  const v = bad({
    coderMessage: "Invalid request",
    validations: [{ field: "title", detail: "x" }],
  });
  assert.equal(namesField(v, "title"), true);
  assert.equal(namesField(bad({ coderMessage: "subtitle is not allowed" }), "title"), false);
  assert.equal(namesField(bad({ coderMessage: "Unknown field Title" }), "title"), true, "any case");
  assert.equal(
    namesField(bad({ coderMessage: "title", status: 500, kind: "http" }), "title"),
    false,
  );
});

Deno.test("checkReceipt: accepted passes, rejected says why, anything else is uncertain by name", () => {
  const receipt = (state: string) => ({ request_id: "r-1", state });
  checkReceipt(receipt("accepted"), "POST /api/v2/chats", "chat");
  assert.throws(
    () => checkReceipt({ ...receipt("rejected"), error: "quota" }, "POST /x", "message"),
    (e) => e instanceof FleetError && /rejected the message .*: quota$/.test(e.message),
  );
  for (const [state, says] of [["reserved", "says reserved"], ["", "says nothing"]]) {
    assert.throws(
      () => checkReceipt(receipt(state), "POST /api/v2/chats", "chat"),
      (e) =>
        e instanceof CoderError && e.kind === "uncertain" && e.route === "POST /api/v2/chats" &&
        e.detail === `Coder's receipt for request r-1 ${says}`,
      state,
    );
  }
});

Deno.test("idempotent: request_id support is learned from the first answer", async (t) => {
  const receipt = { request_id: "r-1", state: "accepted" };
  /** A write that answers `answers` in turn (an Error is thrown), recording each call. */
  const write = (...answers: (WithReceipt & { queued?: boolean } | Error)[]) => {
    const calls: [string | undefined, boolean | undefined][] = [];
    const call = (id?: string, retrySafe?: boolean) => {
      calls.push([id, retrySafe]);
      const a = answers[Math.min(calls.length, answers.length) - 1];
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    };
    return { calls, call };
  };
  const lost = (kind: "network" | "timeout" | "uncertain" = "network") =>
    new CoderError({ status: 0, route: "POST /api/v2/chats", kind, detail: "reset" });

  await t.step("no request id, or a server known not to take one: sent without", async () => {
    const w = write({ receipt });
    await idempotent({}, undefined, w.call);
    await idempotent({ supported: false }, "r-1", w.call);
    assert.deepEqual(w.calls, [[undefined, undefined], [undefined, undefined]]);
  });

  await t.step("a receipt: supported, and later writes may be retried", async () => {
    const support: RequestIdSupport = {};
    const w = write({ receipt });
    assert.deepEqual(await idempotent(support, "r-1", w.call), { receipt });
    assert.equal(support.supported, true);
    await idempotent(support, "r-2", w.call);
    assert.deepEqual(w.calls, [["r-1", false], ["r-2", true]]);
  });

  await t.step("a plain answer: the field was ignored, not supported", async () => {
    const support: RequestIdSupport = {};
    await idempotent(support, "r-1", write({}).call);
    assert.equal(support.supported, false);
    // Once supported, a plain answer does not unlearn it.
    const known: RequestIdSupport = { supported: true };
    await idempotent(known, "r-1", write({}).call);
    assert.equal(known.supported, true);
  });

  await t.step("a 400 naming request_id: nothing written; sent again without it", async () => {
    const support: RequestIdSupport = {};
    const w = write(bad({ coderMessage: 'unknown field "request_id"' }), { queued: false });
    assert.deepEqual(await idempotent(support, "r-1", w.call), { queued: false });
    assert.equal(support.supported, false);
    assert.deepEqual(w.calls, [["r-1", false], [undefined, undefined]]);
    // A 400 for another reason, support unknown: the error, nothing learned.
    const other: RequestIdSupport = {};
    const refused = write(bad({ coderMessage: "Invalid request" }), { queued: false });
    await assert.rejects(idempotent(other, "r-1", refused.call), /Invalid request/);
    assert.equal(other.supported, undefined);
    assert.equal(refused.calls.length, 1);
    // A server known to take it is not second-guessed: its 400 is the error.
    const known = write(bad({ coderMessage: 'bad "request_id"' }));
    await assert.rejects(idempotent({ supported: true }, "r-1", known.call), CoderError);
    assert.equal(known.calls.length, 1);
  });

  await t.step("a lost answer is sent again with the same id, twice at most", async () => {
    // Timed out, or answered in a way that leaves its fate unknown: lost all the same.
    const w = write(lost("timeout"), lost("uncertain"), { receipt });
    assert.deepEqual(await idempotent({ supported: true }, "r-1", w.call), { receipt });
    assert.deepEqual(w.calls, [["r-1", true], ["r-1", true], ["r-1", true]]);
    const never = write(lost());
    await assert.rejects(idempotent({ supported: true }, "r-1", never.call), /reset/);
    assert.equal(never.calls.length, 3, "the write and two retries");
  });

  await t.step("a lost answer where support is unknown is not sent again", async () => {
    const w = write(lost(), { receipt });
    await assert.rejects(idempotent({}, "r-1", w.call), /reset/);
    assert.equal(w.calls.length, 1);
    const refused = write(bad({ coderMessage: "Invalid request" }), { receipt });
    await assert.rejects(idempotent({ supported: true }, "r-1", refused.call), /Invalid request/);
    assert.equal(refused.calls.length, 1);
  });
});

Deno.test("checkReceipt: the words of a rejected or uncertain receipt, capped", () => {
  const rejected = (receipt: Record<string, unknown>) => {
    try {
      checkReceipt({ request_id: "r-1", state: "rejected", ...receipt }, "POST /x", "chat");
    } catch (e) {
      assert.ok(e instanceof FleetError, String(e));
      return e;
    }
    assert.fail("not rejected");
  };
  const plain = rejected({});
  assert.equal(plain.message, "Coder rejected the chat (receipt r-1: rejected): no reason given");
  assert.equal(plain.next, "fix what the reason names, then try again");
  assert.match(rejected({ error: { detail: "over quota" } }).message, /: over quota$/);
  assert.match(rejected({ error: { message: "m", detail: "d" } }).message, /: m$/);
  const long = rejected({ request_id: "r".repeat(50), error: "w".repeat(400) }).message;
  assert.ok(long.includes(`(receipt ${"r".repeat(39)}…: rejected)`), long);
  assert.ok(long.endsWith(`: ${"w".repeat(299)}…`), long);
  try {
    checkReceipt({ request_id: "q".repeat(50), state: "s".repeat(50) }, "POST /x", "chat");
    assert.fail("not uncertain");
  } catch (e) {
    assert.ok(e instanceof CoderError, String(e));
    assert.equal(e.status, 200, "Coder answered, with a receipt that settles nothing");
    assert.equal(
      e.detail,
      `Coder's receipt for request ${"q".repeat(39)}… says ${"s".repeat(39)}…`,
    );
  }
});

Deno.test("receiptNote: a write's detail names its receipt's state, capped", () => {
  assert.equal(receiptNote(undefined), "");
  assert.equal(receiptNote({ request_id: "r", state: "accepted" }), " (receipt accepted)");
  assert.equal(
    receiptNote({ request_id: "r", state: "a".repeat(50) }),
    ` (receipt ${"a".repeat(39)}…)`,
  );
});
