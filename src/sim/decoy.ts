/**
 * The decoy: a second origin (another port on 127.0.0.1) that redirect faults point at. It
 * records every request it receives, headers and body included, so tests can assert that the
 * session token never reached it, then forwards the request to the sim and relays the answer:
 * the worst case, where a client that follows the redirect keeps working and nobody notices.
 */

/** One request the decoy received. */
export interface DecoyRequest {
  method: string;
  path: string;
  /** Raw query string without the `?`. */
  query: string;
  /** Every header, lower-case names. */
  headers: Record<string, string>;
  /** The request body as text (empty when none). */
  body: string;
  /** Epoch ms of arrival. */
  at: number;
}

/** Header that marks a request the decoy forwards; the sim applies no fault to it. */
export const FORWARDED_HEADER = "X-Sim-Forwarded-By-Decoy";

/** A running decoy origin. */
export interface Decoy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request received, in order. */
  requests: DecoyRequest[];
  /** Empty the log. */
  clear(): void;
  /** Stop serving. */
  close(): Promise<void>;
}

/** Start a decoy that forwards to `upstream` (the sim's own HTTP server). */
export function startDecoy(upstream: () => string): Decoy {
  const requests: DecoyRequest[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const body = req.body ? await req.text() : "";
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => (headers[k] = v));
      requests.push({
        method: req.method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ""),
        headers,
        body,
        at: Date.now(),
      });
      const fwd = new Headers(req.headers);
      fwd.set(FORWARDED_HEADER, "1");
      fwd.delete("host");
      try {
        const res = await fetch(upstream() + url.pathname + url.search, {
          method: req.method,
          headers: fwd,
          body: body === "" || req.method === "GET" || req.method === "HEAD" ? undefined : body,
          redirect: "manual",
        });
        const data = await res.arrayBuffer();
        const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
        return new Response(nullBody ? null : data, { status: res.status, headers: res.headers });
      } catch {
        return new Response("decoy: upstream unreachable", { status: 502 });
      }
    },
  );
  const port = (server.addr as Deno.NetAddr).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    clear() {
      requests.length = 0;
    },
    close() {
      closed ??= server.shutdown();
      return closed;
    },
  };
}
