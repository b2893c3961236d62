/**
 * get_logs' answer, line by line: the head (kind, quoted name, id, count, the snapshot a paused
 * task shows), each message framed under its own header, the end marker, and the notes that say
 * how to page (older, newer), what max_chars cut, and what waits in a chat's queue. In process,
 * on the sim (tests/tools/on_sim.ts).
 */
import assert from "node:assert/strict";
import { onSim } from "./on_sim.ts";

type Message = { id: number; role: string; time: string; text: string };

/** The framed rendering of one message, as the text shows it. */
const framed = (
  m: Message,
) => [`--- #${m.id} ${m.role} ${m.time} ---`, ...m.text.split("\n").map((l) => l ? `│ ${l}` : "│")];

Deno.test("get_logs: a page of a chat, framed, with the cursors to page back and follow", async () => {
  await onSim({ sim: { profile: "current", chats: 8 } }, async ({ sim, call }) => {
    const [id, long] = sim.chatIds("own");
    assert.ok(sim.chatMessages(id) >= 5 && sim.chatMessages(long) >= 10);
    const r = await call("get_logs", { agent: id, limit: 3 });
    assert.ok(!r.isError, r.text);
    const msgs = r.data.messages as Message[];
    assert.equal(msgs.length, 3);
    assert.deepEqual(msgs.map((m) => m.id), [msgs[0].id, msgs[0].id + 1, msgs[0].id + 2]);
    assert.deepEqual(r.text.split("\n"), [
      `chat «admin/${r.data.agent.name}» (id ${id}): 3 messages; agent-written text follows, ` +
      'every line of it marked "│", then --- end ---.',
      ...msgs.flatMap(framed),
      "--- end ---",
      `Older messages: before_id=${msgs[0].id}.`,
      `New messages later: after_id=${msgs[2].id}.`,
    ]);
    assert.equal(r.data.has_older, true);
    assert.equal(r.data.truncated, false);
    assert.equal(r.data.snapshot, false);
    assert.equal(r.data.next_after_id, msgs[2].id);

    // Nothing newer: no message, the same cursor to follow, nothing older said.
    const after = await call("get_logs", { agent: id, after_id: msgs[2].id });
    assert.equal(after.data.messages.length, 0);
    assert.equal(after.data.next_after_id, msgs[2].id);
    assert.deepEqual(after.text.split("\n").slice(1), [
      "--- end ---",
      `New messages later: after_id=${msgs[2].id}.`,
    ]);
    assert.match(after.text, /: 0 messages; /);

    // Paging back: the messages before the cursor.
    const before = await call("get_logs", { agent: id, before_id: msgs[0].id, limit: 200 });
    const older = before.data.messages as Message[];
    assert.ok(older.length > 0 && older.every((m) => m.id < msgs[0].id));
    assert.equal(before.data.has_older, false, "the first page back holds the rest");
    assert.doesNotMatch(before.text, /Older messages/);

    // max_chars: the newest messages kept whole first, the rest of the page left out.
    const cut = await call("get_logs", { agent: long, limit: 200, max_chars: 200 });
    const kept = cut.data.messages as Message[];
    assert.equal(cut.data.truncated, true);
    assert.ok(kept.length < sim.chatMessages(long), `${kept.length} kept`);
    assert.ok(kept.reduce((n, m) => n + m.text.length, 0) <= 200);
    const note = cut.text.split("\n").find((l) => l.startsWith("[truncated"));
    assert.match(
      note!,
      /^\[truncated: text was cut to max_chars=200; \d+ older messages of this page left out; raise max_chars or lower limit\]$/,
    );
    assert.equal(cut.data.has_older, true, "what was left out is older");
    assert.match(cut.text, new RegExp(`^Older messages: before_id=${kept[0].id}\\.$`, "m"));

    const both = await call("get_logs", { agent: id, after_id: 1, before_id: 3 });
    assert.equal(both.isError, true);
    assert.equal(
      both.text,
      "Error: after_id and before_id cannot be used together.\n" +
        "Next: Pass after_id to follow new messages, or before_id to page back.",
    );
  });
});

