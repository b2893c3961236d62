/**
 * The line-framed stdio transport on its own: framing across chunk boundaries, the size cap,
 * errors for bad lines, and closing at end of input.
 */
import assert from "node:assert/strict";
import {
  idFromPrefix,
  idFromTail,
  LineStdioTransport,
  MAX_LINE_BYTES,
} from "../../src/transport/stdio.ts";
import { StderrLog } from "../../src/log.ts";
import { inWorker, within } from "../deadline.ts";
import { leftBehind } from "../leaks.ts";

const enc = new TextEncoder();

/** Feed `chunks` through a transport with a small cap; collect what it delivers and writes. */
async function feed(
  chunks: (string | Uint8Array)[],
  /** The cap, or null for the default. */
  maxLineBytes: number | null = 64,
  errors: string[] = [],
) {
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(typeof ch === "string" ? enc.encode(ch) : ch);
      c.close();
    },
  });
  let written = "";
  const t = new LineStdioTransport({
    input,
    maxLineBytes: maxLineBytes ?? undefined,
    output: {
      write(p) {
        written += new TextDecoder().decode(p);
        return Promise.resolve(p.length);
      },
    },
  });
  const messages: unknown[] = [];
  let closes = 0;
  t.onmessage = (m) => messages.push(m);
  t.onclose = () => closes++;
  t.onerror = (e) => errors.push(e.message);
  await t.start();
  await within(t.closed, "the transport to close at the end of its input");
  // Let queued writes finish.
  await new Promise((r) => setTimeout(r, 0));
  const replies = written.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { messages, replies, closes };
}

const ping = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "ping" });

// First in this file (and in its lane): every test below feeds the transport in this thread,
// where a framing loop that never ends would block every timer and hang the run.
Deno.test("stdio transport: a chunk of several lines is read to its end, within a deadline (in a worker)", async () => {
  const ids = await inWorker(
    new URL("./probes.ts", import.meta.url),
    "stdioIds",
    [[`${ping(1)}\n${ping(2)}\n${ping(3).slice(0, 9)}`, `${ping(3).slice(9)}\n`]],
    "the transport to read every line",
    10_000,
  );
  assert.deepEqual(ids, [1, 2, 3]);
});

Deno.test("stdio transport: lines split across chunks and several per chunk; CRLF; last line without newline", async () => {
  const a = ping(1), b = ping(2), c = ping(3);
  const { messages, replies, closes } = await feed([
    a.slice(0, 5),
    a.slice(5) + "\r\n" + b.slice(0, 3),
    b.slice(3) + "\n\n" + c,
  ], 1000);
  assert.deepEqual(messages.map((m) => (m as { id: number }).id), [1, 2, 3]);
  assert.deepEqual(replies, []);
  assert.equal(closes, 1, "closes once at end of input");
});

Deno.test("stdio transport: an oversized line is answered and skipped, across chunks, without buffering it", async () => {
  const big = JSON.stringify({
    jsonrpc: "2.0",
    id: "big-1",
    method: "x",
    params: { s: "a".repeat(500) },
  });
  const { messages, replies } = await feed([
    big.slice(0, 40),
    big.slice(40, 300),
    big.slice(300) + "\n" + ping(9) + "\n",
  ]);
  assert.equal(replies.length, 1);
  assert.equal(replies[0].error.code, -32600);
  assert.equal(replies[0].id, "big-1");
  assert.match(replies[0].error.message, /too large/);
  assert.deepEqual(messages.map((m) => (m as { id: number }).id), [9]);
});

