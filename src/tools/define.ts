/**
 * The one way a tool is defined. Every tool declares a name, a title, a description in one
 * convention (a one-line summary; when to use it; formats and limits), a zod input schema with
 * `.describe()` on every field, an output schema, and all four annotations, explicitly. The
 * handler returns structured data and a short text rendering; errors a caller can act on are
 * thrown as FleetError (or CoderError) and become `isError` results with a next step.
 */
import { z } from "zod";
import type { Fleet } from "../fleet/fleet.ts";

/** The four MCP tool annotations; all required. */
export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a handler gets besides its arguments. */
export interface ToolContext {
  fleet: Fleet;
  /** Cancelled when the client cancels the call. */
  signal: AbortSignal;
  /** Report progress (sent only when the client asked for it with a progress token). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

/** A handler's answer: structured content matching the output schema, and a short text. */
export interface ToolAnswer<O> {
  data: O;
  text: string;
}

/** A tool definition. */
export interface Tool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: Annotations;
  /**
   * For a tool that waits by design: how long these arguments may make it wait (ms). The call's
   * budget is that wait plus a margin, instead of the call budget (50 s by default) of a call
   * that does not wait.
   */
  waits?(args: z.infer<I>): number;
  handler(args: z.infer<I>, ctx: ToolContext): Promise<ToolAnswer<z.infer<O>>>;
}

const NAME = /^[a-z][a-z0-9_]{2,63}$/;

/**
 * Define a tool, checking the conventions at load time: a bad definition fails fast, in every
 * test, instead of shipping. The input schema is made strict here, for every tool: an argument
 * the tool does not take is refused with a message that names it (DESIGN, "Trust").
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  def: Tool<I, O>,
): Tool<I, O> {
  const strict = { ...def, input: strictInput(def.name, def.input) };
  const problems = toolProblems(strict as unknown as Tool);
  if (problems.length > 0) throw new Error(`tool ${def.name}: ${problems.join("; ")}`);
  return strict;
}

/**
 * The strict form of a tool's input: unknown keys are an error that names them, lists the
 * arguments the tool takes, and says what to do.
 */
export function strictInput<I extends z.ZodObject>(tool: string, input: I): I {
  const known = Object.keys(input.shape);
  return z.strictObject(input.shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? `Unknown argument${iss.keys.length > 1 ? "s" : ""} ${
          iss.keys.map((k) => JSON.stringify(k.slice(0, 40))).join(", ")
        }: ${tool} takes only ${known.join(", ") || "no arguments"}. Nothing was done. ` +
          `Next: call ${tool} again without ${iss.keys.length > 1 ? "them" : "it"}.`
        : undefined,
  }) as unknown as I;
}

/** True when the schema refuses keys it does not declare. */
export function isStrict(input: z.ZodObject): boolean {
  // deno-lint-ignore no-explicit-any
  return (input as any)?._zod?.def?.catchall?._zod?.def?.type === "never";
}

/** Every convention a tool breaks (empty when it keeps them all). */
export function toolProblems(def: Tool): string[] {
  const p: string[] = [];
  if (!NAME.test(def.name)) p.push("name must be snake_case");
  if (!def.title?.trim()) p.push("title is required");
  const paras = (def.description ?? "").split(/\n\s*\n/).filter((s) => s.trim());
  if (paras.length < 3) {
    p.push("description needs three paragraphs: summary, when to use, formats and limits");
  } else if (paras[0].includes("\n") || paras[0].length > 160) {
    p.push("description must open with a one-line summary");
  }
  for (const k of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
    if (typeof def.annotations?.[k] !== "boolean") p.push(`annotation ${k} must be set`);
  }
  if (def.annotations?.readOnlyHint && def.annotations.destructiveHint) {
    p.push("a read-only tool cannot be destructive");
  }
  if (!(def.input instanceof z.ZodObject)) p.push("input must be a zod object");
  else if (!isStrict(def.input)) p.push("input must be strict (unknown arguments refused)");
  if (!(def.output instanceof z.ZodObject)) p.push("output must be a zod object");
  for (const [field, schema] of Object.entries(def.input?.shape ?? {})) {
    if (!(schema as z.ZodType).description) p.push(`input field ${field} has no .describe()`);
  }
  return p;
}
