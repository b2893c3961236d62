/**
 * Writes go out once. Deno's `fetch` sends a request again by itself when a reused (pooled)
 * connection closes or resets before the answer (denoland/deno#32566, #35610), and the caller
 * never sees the first failure. It does so only when it can replay the body: a string, bytes, or
 * no body at all (a bodiless POST or DELETE is replayed too). A `ReadableStream` body is never
 * replayed. So a write that must not be sent twice goes out with its body as a stream: a reset
 * after sending then reaches the client, which reports it `uncertain`.
 *
 * A streamed body has no `Content-Length`: it goes out chunked (`Transfer-Encoding: chunked`),
 * which Coder (Go's net/http) and HTTP/2 take as any other body. A bodiless write sends an empty
 * chunked body, which Coder ignores as it ignores no body.
 */

const encoder = new TextEncoder();

/**
 * The body of a write that Deno must not send again: `text` (or nothing) as a one-chunk stream.
 * A stream is read once, so build one per attempt.
 */
export function onceBody(text?: string): ReadableStream<Uint8Array> {
  const bytes = text === undefined || text === "" ? undefined : encoder.encode(text);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes) controller.enqueue(bytes);
      controller.close();
    },
  });
}