Deno.test("stdio transport: the size cap at its edge: a line of exactly the cap is served, one byte more refused", async () => {
  const line = ping(7);
  const cap = enc.encode(line).length;
  // Exactly the cap (the newline is not counted, even alone in its chunk), in one chunk and
  // split across two.
  for (
    const chunks of [[line + "\n"], [line.slice(0, 10), line.slice(10) + "\n"], [line, "\n"]]
  ) {
    const at = await feed(chunks, cap);
    assert.deepEqual(at.messages.map((m) => (m as { id: number }).id), [7], "served");
    assert.deepEqual(at.replies, []);
  }
  // One byte over: refused, and the session goes on.
  const short = JSON.stringify({ jsonrpc: "2.0", id: 8, method: "x" });
  const over = await feed([line + "\n" + short + "\n"], cap - 1);
  assert.equal(over.replies.length, 1);
  assert.equal(over.replies[0].error.code, -32600);
  assert.match(over.replies[0].error.message, /too large/);
  assert.deepEqual(over.messages.map((m) => (m as { id: number }).id), [8], "the next line served");
  // Over the cap in pieces each under it: the pieces add up.
  const pieces = await feed(
    [line.slice(0, 10), line.slice(10, 20), line.slice(20) + "\n"],
    cap - 1,
  );
  assert.deepEqual(pieces.replies.map((r) => [r.error.code, r.id]), [[-32600, 7]]);
  assert.deepEqual(pieces.messages, []);
  // A line is every byte before the newline: a CR before it counts.
  const crlf = await feed([line + "\r\n"], cap + 1);
  assert.deepEqual(crlf.messages.map((m) => (m as { id: number }).id), [7]);
});

Deno.test("stdio transport: garbage is -32700, non-JSON-RPC is -32600 with its id; the next line is served", async () => {
  const { messages, replies } = await feed([
    new Uint8Array([0xff, 0xfe, 0x0a]),
    "{not json}\n",
    '{"jsonrpc":"2.0","id":5}\n',
    "[1,2,3]\n",
    ping(6) + "\n",
  ], 1000);
  assert.deepEqual(replies.map((r) => [r.error.code, r.id]), [
    [-32700, null],
    [-32700, null],
    [-32600, 5],
    [-32600, null],
  ]);
  assert.deepEqual(messages.map((m) => (m as { id: number }).id), [6]);
});

Deno.test("stdio transport: the id of an oversized message is read only before its params", () => {
  const at = (s: string) => idFromPrefix(enc.encode(s));
  assert.equal(at('{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"a'), 42);
  assert.equal(at('{"id":"x-1","jsonrpc":"2.0"'), "x-1");
  assert.equal(at('{"jsonrpc":"2.0","method":"m","params":{"id":7,'), null);
  assert.equal(at("garbage"), null);
});

Deno.test("stdio transport: an oversized message whose id comes after its params gets that id", async () => {
  // The official client writes {"method","params","jsonrpc","id"}: the id is at the line's end.
  const big = JSON.stringify({
    method: "tools/call",
    params: { name: "send_input", arguments: { input: "a".repeat(5000), id: 1 } },
    jsonrpc: "2.0",
    id: 77,
  });
  const { replies, messages } = await feed([big.slice(0, 100), big.slice(100) + "\n" + ping(8)]);
  assert.deepEqual(replies.map((r) => [r.error.code, r.id]), [[-32600, 77]]);
  assert.deepEqual(messages.map((m) => (m as { id: number }).id), [8]);
  const tail = (s: string) => idFromTail(enc.encode(s));
  assert.equal(tail('aaaa"}},"jsonrpc":"2.0","id":"req-9"}'), "req-9");
  assert.equal(tail('a"},"id":3}\r'), 3);
  assert.equal(tail('a","params":{"id":7}}'), null, "a nested id is not the request's");
  assert.equal(tail('"x":"\\"id\\":5}"}'), null, "nor one inside a string");
  assert.equal(tail("aaaa"), null);
});

Deno.test("stdio transport: bad lines are each answered, but reported at most once a second", async () => {
  const errors: string[] = [];
  const lines = Array.from({ length: 500 }, (_, i) => `{bad ${i}}\n`);
  const { replies } = await feed([...lines, ping(1) + "\n"], 1000, errors);
  assert.equal(replies.length, 500, "every bad line answered");
  assert.ok(replies.every((r) => r.error.code === -32700));
  assert.ok(errors.length >= 1 && errors.length < 10, `${errors.length} reports, not one a line`);
  // The first is reported alone; a later report counts the lines held back since.
  assert.doesNotMatch(errors[0], /other bad lines/);
  for (const e of errors.slice(1)) assert.match(e, /\(and [1-9]\d* other bad lines before\)$/);
});

const idsOf = (messages: unknown[]) => messages.map((m) => (m as { id: unknown }).id);

