/**
 * End to end: `get_agent` and `get_logs` send the conversation (and extras) requests together
 * with the lookup when the handle names a path, and only to the APIs that can own it.
 *
 * Overlap is proven causally, not by timing: the sim holds the lookup unanswered until every
 * other request the call must send with it has arrived. A request sent only after the lookup
 * answered would never arrive while it is held (the test then fails after `GIVE_UP_MS`). The
 * other way round, a request that must wait for the lookup (a chat's own requests, when the UUID
 * may be a task's) must not have arrived while the lookup is still held.
 */
import assert from "node:assert/strict";
import { type Harness, startHarness } from "./harness.ts";
import type { SimRequest } from "../../src/sim/server.ts";
import { isTaskName } from "../../src/model/handle.ts";

/** How long a request that should go out with the held lookup may take before the test fails. */
const GIVE_UP_MS = 20_000;

/** While the lookup is held, how long to watch that nothing of `after` goes out. */
const WATCH_MS = 300;

/**
 * Call a tool with `lookup` held unanswered until each of `together` has arrived too (they went
 * out together: one round trip); then, when `after` is given, that none of those arrives while
 * the lookup is still held; then let it answer. Returns the requests the call made.
 */
async function held(
  h: Harness,
  lookup: string,
  together: string[],
  tool: string,
  args: Record<string, unknown>,
  after: string[] = [],
): Promise<{ requests: SimRequest[]; result: Awaited<ReturnType<Harness["call"]>> }> {
  h.sim.clearRequests();
  h.sim.fault(lookup, { kind: "hang", times: 1, method: "GET" });
  const call = h.call(tool, args);
  const arrived = () => new Set(h.sim.requests.map((q) => q.path));
  const missing = () => [lookup, ...together].filter((p) => !arrived().has(p));
  const end = Date.now() + GIVE_UP_MS;
  while (missing().length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  const late = missing();
  if (after.length > 0 && late.length === 0) await new Promise((r) => setTimeout(r, WATCH_MS));
  const early = after.filter((p) => arrived().has(p));
  const answered = h.sim.requests.find((q) => q.path === lookup)?.status;
  h.sim.clearFaults(); // the lookup answers now
  const result = await call;
  assert.deepEqual(late, [], `not sent while ${lookup} was held: they wait for its answer`);
  assert.deepEqual(early, [], `sent while ${lookup} was held: they must wait for its answer`);
  assert.equal(answered, 0, `${lookup} was held until then`);
  return { requests: [...h.sim.requests], result };
}

const paths = (rs: SimRequest[]) => rs.map((r) => r.path).sort();

Deno.test("e2e round trips: tasks only", async (t) => {
  const h = await startHarness({ sim: { profile: "tasks", tasks: 8, seed: 5 } });
  try {
    await h.call("fleet_overview"); // detection
    const id = h.sim.taskIds().find((x) =>
      (h.sim.task(x) as { owner_name: string }).owner_name ===
        h.sim.username
    )!;
    const task = h.sim.task(id) as { name: string };

    await t.step("get_agent on a task by UUID: lookup and logs together, no chat API", async () => {
      const lookup = `/api/v2/tasks/me/${id}`;
      const { requests, result } = await held(h, lookup, [`${lookup}/logs`], "get_agent", {
        agent: id,
      });
      assert.equal(result.isError, undefined, result.text);
      assert.equal(result.data.agent.id, id);
      assert.deepEqual(paths(requests), [lookup, `${lookup}/logs`]);
    });

    await t.step("get_logs on owner/name: lookup and logs by name together", async () => {
      const lookup = `/api/v2/tasks/${h.sim.username}/${task.name}`;
      const { requests, result } = await held(h, lookup, [`${lookup}/logs`], "get_logs", {
        agent: `${h.sim.username}/${task.name}`,
      });
      assert.equal(result.isError, undefined, result.text);
      assert.equal(result.data.agent.id, id);
      assert.deepEqual(paths(requests), [lookup, `${lookup}/logs`]);
    });

    await t.step("another user's task by UUID: its logs are read by its owner", async () => {
      const other = h.sim.taskIds().find((x) =>
        (h.sim.task(x) as { owner_name: string }).owner_name !== h.sim.username
      )!;
      const owner = (h.sim.task(other) as { owner_name: string }).owner_name;
      h.sim.clearRequests();
      const r = await h.call("get_logs", { agent: other });
      assert.equal(r.isError, undefined, r.text);
      assert.equal(r.data.agent.id, other);
      assert.ok(h.sim.requests.some((q) => q.path === `/api/v2/tasks/${owner}/${other}/logs`));
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e round trips: tasks and chats", async (t) => {
  const h = await startHarness({ sim: { profile: "both", tasks: 6, chats: 6, seed: 5 } });
  try {
    await h.call("fleet_overview"); // detection
    const [chatId] = h.sim.chatIds();
    const taskId = h.sim.taskIds().find((x) =>
      (h.sim.task(x) as { owner_name: string }).owner_name === h.sim.username
    )!;

    await t.step(
      "get_agent on a chat by UUID: the lookups probe both APIs; the chat's own requests follow its lookup",
      async () => {
        const lookup = `/api/v2/chats/${chatId}`;
        const own = [`${lookup}/cost`, `${lookup}/messages`, "/api/v2/chats/models"];
        // A UUID does not say which API owns it: the task API is asked too (its lookup and the
        // log it would need), but nothing else goes to the chat API before its lookup answered.
        const taskSide = [`/api/v2/tasks/me/${chatId}`, `/api/v2/tasks/me/${chatId}/logs`];
        const { requests, result } = await held(h, lookup, taskSide, "get_agent", {
          agent: chatId,
        }, own);
        assert.equal(result.isError, undefined, result.text);
        assert.equal(result.data.agent.kind, "chat");
        const chatPaths = paths(requests).filter((p) => p.startsWith("/api/v2/chats"));
        assert.deepEqual(chatPaths, [lookup, ...own]);
        assert.deepEqual(paths(requests).filter((p) => p.startsWith("/api/v2/tasks")), taskSide);
      },
    );

    await t.step("get_logs on a chat by UUID: messages once the chat lookup answered", async () => {
      const lookup = `/api/v2/chats/${chatId}`;
      const { requests, result } = await held(h, lookup, [], "get_logs", { agent: chatId }, [
        `${lookup}/messages`,
      ]);
      assert.equal(result.isError, undefined, result.text);
      assert.equal(result.data.agent.id, chatId);
      const chatPaths = paths(requests).filter((p) => p.startsWith("/api/v2/chats"));
      assert.deepEqual(chatPaths, [lookup, `${lookup}/messages`]);
    });

    await t.step(
      "get_agent on a task by UUID: one round trip, no wasted chat request",
      async () => {
        const lookup = `/api/v2/tasks/me/${taskId}`;
        const { requests, result } = await held(h, lookup, [`${lookup}/logs`], "get_agent", {
          agent: taskId,
        });
        assert.equal(result.isError, undefined, result.text);
        assert.equal(result.data.agent.kind, "task");
        assert.deepEqual(paths(requests).filter((p) => p.startsWith("/api/v2/tasks")), [
          lookup,
          `${lookup}/logs`,
        ]);
        // The chat API is asked only whether it owns the UUID (its 404): no messages, cost or
        // models for a chat that is not there.
        assert.deepEqual(paths(requests).filter((p) => p.startsWith("/api/v2/chats")), [
          `/api/v2/chats/${taskId}`,
        ]);
      },
    );

    await t.step("get_logs on a task by UUID: one round trip, no wasted chat request", async () => {
      const lookup = `/api/v2/tasks/me/${taskId}`;
      const { requests, result } = await held(h, lookup, [`${lookup}/logs`], "get_logs", {
        agent: taskId,
      });
      assert.equal(result.isError, undefined, result.text);
      assert.deepEqual(paths(requests), [
        `/api/v2/chats/${taskId}`,
        lookup,
        `${lookup}/logs`,
      ]);
    });

    await t.step(
      "get_logs on a task's owner/name: chat list, lookup and logs together",
      async () => {
        const name = (h.sim.task(taskId) as { name: string }).name;
        const lookup = `/api/v2/tasks/${h.sim.username}/${name}`;
        // The chat list is held: the task lookup and its logs must not wait for it.
        const { requests, result } = await held(
          h,
          "/api/v2/chats",
          [lookup, `${lookup}/logs`],
          "get_logs",
          { agent: `${h.sim.username}/${name}` },
        );
        assert.equal(result.isError, undefined, result.text);
        assert.equal(result.data.agent.id, taskId);
        assert.deepEqual(paths(requests), ["/api/v2/chats", lookup, `${lookup}/logs`]);
      },
    );

    await t.step("a chat title names no path: nothing is sent before the list", async () => {
      h.sim.clearRequests();
      const title = (h.sim.chat(chatId) as { title: string }).title;
      const owner = (h.sim.chat(chatId) as { owner_username: string }).owner_username;
      const r = await h.call("get_logs", { agent: `${owner}/${title}` });
      assert.equal(r.isError, undefined, r.text);
      if (isTaskName(title)) return;
      assert.ok(
        !h.sim.requests.some((q) => q.path.startsWith("/api/v2/tasks/")),
        "a title is not a task name: the Tasks API is not asked",
      );
    });
  } finally {
    await h.close();
  }
});

Deno.test("e2e round trips: chats only", async (t) => {
  const h = await startHarness({ sim: { profile: "chats", chats: 6, seed: 5 } });
  try {
    await h.call("fleet_overview"); // detection
    const [chatId] = h.sim.chatIds();

    await t.step("get_agent on a chat by UUID: one round trip, no task API", async () => {
      const lookup = `/api/v2/chats/${chatId}`;
      const { requests, result } = await held(
        h,
        lookup,
        [`${lookup}/cost`, `${lookup}/messages`],
        "get_agent",
        { agent: chatId },
      );
      assert.equal(result.isError, undefined, result.text);
      assert.equal(result.data.agent.kind, "chat");
      // (The models come from where this version serves them: not counted here.)
      const chatPaths = paths(requests).filter((p) => p.startsWith(lookup));
      assert.deepEqual(chatPaths, [lookup, `${lookup}/cost`, `${lookup}/messages`]);
      assert.ok(!requests.some((r) => r.path.includes("/tasks")), "no Tasks API here");
    });

    await t.step("get_logs on a chat by UUID: one round trip", async () => {
      const lookup = `/api/v2/chats/${chatId}`;
      const { requests, result } = await held(h, lookup, [`${lookup}/messages`], "get_logs", {
        agent: chatId,
      });
      assert.equal(result.isError, undefined, result.text);
      assert.deepEqual(paths(requests), [lookup, `${lookup}/messages`]);
    });
  } finally {
    await h.close();
  }
});
