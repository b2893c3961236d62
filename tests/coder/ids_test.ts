/** Id fields as Coder sends them (src/coder/ids.ts): what counts as no id. */
import assert from "node:assert/strict";
import { idOf, WireId } from "../../src/coder/ids.ts";

const ID = "3f0b5d8e-2a41-4c7e-9d3a-1b2c3d4e5f60";
const ZERO = "00000000-0000-0000-0000-000000000000";

Deno.test("idOf: an object without a uuid, or only the zero UUID's look-alikes, as sent", () => {
  assert.equal(idOf({ uuid: "", valid: true }), undefined);
  assert.equal(idOf({ uuid: null, valid: true }), undefined);
  assert.equal(idOf({ valid: true }), undefined);
  assert.equal(idOf({ uuid: ID, valid: null }), ID, "valid absent or null: the uuid decides");
  // Only the whole zero UUID is no id: an id that merely contains or resembles it is kept.
  for (const id of [`${ZERO}1`, `1${ZERO}`, "00000000-0000-0000-0000-00000000000", "0"]) {
    assert.equal(idOf(id), id);
    assert.equal(idOf({ uuid: id, valid: true }), id);
  }
  assert.equal(WireId.safeParse(7).success, false, "a number is no id field");
});
