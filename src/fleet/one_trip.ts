/**
 * One agent and its conversation in one round trip where the handle allows it: the requests for
 * the conversation (and `get_agent`'s extras) go out together with the lookup, to each back end
 * whose path the handle names (a UUID: every back end, since either may own it; owner/name: the
 * task back end when the name can be a task's; a chat title: none, it is found in the list). Once
 * the handle resolves, the owning back end's answers are read; the others' are aborted.
 */
import type { Agent } from "./agent.ts";
import type { Backend, LogPage, LogQuery, Prefetched } from "./backend.ts";
import type { Fleet } from "./fleet.ts";
import { parseHandle } from "./handle.ts";

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
    for (const b of d.backends) {
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
