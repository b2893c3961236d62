/**
 * The server's call wrapper, in process (official client over an in-memory transport): a waiting
 * call sends progress at least every 10 s even when its rounds stall (DESIGN, "Trust"), and
 * every text it returns is redacted.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport } from "@modelcontextprotocol/server";
import { Fleet } from "../src/fleet/fleet.ts";
import { Redactor } from "../src/redact.ts";
import { serverFactory } from "../src/server.ts";
import { defineTool } from "../src/tools/define.ts";

const SECRET = "sess-" + crypto.randomUUID();

/** A waiting tool that never reports progress itself, and a chatty one that echoes the secret. */
const stalls = defineTool({
  name: "stalls",
  title: "Stalls",
  description: "Waits without a word.\n\nTests only.\n\nReturns nothing until cancelled.",
  input: z.object({}),
  output: z.object({ ok: z.boolean() }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  waits: () => 60_000,
  handler: (_args, { signal }) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    }),
});
const echoes = defineTool({
  name: "echoes",
  title: "Echoes",
  description: "Echoes the secret.\n\nTests only.\n\nReturns it in text and data.",
  input: z.object({}),
  output: z.object({ said: z.string() }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  handler: () => Promise.resolve({ data: { said: `it is ${SECRET}` }, text: `it is ${SECRET}` }),
});

async function connect() {
  const fleet = new Fleet({ url: "http://127.0.0.1:9", token: SECRET });
  const server = serverFactory(fleet, [stalls, echoes], new Redactor([SECRET]))();
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "t", version: "1" });
  await Promise.all([server.connect(a), client.connect(b)]);
  return { client, close: () => Promise.all([client.close(), server.close()]) };
}

Deno.test("server: a stalled wait still sends progress within 10 s", async () => {
  const { client, close } = await connect();
  try {
    const ac = new AbortController();
    const beats: number[] = [];
    const start = Date.now();
    // DESIGN: progress at least every 10 s. Give up at 10 s: a heartbeat must have come by then.
    const guard = setTimeout(() => ac.abort(), 10_000);
    const call = client.callTool({ name: "stalls", arguments: {} }, {
      signal: ac.signal,
      timeout: 60_000,
      onprogress: () => {
        beats.push(Date.now() - start);
        ac.abort();
      },
    });
    await assert.rejects(call);
    clearTimeout(guard);
    assert.equal(beats.length, 1, "no progress within 10 s of a stalled wait");
  } finally {
    await close();
  }
});

Deno.test("server: results are redacted, text and structured content", async () => {
  const { client, close } = await connect();
  try {
    const r = await client.callTool({ name: "echoes", arguments: {} });
    const all = JSON.stringify(r);
    assert.ok(!all.includes(SECRET), all);
    assert.deepEqual(r.structuredContent, { said: "it is [redacted]" });
  } finally {
    await close();
  }
});