/** A JSON-RPC request of exactly `bytes` bytes (padded in its params), with `id` where asked. */
function requestOf(bytes: number, id: number | string, idFirst = true): string {
  const make = (pad: string) =>
    idFirst
      ? JSON.stringify({ jsonrpc: "2.0", id, method: "x", params: { pad } })
      : JSON.stringify({ method: "x", params: { pad }, jsonrpc: "2.0", id });
  const line = make("a".repeat(bytes - make("").length));
  assert.equal(enc.encode(line).length, bytes);
  return line;
}

Deno.test("stdio transport: the default cap is the README's 4 MiB: a line of exactly 4 MiB is read, one byte more refused", async () => {
  assert.equal(MAX_LINE_BYTES, 4 * 1024 * 1024);
  const at = requestOf(4 * 1024 * 1024, 1);
  const over = requestOf(4 * 1024 * 1024 + 1, 2);
  const { messages, replies } = await feed([at + "\n" + over + "\n" + ping(3) + "\n"], null);
  assert.deepEqual(idsOf(messages), [1, 3]);
  assert.deepEqual(replies.map((r) => [r.error.code, r.id]), [[-32600, 2]]);
  assert.equal(
    replies[0].error.message,
    `Message too large: one message may be at most ${4 * 1024 * 1024} bytes`,
  );
});

Deno.test("stdio transport: bytes that arrive one at a time are read the same (newlines at a chunk's start, CRLF, blank lines)", async () => {
  const text = `${ping(1)}\n${ping(2)}\r\n\n  \n${ping(3)}\n${ping(4)}`;
  const { messages, replies } = await feed(
    [...enc.encode(text)].map((b) => new Uint8Array([b])),
    1000,
  );
  assert.deepEqual(idsOf(messages), [1, 2, 3, 4]);
  assert.deepEqual(replies, [], "a blank or white line is skipped, not answered");
});

Deno.test("stdio transport: the cap is the same for every line, whatever came before (a line, a refused line)", async () => {
  const line = ping(7);
  const cap = enc.encode(line).length;
  const oneOver = ping(70); // one digit more: one byte over
  assert.equal(enc.encode(oneOver).length, cap + 1);
  const big = requestOf(5 * cap, "big");
  const { messages, replies } = await feed(
    [[ping(1), line, oneOver, big, line, big, oneOver, line].join("\n") + "\n"],
    cap,
  );
  assert.deepEqual(idsOf(messages), [1, 7, 7, 7]);
  assert.deepEqual(replies.map((r) => r.id), [70, "big", "big", 70]);
});

Deno.test("stdio transport: an oversized line's id is looked for in its first and its last 1024 bytes only", async () => {
  const cap = 64;
  // In one read, id first or id last.
  const first = requestOf(3000, 11);
  const last = requestOf(3000, 12, false);
  // The first 1024 bytes end just after the id's comma, or just before it (the id unsure).
  const cut = (n: number, id: number) => {
    const start = '{"jsonrpc":"2.0","pad":"';
    const idText = `","id":${id}`;
    const head = start + "a".repeat(n - start.length - idText.length) + idText;
    return head + ',"method":"x","params":{"s":"' + "b".repeat(2000) + '"}}';
  };
  const inside = cut(1023, 13); // the comma is byte 1024
  const outside = cut(1024, 14); // the comma is byte 1025
  // The id last, but more than 1024 bytes before the end: not kept, so not found.
  const far =
    JSON.stringify({ method: "x", params: { s: "c".repeat(500) }, jsonrpc: "2.0", id: 15 })
      .slice(0, -1) + " ".repeat(1100) + "}";
  const { replies } = await feed([[first, last, inside, outside, far].join("\n") + "\n"], cap);
  assert.deepEqual(replies.map((r) => r.id), [11, 12, 13, null, null]);
  assert.ok(replies.every((r) => r.error.code === -32600));
});

