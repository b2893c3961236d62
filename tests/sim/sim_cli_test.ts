/**
 * The sim's CLI (`src/sim/main.ts`) as its own process, the way the bench runs it: it prints the
 * URL and token, honours --rate-limit 0, and with --log writes one line per answered request.
 */
import assert from "node:assert/strict";
import { exited, within } from "../deadline.ts";

Deno.test("sim CLI: --until-stdin-closes stops when its stdin closes", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL("../../src/sim/main.ts", import.meta.url).pathname,
      "--tasks",
      "1",
      "--until-stdin-closes",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("CODER_SESSION_TOKEN=")) {
    const { value, done } = await within(out.read(), "the sim to print its token");
    assert.ok(!done);
    text += value;
  }
  await child.stdin.close();
  const status = await exited(child, "the sim, once stdin closed"); // fails if it keeps serving
  assert.equal(status.code, 0);
  await out.cancel().catch(() => {});
});

Deno.test("sim CLI: serves, prints URL and token, logs each answered request", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL("../../src/sim/main.ts", import.meta.url).pathname,
      "--profile",
      "both",
      "--tasks",
      "3",
      "--chats",
      "2",
      "--rate-limit",
      "0",
      "--log",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const err = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    while (!/CODER_SESSION_TOKEN=\S+\n/.test(text)) {
      const { value, done } = await within(out.read(), "the sim to print its token");
      assert.ok(!done, `sim exited: ${text}`);
      text += value;
    }
    const url = /CODER_URL=(\S+)/.exec(text)![1];
    const token = /CODER_SESSION_TOKEN=(\S+)/.exec(text)![1];
    const headers = { "Coder-Session-Token": token };
    const tasks = await fetch(`${url}/api/v2/tasks?q=owner%3Ame`, { headers });
    assert.equal(tasks.status, 200);
    await tasks.body?.cancel();
    const none = await fetch(`${url}/api/v2/chats/00000000-0000-4000-8000-000000000000`, {
      headers,
    });
    assert.equal(none.status, 404);
    await none.body?.cancel();
    // No 429 with the limit off, however many requests.
    for (let i = 0; i < 600; i++) {
      const r = await fetch(`${url}/api/v2/buildinfo`);
      await r.body?.cancel();
      assert.equal(r.status, 200);
    }
    let log = "";
    while (log.split("\n").length < 603) {
      const { value, done } = await within(err.read(), "the sim to log 603 requests");
      assert.ok(!done);
      log += value;
    }
    const lines = log.split("\n");
    assert.equal(lines[0], "200 GET /api/v2/tasks?q=owner%3Ame");
    assert.equal(lines[1], "404 GET /api/v2/chats/00000000-0000-4000-8000-000000000000");
    assert.equal(lines[2], "200 GET /api/v2/buildinfo");
  } finally {
    child.kill("SIGTERM");
    await exited(child, "the sim, after SIGTERM");
    await out.cancel().catch(() => {});
    await err.cancel().catch(() => {});
  }
});
