/**
 * Judging a 2xx answer (DESIGN, "Trust": a write is done only when Coder gave its documented
 * answer). A read must have the documented status and shape, or it is not understood (`parse`).
 * A write answered with a 2xx was taken by Coder: when the status is not the documented one (a
 * 204 where 202 is documented), or the body cannot be read (JSON cut in half, the wrong shape,
 * larger than the cap), whether Coder acted is unknown, so it is `uncertain`, never `failed`.
 * A web page is the exception: a proxy's or a login page answering 200 is not Coder's answer,
 * and the write stays `failed`.
 */
import type { z } from "zod";
import { parseAnswer } from "./answer.ts";
import { BodyTooLarge, discard, readCapped } from "./body.ts";
import type { CoderErrorInit } from "./errors.ts";

/** What a 2xx answer comes to: the value, a failure, or a body whose reading failed. */
export type Judged<T> =
  | { ok: true; value: T }
  | { ok: false; error: Omit<CoderErrorInit, "route"> }
  | { ok: false; lost: unknown };

/** How to judge: the request's kind and what its answer should be. */
export interface Expectation<T> {
  /** The request changes something (not GET or HEAD). */
  write: boolean;
  /** The documented statuses (a read: `[200]` unless given; a write: any 2xx unless given). */
  expect?: number[];
  schema?: z.ZodType<T>;
  allowEmpty: boolean;
  /** The cap on the body, in bytes. */
  maxBytes: number;
  /** Takes the session token out of words that may echo it. */
  scrub: (s: string) => string;
}

/** True when an answer is a web page: its content type is HTML, or its body starts with `<`. */
export function isPage(res: Response, text = ""): boolean {
  return /\bhtml\b/i.test(res.headers.get("content-type") ?? "") || /^\s*</.test(text);
}

/** A write Coder took (a 2xx) whose answer is not the documented one: uncertain. */
function taken(status: number, why: string): Omit<CoderErrorInit, "route"> {
  return { status, kind: "uncertain", detail: `Coder answered ${status}${why}` };
}

/** A byte cap in words: `4096-byte`, `64 MiB`. */
function capWords(bytes: number): string {
  return bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MiB` : `${bytes}-byte`;
}

/** Judge a 2xx answer `res` (its body is read, or discarded). */
export async function judgeSuccess<T>(res: Response, how: Expectation<T>): Promise<Judged<T>> {
  const status = res.status;
  const expect = how.expect ?? (how.write ? undefined : [200]);
  const documented = !expect || expect.includes(status);
  const notDocumented = `expected status ${expect?.join(" or ")}, got ${status}`;
  if (!documented && (!how.write || isPage(res))) {
    await discard(res);
    const type = (res.headers.get("content-type") ?? "no content type").split(";")[0];
    return {
      ok: false,
      error: { status, kind: "parse", detail: `${notDocumented} (${type}): not Coder's answer` },
    };
  }
  let text: string;
  try {
    text = await readCapped(res, how.maxBytes);
  } catch (e) {
    if (!(e instanceof BodyTooLarge)) return { ok: false, lost: e };
    const error: Omit<CoderErrorInit, "route"> = how.write
      ? taken(status, `, but its answer is larger than the ${capWords(e.capBytes)} cap`)
      : { status, kind: "too_large", capBytes: e.capBytes };
    return { ok: false, error };
  }
  if (how.write && isPage(res, text)) {
    const detail = `${
      documented ? "" : `${notDocumented}: `
    }the body is HTML, not JSON (a proxy's page?): not Coder's answer`;
    return { ok: false, error: { status, kind: "parse", detail } };
  }
  if (!documented) {
    return { ok: false, error: taken(status, ` where ${expect!.join(" or ")} is documented`) };
  }
  const parsed = parseAnswer(text, how.schema, how.allowEmpty);
  if (parsed.ok) return parsed;
  const detail = how.scrub(parsed.detail);
  return {
    ok: false,
    error: how.write
      ? taken(status, `, but its answer was not understood: ${detail}`)
      : { status, kind: "parse", detail },
  };
}
