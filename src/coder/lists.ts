/**
 * Lists whose items are parsed one by one: a malformed item is skipped with a one-line reason,
 * so one bad task or chat never fails a whole back end.
 */
import { z } from "zod";

/** The items that parsed, and a reason for each one that did not. */
export interface ItemsOf<T> {
  items: T[];
  skipped: string[];
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A schema for an array (or null) whose items are parsed with `item` one at a time. `what`
 * names an item in the reasons, e.g. `task`.
 */
export function itemsOf<T>(item: z.ZodType<T>, what: string) {
  return z.array(z.unknown()).nullish().transform((raw): ItemsOf<T> => {
    const items: T[] = [];
    const skipped: string[] = [];
    (raw ?? []).forEach((value, i) => {
      const parsed = item.safeParse(value);
      if (parsed.success) {
        items.push(parsed.data);
        return;
      }
      const issue = parsed.error.issues[0];
      const id = value && typeof value === "object" ? (value as { id?: unknown }).id : undefined;
      const named = typeof id === "string" && SAFE_ID.test(id) ? ` (id ${id})` : "";
      const where = issue?.path.join(".") || "item";
      skipped.push(
        `${what} #${i + 1}${named} skipped, malformed: ${where}: ${
          (issue?.message ?? "invalid").slice(0, 120)
        }`,
      );
    });
    return { items, skipped };
  });
}
