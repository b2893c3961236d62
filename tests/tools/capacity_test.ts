/**
 * Licence capacity as the tools tell it (src/tools/capacity.ts): chats running and waiting for a
 * slot, and a note only when chats wait, or when Coder's list cannot say and more chats run than
 * a Community licence lets run at once (5).
 */
import assert from "node:assert/strict";
import type { Agent, AgentState } from "../../src/model/agent.ts";
import { capacityOf } from "../../src/tools/capacity.ts";
import { anAgent, fixtureId } from "../agent_fixture.ts";

let n = 0;
const mk = (kind: Agent["kind"], state: AgentState, queued = false): Agent =>
  anAgent({
    id: fixtureId(++n),
    kind,
    name: `a${n}`,
    owner: "o",
    state,
    ...(queued ? { queued_for_capacity: true } : {}),
  });
const chats = (state: AgentState, count: number, queued = false) =>
  Array.from({ length: count }, () => mk("chat", state, queued));

Deno.test("capacity: where the list carries the flag, chats running and waiting, counted", () => {
  const fleet = [
    ...chats("working", 3),
    ...chats("starting", 2, true),
    ...chats("idle", 4),
    mk("task", "working"), // tasks take no licence slot of Coder Agents
    mk("task", "starting", true),
  ];
  const c = capacityOf(fleet, true);
  assert.equal(c.running, 3);
  assert.equal(c.queued_for_capacity, 2);
  assert.equal(
    c.note,
    "Capacity: 3 chats run, 2 wait for a licence slot: Coder's licence lets only so many chats " +
      "run at once (5 on Community, deployment-wide). To start them sooner, stop_agents or " +
      "delete_agents chats that need not run now, or ask a Coder admin about a licence with more " +
      "capacity.",
  );
  // Nobody waits: no note. An unknown listing counts the flag as it is.
  assert.deepEqual(capacityOf(chats("working", 9), true), { running: 9, queued_for_capacity: 0 });
  assert.deepEqual(capacityOf(chats("working", 2), undefined), {
    running: 2,
    queued_for_capacity: 0,
  });
  assert.deepEqual(capacityOf([], true), { running: 0, queued_for_capacity: 0 });
  // One waiting is enough for the note.
  assert.match(
    capacityOf([...chats("working", 5), ...chats("starting", 1, true)], true).note ?? "",
    /^Capacity: 5 chats run, 1 wait for a licence slot:/,
  );
});

Deno.test("capacity: where the list cannot say, null, and a note beyond five running", () => {
  assert.deepEqual(capacityOf(chats("working", 5), false), {
    running: 5,
    queued_for_capacity: null,
  });
  const six = capacityOf([...chats("working", 6), ...chats("starting", 1, true)], false);
  assert.equal(six.running, 6);
  assert.equal(
    six.queued_for_capacity,
    null,
    "the flag is not believed where lists leave it false",
  );
  assert.equal(
    six.note,
    "Capacity: 6 chats show running, but Coder's chat list does not say which of them wait for " +
      "a licence slot (lists leave queued_for_capacity false; a single-chat read derives it: " +
      "get_agent shows it per chat). On a Community licence at most 5 chats run at once, " +
      "deployment-wide, so the others wait: stop_agents or delete_agents chats that need not " +
      "run, or ask a Coder admin about a licence with more capacity.",
  );
});
