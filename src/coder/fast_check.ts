/**
 * A plain-JavaScript twin of a simple zod schema, for the list items of the hot path: it accepts
 * exactly what the schema accepts and returns the same value (an object schema's unknown keys
 * dropped), without zod's per-field bookkeeping (zod allocates a result record and an issue list
 * for every field it checks: about 5 KB of garbage per task, against the one object copied here).
 *
 * Only the schema kinds the list items use are compiled: string, number, boolean, unknown, any,
 * optional, nullable, object (stripping), union, array, record (string keys), each without checks
 * or refinements. Anything else (a transform, a `.min()`, a loose object...) compiles to
 * `undefined`, and the caller uses zod itself. On a failure the caller asks zod again, for its
 * message.
 */
import type { z } from "zod";

/** What a compiled check returns for a value it does not accept. */
export const REJECTED: unique symbol = Symbol("rejected");

/** A compiled check: the parsed value, or {@link REJECTED}. */
export type FastCheck = (v: unknown) => unknown;

// deno-lint-ignore no-explicit-any
type Def = { type: string; checks?: unknown[]; [k: string]: any };

const compiled = new WeakMap<object, FastCheck | null>();

/** The plain twin of `schema`, or undefined when it uses anything not listed above. */
export function fastCheckOf(schema: z.ZodType): FastCheck | undefined {
  const hit = compiled.get(schema);
  if (hit !== undefined) return hit ?? undefined;
  const fn = compile(schema);
  compiled.set(schema, fn ?? null);
  return fn;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function compile(schema: z.ZodType): FastCheck | undefined {
  const def = (schema as unknown as { _zod?: { def?: Def } })._zod?.def;
  if (!def || (def.checks && def.checks.length > 0)) return undefined;
  switch (def.type) {
    case "string":
      return (v) => typeof v === "string" ? v : REJECTED;
    case "number":
      return (v) => typeof v === "number" && Number.isFinite(v) ? v : REJECTED;
    case "boolean":
      return (v) => typeof v === "boolean" ? v : REJECTED;
    case "unknown":
    case "any":
      return (v) => v;
    case "optional": {
      const inner = compile(def.innerType);
      return inner && ((v) => v === undefined ? v : inner(v));
    }
    case "nullable": {
      const inner = compile(def.innerType);
      return inner && ((v) => v === null ? v : inner(v));
    }
    case "union": {
      const options = (def.options as z.ZodType[]).map(compile);
      if (options.some((o) => !o)) return undefined;
      const fns = options as FastCheck[];
      return (v) => {
        for (const f of fns) {
          const r = f(v);
          if (r !== REJECTED) return r;
        }
        return REJECTED;
      };
    }
    case "array": {
      const item = compile(def.element);
      if (!item) return undefined;
      return (v) => {
        if (!Array.isArray(v)) return REJECTED;
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const r = item(v[i]);
          if (r === REJECTED) return REJECTED;
          out[i] = r;
        }
        return out;
      };
    }
    case "record": {
      const keyDef = (def.keyType as { _zod?: { def?: Def } })._zod?.def;
      if (keyDef?.type !== "string" || (keyDef.checks && keyDef.checks.length > 0)) {
        return undefined;
      }
      const value = compile(def.valueType);
      if (!value) return undefined;
      return (v) => {
        if (!isPlainObject(v)) return REJECTED;
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
          if (k === "__proto__") return REJECTED; // zod's own handling decides
          const r = value(v[k]);
          if (r === REJECTED) return REJECTED;
          out[k] = r;
        }
        return out;
      };
    }
    case "object": {
      // A catchall (loose or strict object) keeps or refuses unknown keys: left to zod.
      if (def.catchall !== undefined) return undefined;
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const fns: FastCheck[] = [];
      for (const k of keys) {
        const f = compile(shape[k]);
        if (!f) return undefined;
        fns.push(f);
      }
      return (v) => {
        if (!isPlainObject(v)) return REJECTED;
        const out: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i];
          const present = Object.hasOwn(v, k);
          const r = fns[i](present ? v[k] : undefined);
          if (r === REJECTED) return REJECTED;
          if (present) out[k] = r;
        }
        return out;
      };
    }
    default:
      return undefined;
  }
}
