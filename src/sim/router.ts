/**
 * A tiny path router for the simulated Coder. Routes are templates like
 * `/api/v2/tasks/{user}/{task}/logs`; literal segments win over parameters by registration order
 * (register `/chats/models` before `/chats/{chat}`).
 */

/** What a handler receives. */
export interface RouteContext {
  req: Request;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The route template, e.g. `/api/v2/tasks/{user}`. */
  template: string;
}

/** A route handler. */
export type Handler = (ctx: RouteContext) => Response | Promise<Response>;

interface Route {
  method: string;
  template: string;
  parts: string[];
  handler: Handler;
}

/** The result of a match: a route, a path known under another method, or nothing. */
export type Match =
  | { kind: "route"; template: string; params: Record<string, string>; handler: Handler }
  | { kind: "method" }
  | { kind: "none" };

/** Ordered route table. */
export class Router {
  #routes: Route[] = [];

  /** Register a route. */
  add(method: string, template: string, handler: Handler): void {
    this.#routes.push({ method, template, parts: template.split("/").slice(1), handler });
  }

  /** Find the route for a request. */
  match(method: string, path: string): Match {
    const segs = path.split("/").slice(1);
    let pathKnown = false;
    for (const r of this.#routes) {
      const params = matchParts(r.parts, segs);
      if (!params) continue;
      if (r.method !== method) {
        pathKnown = true;
        continue;
      }
      return { kind: "route", template: r.template, params, handler: r.handler };
    }
    return pathKnown ? { kind: "method" } : { kind: "none" };
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  if (parts.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith("{") && p.endsWith("}")) {
      if (segs[i] === "") return undefined;
      let v: string;
      try {
        v = decodeURIComponent(segs[i]);
      } catch {
        return undefined;
      }
      params[p.slice(1, -1)] = v;
    } else if (p !== segs[i]) {
      return undefined;
    }
  }
  return params;
}
