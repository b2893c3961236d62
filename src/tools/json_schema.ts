/**
 * The JSON Schema a tool shows in tools/list, compact: what an LLM client reads on every session,
 * so every byte counts. Two things zod's default conversion spends bytes on are dropped:
 *
 * - the bounds it writes on every integer (`minimum: -9007199254740991`, `maximum:
 *   9007199254740991`: JavaScript's safe range, which says nothing to a client); real bounds
 *   (`.min(1).max(200)`) stay;
 * - repeats of the agent row: a named schema (`.meta({ id })`) goes under `$defs` once, and an
 *   output schema that holds it several times refers to it. No input uses a named schema: some
 *   clients do not follow references in arguments (tests/tools/catalog_test.ts holds it).
 *
 * Validation is zod's, unchanged: only the JSON Schema that the SDK asks for is ours.
 */
import { z } from "zod";

const SAFE = Number.MAX_SAFE_INTEGER;

/** Drop JavaScript's safe-integer range where zod wrote it as a bound. */
function dropSafeBounds(ctx: { jsonSchema: Record<string, unknown> }): void {
  const s = ctx.jsonSchema;
  if (s.minimum === -SAFE) delete s.minimum;
  if (s.maximum === SAFE) delete s.maximum;
}

/** The JSON Schema of `schema` for `io`, compact (see the module's notes). */
export function compactJsonSchema(
  schema: z.ZodType,
  io: "input" | "output",
  target: "draft-2020-12" | "draft-07" = "draft-2020-12",
): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    target,
    io,
    override: dropSafeBounds as never,
  }) as Record<string, unknown>;
}

/**
 * `schema`, validated by zod as before, whose JSON Schema (what the MCP SDK puts in tools/list)
 * is {@link compactJsonSchema}'s.
 */
export function withCompactJsonSchema<T extends z.ZodType>(schema: T, io: "input" | "output"): T {
  const copy = schema.clone() as T;
  const std = copy["~standard"];
  const json = (opts?: { target?: string }) =>
    compactJsonSchema(schema, io, opts?.target === "draft-07" ? "draft-07" : "draft-2020-12");
  (copy as { "~standard": unknown })["~standard"] = {
    ...std,
    jsonSchema: { input: json, output: json },
  };
  return copy;
}
