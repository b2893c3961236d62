/**
 * Small runs of the transports' framing for {@link inWorker} (tests/deadline.ts): code where a
 * bug could loop without end is first run in a worker under a deadline, so that such a bug fails
 * its test instead of hanging the run. Arguments and results are plain data.
 */
import { LineStdioTransport } from "../../src/transport/stdio.ts";
import { parseHead } from "../../src/transport/http1_wire.ts";

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
