import assert from "node:assert/strict";
import { BodyTooLarge, readCapped } from "../../src/coder/body.ts";

/** A response whose body arrives in the given byte chunks. */
function chunked(chunks: Uint8Array[]): Response {
  return new Response(
    new ReadableStream({
      start(c) {
        for (const x of chunks) c.enqueue(x);
        c.close();
      },
    }),
  );
}

Deno.test("readCapped: a body in many chunks, a character split between two, reads whole", async () => {
  const bytes = new TextEncoder().encode(JSON.stringify({ title: "café ☕ 🚀", n: 1 }));
  // Split every 3 bytes: the multi-byte characters straddle chunk boundaries.
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.slice(i, i + 3));
  assert.deepEqual(JSON.parse(await readCapped(chunked(chunks), 1000)), {
    title: "café ☕ 🚀",
    n: 1,
  });
  assert.equal(await readCapped(chunked([bytes]), 1000), new TextDecoder().decode(bytes));
  assert.equal(await readCapped(chunked([]), 1000), "");
});

Deno.test("readCapped: past the cap, BodyTooLarge", async () => {
  const chunk = new Uint8Array(600).fill(0x61);
  await assert.rejects(readCapped(chunked([chunk, chunk]), 1000), BodyTooLarge);
  assert.equal((await readCapped(chunked([chunk, chunk]), 1200)).length, 1200);
});

Deno.test("readCapped: a declared length over the cap is refused before any byte is read", async () => {
  // A body that never ends: only the declared length can refuse it, and must, without reading.
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      c.enqueue(new Uint8Array(10));
    },
  });
  const res = new Response(endless, { headers: { "content-length": "5000" } });
  await assert.rejects(readCapped(res, 1000), BodyTooLarge);
  assert.ok(pulled <= 1, `read ${pulled} chunks of a body declared over the cap`);
});

Deno.test("readCapped: a body of exactly the cap, declared or not, is read; no body is empty", async () => {
  const text = "a".repeat(1000);
  const declared = new Response(text, { headers: { "content-length": "1000" } });
  assert.equal(await readCapped(declared, 1000), text);
  assert.equal(await readCapped(new Response(text), 1000), text);
  await assert.rejects(
    readCapped(new Response(text + "b"), 1000),
    (e) =>
      e instanceof BodyTooLarge && e.capBytes === 1000 &&
      e.message === "the answer is larger than 1000 bytes",
  );
  assert.equal(await readCapped(new Response(null, { status: 204 }), 1000), "");
});