Deno.test("stdio transport: what cannot be read is answered in words, with the id when there is one", async () => {
  const errors: string[] = [];
  const { messages, replies } = await feed(
    [
      // Not UTF-8, even inside a JSON string.
      new Uint8Array([
        ...enc.encode('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"s":"'),
        0xff,
        ...enc.encode('"}}\n'),
      ]),
      "null\n",
      '{"jsonrpc":"2.0","id":"s-2"}\n',
      '{"jsonrpc":"2.0","id":{"x":1}}\n',
      "5\n",
      ping(6) + "\n",
    ],
    1000,
    errors,
  );
  const PARSE = "Parse error: a message must be one line of UTF-8 JSON";
  const INVALID = "Invalid Request: not a JSON-RPC 2.0 request, notification or response";
  assert.deepEqual(replies.map((r) => [r.error.code, r.id, r.error.message]), [
    [-32700, null, PARSE],
    [-32600, null, INVALID],
    [-32600, "s-2", INVALID],
    [-32600, null, INVALID],
    [-32600, null, INVALID],
  ]);
  assert.deepEqual(idsOf(messages), [6], "the session goes on");
  assert.equal(errors[0], `stdin: ${PARSE}`);
});

Deno.test("stdio transport: a message handler that throws is reported, and the next line is served", async () => {
  const input = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode(`${ping(1)}\n${ping(2)}\n`));
      c.close();
    },
  });
  const t = new LineStdioTransport({ input, output: { write: (p) => Promise.resolve(p.length) } });
  const seen: unknown[] = [];
  const errors: string[] = [];
  t.onmessage = (m) => {
    seen.push((m as { id: unknown }).id);
    if (seen.length === 1) throw new Error("handler broke");
  };
  t.onerror = (e) => errors.push(e.message);
  await t.start();
  await within(t.closed, "the transport to close at the end of its input");
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(errors, ["handler broke"]);
});

Deno.test("stdio transport: bad lines are reported at most once a second, each report counting those held back", async () => {
  const clock = { now: 0 };
  Object.defineProperty(performance, "now", { value: () => clock.now, configurable: true });
  try {
    // [when, line]: a bad line at each moment, then one good one.
    const script: [number, string][] = [
      [0, "{bad"],
      [500, "{bad"],
      [999, "{bad"],
      [1000, "{bad"], // a second after the last report: reported, counting two
      [1999, "{bad"],
      [3000, "{bad"], // counting one
      [5000, "{bad"], // none held back since
      [5001, ping(1)],
    ];
    const input = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = script.shift();
        if (!next) return c.close();
        clock.now = next[0];
        c.enqueue(enc.encode(next[1] + "\n"));
      },
    });
    const t = new LineStdioTransport({
      input,
      output: { write: (p) => Promise.resolve(p.length) },
    });
    const errors: string[] = [];
    t.onerror = (e) => errors.push(e.message);
    await t.start();
    await within(t.closed, "the transport to close at the end of its input");
    const bad = "stdin: Parse error: a message must be one line of UTF-8 JSON";
    assert.deepEqual(errors, [
      bad,
      `${bad} (and 2 other bad lines before)`,
      `${bad} (and 1 other bad lines before)`,
      bad,
    ]);
  } finally {
    delete (performance as { now?: unknown }).now;
  }
  assert.notEqual(performance.now(), 0, "the real clock is back");
});

Deno.test("stdio transport: close ends reading (the input is cancelled), once, and drops a line in progress unreported", async () => {
  const cancelled = Promise.withResolvers<void>();
  const taken = Promise.withResolvers<void>();
  let pulls = 0;
  const input = new ReadableStream<Uint8Array>({
    pull(c) {
      pulls++;
      if (pulls === 1) c.enqueue(enc.encode(requestOf(500, 1))); // oversized, no newline yet
      else {
        taken.resolve();
        return new Promise(() => {}); // nothing more for now
      }
    },
    cancel() {
      cancelled.resolve();
    },
  });
  let written = 0;
  const t = new LineStdioTransport({
    input,
    maxLineBytes: 64,
    output: { write: (p) => (written += p.length, Promise.resolve(p.length)) },
  });
  const errors: string[] = [];
  let closes = 0;
  t.onerror = (e) => errors.push(e.message);
  t.onclose = () => closes++;
  await t.start();
  await within(taken.promise, "the first chunk to be read");
  await t.close();
  await t.close();
  await within(cancelled.promise, "the input to be cancelled");
  await within(t.closed, "closed");
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(closes, 1, "the close is reported once");
  assert.deepEqual(errors, [], "the line cut by the close is not reported");
  assert.equal(written, 0, "nor answered");
});

