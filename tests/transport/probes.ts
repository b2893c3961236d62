/**
 * Small runs of the transports' framing for {@link inWorker} (tests/deadline.ts): code where a
 * bug could loop without end is first run in a worker under a deadline, so that such a bug fails
 * its test instead of hanging the run. Arguments and results are plain data.
 */
import { LineStdioTransport } from "../../src/transport/stdio.ts";
import { parseHead } from "../../src/transport/http1_wire.ts";
import { serveHttp1 } from "../../src/transport/http1.ts";

const enc = new TextEncoder();

/** The ids of the messages a stdio transport delivers from these input chunks. */
export async function stdioIds(chunks: string[]): Promise<unknown[]> {
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(enc.encode(chunk));
      c.close();
    },
  });
  const t = new LineStdioTransport({ input, output: { write: (p) => Promise.resolve(p.length) } });
  const ids: unknown[] = [];
  t.onmessage = (m) => ids.push((m as { id?: unknown }).id);
  await t.start();
  await t.closed;
  return ids;
}

/** The method and target of a request head. */
export function requestOf(head: string): { method: string; target: string } {
  const { method, target } = parseHead(enc.encode(head));
  return { method, target };
}

/**
 * What a client that writes `pieces` (a short pause between two) to a fresh HTTP/1.1 server
 * reads back until the server closes the connection (the handler echoes method, path and body
 * length).
 */
export async function http1Exchange(pieces: string[]): Promise<string> {
  const server = serveHttp1({
    hostname: "127.0.0.1",
    port: 0,
    handler: async (req) =>
      new Response(`${req.method} ${new URL(req.url).pathname} ${(await req.text()).length}`),
    limits: { headerTimeoutMs: 5_000, idleTimeoutMs: 5_000, bodyTimeoutMs: 5_000 },
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, 50));
      await conn.write(enc.encode(piece));
    }
    let got = "";
    const buf = new Uint8Array(16 * 1024);
    const dec = new TextDecoder();
    for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
      got += dec.decode(buf.subarray(0, n));
    }
    return got;
  } finally {
    conn.close();
    await server.shutdown(100);
  }
}
