/**
 * A Chats back end over a stubbed fetch, for the back end's unit tests (our own code is not
 * mocked): the caller's organizations are answered, every other request by the test's route
 * (Coder's 404 "Route not found." when it has no answer), and every request is recorded.
 */
import { CoderClient } from "../../../src/coder/http.ts";
import { ChatsBackend } from "../../../src/backends/chats/backend.ts";
import { sentJson } from "../../coder/local_server.ts";

/** The caller. */
export const ME = { id: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", username: "alice" };

/** A request the back end sent. */
export interface Req {
  method: string;
  url: URL;
  body: Record<string, unknown> | undefined;
}

/** The test's Coder: an answer, `lost` (the connection reset), or undefined (404). */
export type Route = (req: Req) => { status: number; body?: unknown } | "lost" | undefined;

/**
 * A back end whose Coder is `route`; with `org`, the caller's organizations are answered here (it
 * belongs to `org` alone, its default), else by `route` too.
 */
export function stubBackend(route: Route, org?: string) {
  const seen: Req[] = [];
  const fetchStub = async (input: string | URL | Request, init?: RequestInit) => {
    const req: Req = {
      method: init?.method ?? "GET",
      url: new URL(String(input)),
      body: await sentJson(init) as Record<string, unknown> | undefined,
    };
    seen.push(req);
    if (org && req.url.pathname === "/api/v2/users/me/organizations") {
      return Promise.resolve(Response.json([{ id: org, name: "coder", is_default: true }]));
    }
    const r = route(req) ?? { status: 404, body: { message: "Route not found." } };
    if (r === "lost") return Promise.reject(new TypeError("connection reset"));
    const text = r.body === undefined ? null : JSON.stringify(r.body);
    return Promise.resolve(new Response(text, { status: r.status }));
  };
  const client = new CoderClient({
    url: "http://coder.test",
    token: "tok",
    fetch: fetchStub as typeof fetch,
    retries: 0,
  });
  const b = new ChatsBackend({
    client,
    prefix: "/api/v2",
    dashboardUrl: "https://dash.test",
    me: ME,
    now: () => Date.parse("2026-03-02T00:00:00Z"),
  });
  return { b, seen };
}
