/**
 * Lists whose items are parsed one by one: a malformed item is skipped with a one-line reason,
 * so one bad task or chat never fails a whole back end.
 *
 * Items are validated with a plain object schema (no per-field transform), through its plain
 * twin (`fast_check.ts`: the same acceptance, without zod's per-field garbage) where it has one,
 * and then normalised in code, once per item. Zod itself explains an item that fails.
 */
import { z } from "zod";
import { fastCheckOf, REJECTED } from "./fast_check.ts";

/** The items that parsed, and a reason for each one that did not. */
export interface ItemsOf<T> {
  items: T[];
  skipped: string[];
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const arrays = new WeakMap<z.ZodType, z.ZodType>();

/** `z.array(wire)`, built once per item schema. */
function arrayOf<W>(wire: z.ZodType<W>): z.ZodType<W[]> {
  let a = arrays.get(wire);
  if (!a) arrays.set(wire, a = z.array(wire));
  return a as z.ZodType<W[]>;
}

/**
 * Validate each item of `raw` (an array, or null/undefined for none) with `wire`, then normalise
 * it with `normalize`. An item that fails validation is left out and named in `skipped`; `what`
 * names an item in the reasons, e.g. `task`.
 */
export function parseItems<W, T>(
  raw: readonly unknown[] | null | undefined,
  wire: z.ZodType<W>,
  normalize: (w: W) => T,
  what: string,
): ItemsOf<T> {
  const items: T[] = [];
  const skipped: string[] = [];
  if (!raw) return { items, skipped };
  const fast = fastCheckOf(wire);
  if (fast) {
    for (let i = 0; i < raw.length; i++) {
      const w = fast(raw[i]);
      if (w !== REJECTED) items.push(normalize(w as W));
      else one(i); // zod decides, and explains
    }
    return { items, skipped };
  }
  // The common case, every item well-formed: one check of the whole array, no per-item results.
  const whole = arrayOf(wire).safeParse(raw);
  if (whole.success) {
    for (const w of whole.data) items.push(normalize(w));
    return { items, skipped };
  }
  for (let i = 0; i < raw.length; i++) one(i);
  return { items, skipped };

  /** Parse item `i` with zod: kept, or named in `skipped` with zod's first issue. */
  function one(i: number) {
    const value = raw![i];
    const parsed = wire.safeParse(value);
    if (parsed.success) {
      items.push(normalize(parsed.data));
      return;
    }
    const issue = parsed.error.issues[0];
    const id = (value as { id?: unknown } | null | undefined)?.id;
    const named = typeof id === "string" && SAFE_ID.test(id) ? ` (id ${id})` : "";
    const where = issue?.path.join(".") || "item";
    skipped.push(
      `${what} #${i + 1}${named} skipped, malformed: ${where}: ${
        (issue?.message ?? "invalid").slice(0, 120)
      }`,
    );
  }
}

/**
 * A schema for an array (or null) whose items are parsed with `item` one at a time (see
 * {@link parseItems}). `what` names an item in the reasons, e.g. `task`.
 */
export function itemsOf<T>(item: z.ZodType<T>, what: string) {
  return z.array(z.unknown()).nullish().transform((raw): ItemsOf<T> =>
    parseItems(raw, item, (x) => x, what)
  );
}