Deno.test("stdio transport: a source may reuse its buffer once a chunk is read", async () => {
  const buf = new Uint8Array(4096);
  const line = ping(1);
  const big = JSON.stringify({
    method: "x",
    params: { s: "a".repeat(200) },
    jsonrpc: "2.0",
    id: 21,
  })
    .slice(0, -1);
  const pieces = [
    line.slice(0, 10),
    line.slice(10) + "\n",
    // An oversized line (cap 64) whose id comes last, then spaces that overwrite it in the buffer.
    big,
    " ".repeat(big.length) + "}\n",
  ];
  const input = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = pieces.shift();
      if (next === undefined) return c.close();
      const bytes = enc.encode(next);
      buf.set(bytes);
      c.enqueue(buf.subarray(0, bytes.length));
    },
  });
  let written = "";
  const t = new LineStdioTransport({
    input,
    maxLineBytes: 64,
    output: { write: (p) => (written += new TextDecoder().decode(p), Promise.resolve(p.length)) },
  });
  const messages: unknown[] = [];
  t.onmessage = (m) => messages.push(m);
  await t.start();
  await within(t.closed, "the transport to close at the end of its input");
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(idsOf(messages), [1]);
  const replies = written.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(replies.map((r) => r.id), [21]);
});

Deno.test("stderr log: a stderr nobody reads never blocks; lines beyond the queue are counted", async () => {
  const writes: string[] = [];
  let release!: () => void;
  const stuck = new Promise<void>((r) => (release = r));
  const log = new StderrLog({
    async write(p) {
      await stuck; // nobody reads stderr, until release()
      writes.push(new TextDecoder().decode(p));
      return p.length;
    },
  }, 10);
  for (let i = 0; i < 1000; i++) log.line(`line ${i}`); // returns at once, every time
  assert.deepEqual(writes, []);
  release();
  await log.flush(5_000);
  const all = writes.join("").split("\n").filter(Boolean);
  assert.equal(all[0], "line 0");
  assert.ok(all.length <= 12, `${all.length} lines`);
  assert.match(all.at(-1)!, /^\(\d+ log lines dropped: stderr was not being read\)$/);
});

Deno.test("stdio transport: a second start is refused, saying so, and the first goes on", async () => {
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const t = new LineStdioTransport({
    input: readable,
    output: { write: (p) => Promise.resolve(p.length) },
  });
  const messages: unknown[] = [];
  t.onmessage = (m) => messages.push(m);
  await t.start();
  assert.throws(() => t.start(), /^Error: LineStdioTransport already started$/);
  const w = writable.getWriter();
  await w.write(enc.encode(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) + "\n"));
  await w.close();
  await within(t.closed, "the transport to close at the end of its input");
  assert.equal(messages.length, 1);
});

