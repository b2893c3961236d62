/**
 * Response helpers of the simulated Coder: JSON bodies, Coder's error shape
 * `{message, detail?, validations?}` and the exact error messages of COMMON.md's wire decisions.
 */

/** A Coder field validation. */
export interface Validation {
  field: string;
  detail: string;
}

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON response with Coder's content type. */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": JSON_TYPE, ...headers },
  });
}

/** An empty response (204, or 202 without a body). No content type, like Coder. */
export function empty(status: number): Response {
  return new Response(null, { status });
}

/** A Coder error response. */
export function coderError(
  status: number,
  message: string,
  detail?: string,
  validations?: Validation[],
  headers: Record<string, string> = {},
): Response {
  const body: Record<string, unknown> = { message };
  if (detail !== undefined) body.detail = detail;
  if (validations !== undefined) body.validations = validations;
  return json(status, body, headers);
}

/** 404 for a route this deployment does not serve. */
export function routeNotFound(): Response {
  return coderError(404, "Route not found.");
}

/** 404 for a resource that does not exist or is not visible. */
export function resourceNotFound(): Response {
  return coderError(404, "Resource not found or you do not have access to this resource");
}

/** 400 for a malformed UUID path parameter. */
export function invalidUuid(value: string): Response {
  return coderError(400, `Invalid UUID "${value}".`, `invalid UUID length: ${value.length}`);
}

/** 400 for an unknown user path parameter. */
export function unknownUser(value: string): Response {
  return coderError(
    400,
    '"user" must be an existing uuid or username.',
    `queried user="${value}"`,
  );
}

/** 400 for a missing required body field, as Coder's request validator words it. */
export function requiredField(field: string): Response {
  return coderError(400, "Validation failed.", undefined, [
    { field, detail: `Validation failed for tag "required" with value: ""` },
  ]);
}

/** 400 for a body field of the wrong type or value, as Coder's request validator words it. */
export function badField(field: string, detail: string): Response {
  return coderError(400, "Validation failed.", undefined, [{ field, detail }]);
}

/** 400 for a bad `q` search query. */
export function invalidQuery(detail: string): Response {
  return coderError(400, "Invalid query parameters.", undefined, [{ field: "q", detail }]);
}

/** Thrown inside handlers to answer with a ready response. */
export class HttpAnswer extends Error {
  readonly response: Response;
  constructor(response: Response) {
    super("answer");
    this.response = response;
  }
}

/** Read a JSON object body; a missing body is `{}`; malformed JSON answers 400 like Coder. */
export async function readBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (err) {
    throw new HttpAnswer(coderError(400, "Request body must be valid JSON.", String(err)));
  }
  throw new HttpAnswer(coderError(400, "Request body must be a JSON object."));
}

/**
 * Split a search query into `key:value` terms. Values may be double-quoted to hold spaces.
 * A term without a colon comes back with an empty key.
 */
export function parseQuery(q: string): { key: string; value: string }[] {
  const terms: { key: string; value: string }[] = [];
  const re = /(?:([A-Za-z_-]+):)?(?:"([^"]*)"|(\S+))/g;
  for (const m of q.matchAll(re)) {
    terms.push({ key: (m[1] ?? "").toLowerCase(), value: m[2] ?? m[3] ?? "" });
  }
  return terms;
}
