/**
 * Reading an answer's body under a byte cap: `Content-Length` is checked first, then the stream
 * is read chunk by chunk and cancelled as soon as it passes the cap, so an oversized answer never
 * sits in memory whole.
 */

/** Default cap on one answer: 64 MiB, room for a list of 20,000 agents. */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Thrown by {@link readCapped} when the body is larger than the cap. */
export class BodyTooLarge extends Error {
  readonly capBytes: number;
  constructor(capBytes: number) {
    super(`the answer is larger than ${capBytes} bytes`);
    this.name = "BodyTooLarge";
    this.capBytes = capBytes;
  }
}

/**
 * The body as text, at most `cap` bytes. Throws {@link BodyTooLarge} past the cap, and whatever
 * the stream throws when reading fails (a reset, an abort).
 */
export async function readCapped(res: Response, cap: number): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await res.body?.cancel().catch(() => {});
    throw new BodyTooLarge(cap);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLarge(cap);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  // One decode of the whole body: decoding chunk by chunk and joining the pieces allocates about
  // twice the heap (pieces, then the joined copy) for a large list.
  const all = chunks.length === 1 ? chunks[0] : new Uint8Array(size);
  if (chunks.length > 1) {
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
  }
  return new TextDecoder().decode(all);
}

/** Discard a body without reading it. */
export async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}
