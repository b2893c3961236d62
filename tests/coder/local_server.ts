/**
 * A real local HTTP server on 127.0.0.1 for client tests: it records every request (arrival
 * time, method, path, token, body) and answers with the handler's Response.
 */

/** One request as the server saw it. */
export interface Seen {
  at: number;
  method: string;
  path: string;
  search: string;
  token: string | null;
  body: string;
}

/** A running server. */
export interface LocalServer {
  url: string;
  origin: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

/** Start a server; `handler` gets the request and its 0-based index. */
export function serve(
  handler: (req: Request, n: number) => Response | Promise<Response>,
): LocalServer {
  let n = 0;
  const seen: Seen[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, signal: ac.signal },
    async (req) => {
      const u = new URL(req.url);
      const body = req.body ? await req.text() : "";
      seen.push({
        at: Date.now(),
        method: req.method,
        path: u.pathname,
        search: u.search,
        token: req.headers.get("coder-session-token"),
        body,
      });
      return handler(req, n++);
    },
  );
  const port = server.addr.port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    origin: url,
    port,
    seen,
    close: async () => {
      ac.abort();
      await server.finished;
    },
  };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** An HTML answer (a proxy's login page, say). */
export function html(status: number) {
  return new Response("<!doctype html><html><body>Please log in</body></html>", {
    status,
    headers: { "content-type": "text/html" },
  });
}

/** An answer that never comes (until the server closes). */
export function never(signal: AbortSignal): Promise<Response> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("x"))));
}

/** A raw TCP listener on 127.0.0.1: each connection goes to `onConn`; `close` ends them all. */
function tcpServer(onConn: (conn: Deno.Conn) => Promise<unknown>) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      onConn(conn).catch(() => {});
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
    },
  };
}

/**
 * A raw TCP server: it reads the request, then does `act` with the connection (write a partial
 * answer, close it ...). For faults `Deno.serve` cannot produce.
 */
export function rawServer(act: (conn: Deno.Conn) => Promise<void>) {
  let requests = 0;
  const s = tcpServer(async (conn) => {
    await conn.read(new Uint8Array(65536)).catch(() => null);
    requests++;
    await act(conn);
  });
  return {
    url: s.url,
    get requests() {
      return requests;
    },
    close: s.close,
  };
}

/**
 * A keep-alive server that answers a connection's first GET, then closes the connection on
 * any later request (or on a first request that is not a GET) after reading it: a reset after
 * Coder acted, on a reused connection, where Deno's fetch would send a replayable body again.
 * `seen` lists `METHOD /path` of every request that arrived.
 */
export function resetAfterActing() {
  const seen: string[] = [];
  const ok = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
  const s = tcpServer(async (conn) => {
    const buf = new Uint8Array(65536);
    for (let n = 0;; n++) {
      const k = await conn.read(buf).catch(() => null);
      if (!k) return;
      const line = /^([A-Z]+) (\S+)/.exec(new TextDecoder().decode(buf.subarray(0, k)));
      if (!line) continue; // the rest of a body
      seen.push(`${line[1]} ${line[2]}`);
      if (n > 0 || line[1] !== "GET") return conn.close();
      await conn.write(new TextEncoder().encode(ok));
    }
  });
  return { url: s.url, seen, close: s.close };
}

/** A port nothing listens on. */
export function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * The JSON body a fetch stub was given: a string, or the stream the client sends writes as;
 * undefined when there is none (or it is empty, as a bodiless write's stream is).
 */
export async function sentJson(init?: RequestInit): Promise<unknown> {
  if (init?.body === undefined || init.body === null) return undefined;
  const text = await new Response(init.body).text();
  return text === "" ? undefined : JSON.parse(text);
}