Deno.test("stderr log: while stderr is stuck, exactly the queue's worth waits (100 by default); the drop count is said once", async () => {
  for (const [max, sent] of [[10, 15], [undefined, 250]] as const) {
    const writes: string[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const writer = {
      async write(p: Uint8Array) {
        await stuck;
        writes.push(new TextDecoder().decode(p));
        return p.length;
      },
    };
    const log = max === undefined ? new StderrLog(writer) : new StderrLog(writer, max);
    const queue = max ?? 100;
    for (let i = 0; i < sent; i++) log.line(`line ${i}`);
    release();
    await log.flush(5_000);
    // The first line was being written; `queue` more waited; the rest were dropped.
    const expected = Array.from({ length: queue + 1 }, (_, i) => `line ${i}`);
    expected.push(`(${sent - queue - 1} log lines dropped: stderr was not being read)`);
    assert.deepEqual(writes.join("").split("\n").filter(Boolean), expected, `queue ${queue}`);
    log.line("later");
    await log.flush(5_000);
    assert.equal(writes.at(-1), "later\n", "the count is not said again");
  }
});

Deno.test("stderr log: flush waits for a slow stderr; a writer taking part of the bytes gets every byte; each stuck spell is counted on its own", async () => {
  let gate = Promise.withResolvers<void>();
  let text = "";
  const log = new StderrLog({
    async write(p) {
      await gate.promise;
      await new Promise((r) => setTimeout(r, 1)); // a real wait, not a microtask
      const n = p.length > 1 ? p.length - 1 : 1; // all but the last byte, then that one
      text += new TextDecoder().decode(p.subarray(0, n));
      return n;
    },
  }, 2);
  // One dropped line is said too.
  for (const l of ["a", "b", "c", "d"]) log.line(l);
  gate.resolve();
  await log.flush(5_000);
  assert.equal(text, "a\nb\nc\n(1 log lines dropped: stderr was not being read)\n");
  // A second stuck spell: its own count, from zero.
  gate = Promise.withResolvers<void>();
  text = "";
  for (const l of ["e", "f", "g", "h", "i", "j"]) log.line(l);
  gate.resolve();
  await log.flush(5_000);
  assert.equal(text, "e\nf\ng\n(3 log lines dropped: stderr was not being read)\n");
});

Deno.test("stderr log: once stderr is gone, logging stops quietly (no more writes, no throw)", async () => {
  let attempts = 0;
  const log = new StderrLog({
    write() {
      attempts++;
      return Promise.reject(new Error("broken pipe"));
    },
  });
  log.line("first");
  await log.flush(5_000);
  assert.equal(attempts, 1);
  for (let i = 0; i < 5; i++) log.line(`after ${i}`);
  await log.flush(5_000);
  assert.equal(attempts, 1, "a gone stderr is not written to again");
});

Deno.test("stdio transport: messages sent while a write is in flight go out together, in order, in the next write", async () => {
  const writes: string[] = [];
  const releases: (() => void)[] = [];
  let fail = false;
  const t = new LineStdioTransport({
    input: new ReadableStream<Uint8Array>(), // never started: only the writing side is used
    output: {
      write(p) {
        writes.push(new TextDecoder().decode(p));
        if (fail) return Promise.reject(new Error("broken pipe"));
        return new Promise((resolve) => releases.push(() => resolve(p.length)));
      },
    },
  });
  const errors: string[] = [];
  t.onerror = (e) => errors.push(e.message);
  const ids = (w: string) => w.split("\n").filter(Boolean).map((l) => JSON.parse(l).id);
  const msg = (id: number) => ({ jsonrpc: "2.0" as const, id, result: {} });
  const tick = () => new Promise((r) => setTimeout(r, 0));

  const first = t.send(msg(1));
  await tick();
  assert.equal(writes.length, 1);
  const rest = [2, 3, 4].map((id) => t.send(msg(id)));
  await tick();
  assert.equal(writes.length, 1, "nothing else is written while a write is in flight");
  releases.shift()!();
  await first;
  await tick();
  assert.deepEqual(writes.map(ids), [[1], [2, 3, 4]], "the waiting messages go out in one write");
  releases.shift()!();
  await Promise.all(rest);
  await t.flushed();

  // A failed write fails every message it carried, and closes the transport.
  fail = true;
  const failed = await Promise.allSettled([t.send(msg(5)), t.send(msg(6))]);
  assert.deepEqual(failed.map((r) => r.status), ["rejected", "rejected"]);
  assert.deepEqual(ids(writes[2]), [5, 6]);
  assert.ok(errors.includes("broken pipe"), errors.join("; "));
  await assert.rejects(t.send(msg(7)), /closed/);
});

Deno.test("stderr log: a flush that ends because every line is written leaves no timer behind", async () => {
  const writes: string[] = [];
  const log = new StderrLog({
    write(p) {
      writes.push(new TextDecoder().decode(p));
      return Promise.resolve(p.length);
    },
  });
  // A flush before the process exits waits at most 60 s here: written at once, it must not
  // leave its 60-second timer holding the process.
  const left = await leftBehind(new AbortController().signal, async () => {
    log.line("last words");
    await within(log.flush(60_000), "the flush");
  });
  assert.deepEqual(writes, ["last words\n"]);
  assert.equal(left.timers, 0);
});
