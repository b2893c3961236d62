/**
 * How a failed exchange is classified: what `fetch` or a body read threw, and what an error
 * status's body said. The rule for writes: `network` only when the connection was never made
 * (nothing was sent); once the request may have left, a lost answer is `uncertain`.
 */
import { z } from "zod";
import type { CoderErrorInit } from "./errors.ts";

/** Where the failure happened and what the client knew then. */
export interface FailureContext {
  /** The request changes something (not GET or HEAD). */
  write: boolean;
  /** `wait`: before the status line and headers arrived; `body`: while reading the body. */
  phase: "wait" | "body";
  /** The caller's signal aborted. */
  cancelled: boolean;
  /** The client's own timer fired. */
  timedOut: boolean;
  /** The timeout that applied, in ms. */
  timeoutMs: number;
  /** The timeout was shortened by the call's budget. */
  byBudget: boolean;
  /** The request URL (only its host is named). */
  url: URL;
}

const CONNECT = /\(Connect\)|tcp connect error|connection refused|dns error|failed to lookup/i;

function secs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

function hostPort(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

/** Classify what `fetch` (phase `wait`) or the body read (phase `body`) threw. */
export function classifyFetchError(
  cause: unknown,
  ctx: FailureContext,
): Omit<CoderErrorInit, "route"> {
  if (ctx.cancelled) return { status: 0, kind: "aborted" };
  if (typeof Deno !== "undefined" && cause instanceof Deno.errors.NotCapable) {
    return {
      status: 0,
      kind: "network",
      detail: `Deno's permissions refused the connection to ${
        hostPort(ctx.url)
      }; this build may reach only the Coder host`,
    };
  }
  const limit = `${secs(ctx.timeoutMs)}${ctx.byBudget ? " (the time left in this call)" : ""}`;
  if (ctx.timedOut) {
    if (ctx.write) {
      return {
        status: 0,
        kind: "uncertain",
        detail: `no ${ctx.phase === "body" ? "complete " : ""}answer within ${limit}`,
      };
    }
    return {
      status: 0,
      kind: "timeout",
      detail: ctx.phase === "body"
        ? `the answer stalled: not complete within ${limit}`
        : `no answer within ${limit}`,
    };
  }
  const text = `${cause instanceof Error ? cause.message : String(cause)} ${
    cause instanceof Error && cause.cause ? String(cause.cause) : ""
  }`;
  if (ctx.phase === "wait" && CONNECT.test(text)) {
    return {
      status: 0,
      kind: "network",
      detail: `no connection to ${hostPort(ctx.url)} (refused, or the host was not found)`,
    };
  }
  if (ctx.write) {
    return {
      status: 0,
      kind: "uncertain",
      detail: ctx.phase === "body"
        ? "Coder accepted it, but the answer could not be read"
        : "the connection was lost after the request was sent",
    };
  }
  return {
    status: 0,
    kind: "network",
    detail: ctx.phase === "body"
      ? "the connection was lost while reading the answer"
      : "the connection was lost",
  };
}

const ErrorBody = z.looseObject({
  message: z.string().optional(),
  detail: z.string().optional(),
  validations: z.array(z.looseObject({ field: z.string(), detail: z.string() })).nullish(),
});

/** The error of an error status, from Coder's `{message, detail, validations}` (scrubbed). */
export function errorFromBody(
  status: number,
  text: string,
  scrub: (s: string) => string,
): Omit<CoderErrorInit, "route"> {
  let body: z.infer<typeof ErrorBody> = {};
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Not JSON (a proxy's HTML page, say): keep only the status.
  }
  return {
    status,
    kind: "http",
    coderMessage: body.message === undefined ? undefined : scrub(body.message),
    detail: body.detail === undefined ? undefined : scrub(body.detail),
    validations: (body.validations ?? []).map((v) => ({
      field: scrub(v.field),
      detail: scrub(v.detail),
    })),
  };
}
