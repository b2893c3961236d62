/**
 * Id fields as Coder really sends them: a `uuid.NullUUID` object `{uuid, valid}` on current
 * servers, a plain UUID string or `null` on older ones (recorded v2.27 traffic).
 */
import { z } from "zod";

const ZERO_UUID = /^0{8}-0{4}-0{4}-0{4}-0{12}$/;

/** An id field as sent (validated, not normalised): a string, a `{uuid, valid}` object, or null. */
export const WireId = z
  .union([
    z.string(),
    z.object({ uuid: z.string().nullish(), valid: z.boolean().nullish() }),
  ])
  .nullish();

/** An id field as sent. */
export type WireId = z.infer<typeof WireId>;

/**
 * Normalise an id field: a string, or `undefined` when absent, null, invalid, empty or the zero
 * UUID.
 */
export function idOf(v: WireId): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v && !ZERO_UUID.test(v) ? v : undefined;
  if (v.valid === false || !v.uuid || ZERO_UUID.test(v.uuid)) return undefined;
  return v.uuid;
}

/**
 * An id that may be a string, a `uuid.NullUUID` object, null, or absent. Normalised to a string,
 * or `undefined` when absent, null, invalid, empty or the zero UUID.
 */
export const NullableId = WireId.transform(idOf);
