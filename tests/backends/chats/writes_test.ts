/**
 * The chat writes' helpers (src/backends/chats/writes.ts): which 400 names a field an older Coder
 * refused, and how a receipt that is neither accepted nor rejected is said.
 */
import assert from "node:assert/strict";
import { CoderError } from "../../../src/coder/errors.ts";
import { checkReceipt, namesField } from "../../../src/backends/chats/writes.ts";
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