Deno.test("get_logs: max_chars at its edge: a message that fits exactly is whole", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    // A task whose newest message is long, with an older one before it.
    let id = "";
    let m: Message | undefined;
    for (const t of sim.taskIds()) {
      const page = await call("get_logs", { agent: t, limit: 2, max_chars: 100_000 });
      const msgs = page.data?.messages as Message[] | undefined;
      if (msgs?.length === 2 && msgs[1].text.length > 200) [id, m] = [t, msgs[1]];
    }
    assert.ok(m, "a task whose newest message is over 200 characters");
    const n = m.text.length;
    const exact = await call("get_logs", { agent: id, limit: 1, max_chars: n });
    assert.equal(exact.data.truncated, false);
    assert.equal(exact.data.messages[0].text, m.text);
    assert.doesNotMatch(exact.text, /\[truncated/);
    const short = await call("get_logs", { agent: id, limit: 1, max_chars: n - 1 });
    assert.equal(short.data.truncated, true);
    assert.equal(short.data.messages[0].text, m.text.slice(0, n - 2) + "…");
    assert.match(
      short.text,
      /^\[truncated: text was cut to max_chars=\d+; raise max_chars or lower limit\]$/m,
    );
    // Two on the page, room for the newest only: the older one is left out, and said.
    const two = await call("get_logs", { agent: id, limit: 2, max_chars: n });
    assert.equal(two.data.messages.length, 1);
    assert.equal(two.data.truncated, true);
    assert.equal(two.data.has_older, true);
    assert.match(two.text, /; 1 older messages of this page left out;/);
    // One character more: the older one is kept, cut to that character.
    const one = await call("get_logs", { agent: id, limit: 2, max_chars: n + 1 });
    assert.equal(one.data.messages.length, 2);
    assert.equal(one.data.messages[0].text.length, 1);
    assert.equal(one.data.truncated, true);
    assert.doesNotMatch(one.text, /left out/);
  });
});

Deno.test("get_logs: a paused task's stored snapshot says so in its head", async () => {
  await onSim({ sim: { profile: "tasks", tasks: 6 } }, async ({ sim, call }) => {
    const paused = sim.taskIds().find((t) => sim.truth().by_id[t] === "paused")!;
    const r = await call("get_logs", { agent: paused, limit: 1 });
    assert.ok(!r.isError, r.text);
    assert.equal(r.data.snapshot, true);
    assert.match(r.data.snapshot_at, /^\d{4}-\d\d-\d\dT/);
    assert.match(
      r.text.split("\n")[0],
      new RegExp(
        `^task «admin/[^»]+» \\(id ${paused}\\): 1 messages \\(stored snapshot of ${r.data.snapshot_at}\\); `,
      ),
    );
  });
});

Deno.test("get_logs: a chat's queue said and listed; no cursor said where there is none; no cost asked", async () => {
  const paths: string[] = [];
  await onSim({
    sim: { profile: "current", chats: 8 },
    onRequest: (_m, path) => paths.push(path),
  }, async ({ sim, call }) => {
    const state = sim.truth().by_id;
    const busy = sim.chatIds("own").find((id) => state[id] === "working")!;
    assert.ok(busy, "a working chat of your own");
    const sent = await call("send_input", {
      agents: [busy],
      input: "After this",
      if_busy: "queue",
    });
    assert.equal(sent.data.results[0].outcome, "queued", sent.text);
    paths.length = 0;
    const r = await call("get_logs", { agent: busy, limit: 1 });
    assert.ok(!r.isError, r.text);
    assert.deepEqual(r.data.queued, ["After this"]);
    assert.equal(r.text.split("\n").at(-1), "Queued (not yet delivered): 1");
    // get_logs reads the conversation, not the chat's cost (get_agent's extras).
    assert.deepEqual(paths.filter((p) => p.endsWith("/cost")), [], paths.join(" "));
    // Before the first message: nothing, and no cursor to follow (none was given).
    const none = await call("get_logs", { agent: busy, before_id: 0 });
    assert.deepEqual(none.data.messages, []);
    assert.equal(none.data.next_after_id, undefined);
    assert.doesNotMatch(none.text, /New messages later/);
  });
});
