/**
 * One agent and its conversation in one round trip where the handle allows it: the requests for
 * the conversation (and `get_agent`'s extras) go out together with the lookup, to the back end
 * whose path the handle names (owner/name: the task back end when the name can be a task's; a
 * chat title: none, it is found in the list; a UUID: the one back end, or with both, see below).
 * Once the handle resolves, the owning back end's answers are read; the others' are aborted.
 *
 * A UUID does not say which API owns it, and both lookups go out (one of them is a 404: the
 * price of not knowing). With both APIs, only the task back end's conversation request goes with
 * them (one request, a 404 when the UUID is a chat's): a chat's messages, cost and models (three
 * requests, sent for nothing whenever the UUID is a task's) wait for its lookup to find it. A
 * deployment with both APIs is one from the Tasks era (Tasks are gone by default from v2.36, and
 * the chat API came beside them), so a UUID there is most often a task's; a chat by UUID costs one
 * more round trip there, and none where the chat API is the only one.
 */
import type { Agent } from "../model/agent.ts";
import type { Backend, LogPage, LogQuery, Prefetched } from "../model/backend.ts";
import type { Fleet } from "./fleet.ts";
import { parseHandle } from "../model/handle.ts";

/** A resolved agent, its back end, and its conversation page and extras (being read). */
export interface AgentWithLogs {
  agent: Agent;
  backend: Backend;
  logs: Promise<LogPage>;
  /** `{}` unless asked for. */
  extras: Promise<Record<string, unknown>>;
}

/**
 * Resolve `raw` (see `Fleet.resolve`, whose errors it throws) while its conversation page (and
 * extras, when `withExtras`) is already being fetched. `logs` and `extras` are promises so that a
 * caller can take a failed conversation apart from a failed lookup.
 */
export async function resolveWithLogs(
  fleet: Fleet,
  raw: string,
  query: LogQuery,
  withExtras: boolean,
  signal: AbortSignal,
): Promise<AgentWithLogs> {
  const handle = parseHandle(raw);
  const sent = new Map<Backend, { p: Prefetched; stop: AbortController }>();
  if (handle) {
    const d = await fleet.deployment(signal);
    const ahead = handle.kind === "id" && d.backends.length > 1
      ? d.backends.filter((b) => b.kind === "task")
      : d.backends;
    for (const b of ahead) {
      const stop = new AbortController();
      const p = b.prefetch?.(handle, query, withExtras, AbortSignal.any([signal, stop.signal]));
      if (p) sent.set(b, { p, stop });
    }
  }
  let agent: Agent;
  let backend: Backend;
  try {
    agent = await fleet.resolve(raw, signal);
    backend = await fleet.backendOf(agent, signal);
  } catch (err) {
    for (const { stop } of sent.values()) stop.abort();
    throw err;
  }
  // What went to a back end that does not own the agent is no longer wanted.
  for (const [b, { stop }] of sent) if (b !== backend) stop.abort();
  const mine = sent.get(backend)?.p;
  const logs = mine ? mine.logs(agent, signal) : backend.logs(agent, query, signal);
  const extras = !withExtras
    ? Promise.resolve({})
    : mine
    ? mine.extras(agent, signal)
    : backend.extras(agent, signal);
  return { agent, backend, logs, extras };
}
