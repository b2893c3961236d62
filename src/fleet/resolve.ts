/**
 * Resolving agent handles to agents, cheaply and safely:
 *
 * - a malformed handle is refused before any request (and before detection);
 * - many handles cost ONE list request per back end; a handle the lists do not show gets at most
 *   one direct lookup per back end where one can succeed (an id: each back end; another user's
 *   task name: the task back end; a chat title: none, titles are only compared with the list),
 *   with at most {@link LOOKUPS} lookups in flight, and the same handle looked up once;
 * - a bare name (or `me/name`) means one of the caller's own agents, which the lists show in
 *   full: among many handles it is answered by the lists alone, never looked up one by one (one
 *   call with a thousand unknown names must not spend a route's minute; issue 17);
 * - ids stop waiting once they are found: an id names one agent across back ends, so the lists
 *   (for many ids) or the lookups (for one) that are still out are abandoned, and an API that
 *   hangs does not hold what the other has answered;
 * - the same agent named twice (by id and by owner/name, say) is marked a duplicate of the first,
 *   so that a batch acts once per agent.
 */
import { type Agent, type AgentKind } from "../model/agent.ts";
import { type Backend, FleetError, type Handle } from "../model/backend.ts";
import { runBatch } from "../model/batch.ts";
import type { FleetLists, Snapshot } from "./snapshot.ts";
import { bestMatches, isTaskName, ownerOf, parseHandle } from "../model/handle.ts";
import { oneLine } from "../model/text.ts";

/** Direct lookups in flight at most, per call. */
export const LOOKUPS = 8;

/** One handle's resolution: an agent (maybe a duplicate of an earlier item), or an error. */
export type Resolved =
  | { handle: string; agent: Agent; duplicateOf?: number }
  | { handle: string; error: FleetError };

/** One handle's resolution, with the raw error (a FleetError, or a Coder failure). */
type Found = { handle: string; agent?: Agent; error?: unknown };

/**
 * Resolve handles. Errors are left raw (a CoderError stays one) so that a single-handle tool can
 * explain them; {@link resolveMany} turns them into per-item FleetErrors.
 */
export async function resolveHandles(
  fleet: FleetLists,
  raws: readonly string[],
  signal?: AbortSignal,
): Promise<Found[]> {
  const parsed = raws.map((r) => parseHandle(r));
  // The handle is echoed in results: one clean line of it.
  const out: Found[] = raws.map((raw, i) =>
    parsed[i] ? { handle: oneLine(raw, 200) } : { handle: oneLine(raw, 200), error: badHandle(raw) }
  );
  const todo = parsed.flatMap((h, i) => h ? [i] : []);
  if (todo.length === 0) return out; // nothing well-formed: no request, no detection

  const d = await fleet.deployment(signal);
  const me = d.me.username;
  const taskB = d.backends.find((b) => b.kind === "task");
  const single = todo.length === 1;
  const names = todo.some((i) => parsed[i]!.kind === "name");

  // The lists: every back end for many handles; for one handle only the chat list, and only
  // for a name (a chat title can be found nowhere else).
  let listed: Agent[] = [];
  let listError: unknown;
  const listKind: AgentKind | "all" | undefined = !single
    ? "all"
    : names && d.backends.some((b) => b.kind === "chat")
    ? "chat"
    : undefined;
  // One name, looked up in the chat list and as a task: both go out at once (one round trip);
  // the task lookup is read only if the list does not show the name.
  const early = new Map<string, Promise<Agent[]>>();
  if (single && listKind === "chat" && taskB) {
    const h = parsed[todo[0]]!;
    if (h.kind === "name" && isTaskName(h.name)) {
      const p = taskB.find(h, signal, "full");
      p.catch(() => {});
      early.set(keyOf(h, me), p);
    }
  }
  const ids = todo.every((i) => parsed[i]!.kind === "id")
    ? new Set(todo.map((i) => (parsed[i] as Handle & { kind: "id" }).id))
    : undefined;
  if (listKind === "all" && ids && d.backends.length > 1) {
    // Only ids here: a list's failure is no verdict on them (each id missing from the lists
    // gets its own lookup below, whose failure is the one reported).
    listed = await listsUntilFound(fleet, d.backends, ids, signal);
  } else if (listKind) {
    try {
      const snap = await fleet.snapshot(listKind === "all" ? {} : { kind: listKind }, signal);
      listed = snap.agents;
      if (snap.errors.length > 0) listError = snap.errors[0].error;
    } catch (err) {
      if (!single) throw err;
      listError = err;
    }
  }
  const index = indexAgents(listed);

  // What the lists did not show gets direct lookups, each distinct handle once.
  const misses = new Map<string, { handle: Handle; items: number[] }>();
  for (const i of todo) {
    const h = parsed[i]!;
    const hits = bestMatches(index.get(keyOf(h, me)) ?? [], h, me);
    if (hits.length === 1) out[i].agent = hits[0];
    else if (hits.length > 1) out[i].error = ambiguous(h, hits);
    else {
      const key = keyOf(h, me);
      const m = misses.get(key);
      if (m) m.items.push(i);
      else misses.set(key, { handle: h, items: [i] });
    }
  }
  const lookups = [...misses.values()];
  // The caller's own agents are all in the lists, when the lists were read (many handles).
  const listedMine = (h: Handle) =>
    listKind === "all" && h.kind === "name" && ownerOf(h, me) === me;
  const answers = await runBatch(lookups, async ({ handle }) => {
    const sent = early.get(keyOf(handle, me));
    const where: [Backend, "quick" | "full"][] = sent || listedMine(handle)
      ? []
      : handle.kind === "id"
      ? d.backends.map((b) => [b, "quick"])
      : taskB && isTaskName(handle.name)
      ? [[taskB, single ? "full" : "quick"]]
      : [];
    // An id names one agent across back ends: the lookup that finds it decides, and the other
    // is not waited for (an API that hangs must not hold what the other has answered).
    let found = sent ? await Promise.allSettled([sent]) : await untilEnough(
      where.map(([b, depth]) => (s) => b.find(handle, s, depth)),
      (ended) =>
        handle.kind === "id" && ended.some((r) => r.status === "fulfilled" && r.value.length > 0),
      signal,
    );
    let agents = found.flatMap((r) => r.status === "fulfilled" ? r.value : []);
    if (
      agents.length === 0 && single && handle.kind === "id" && taskB &&
      found.every((r) => r.status === "fulfilled")
    ) {
      // Not the caller's task and not in a list yet: it may be another user's task.
      found = await Promise.allSettled([taskB.find(handle, signal, "full")]);
      agents = found.flatMap((r) => r.status === "fulfilled" ? r.value : []);
    }
    agents = [...new Map(agents.map((a) => [a.id, a])).values()];
    if (agents.length === 1) return agents[0];
    if (agents.length > 1) throw ambiguous(handle, agents);
    const failed = found.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
    if (listError !== undefined && handle.kind === "name") throw listError;
    throw notFound(handle);
  }, LOOKUPS);
  answers.forEach((a, k) => {
    for (const i of lookups[k].items) {
      if (a.ok) out[i].agent = a.value;
      else out[i].error = a.error;
    }
  });
  return out;
}

/**
 * Resolve many handles, per item: every failure becomes a FleetError with a next step, and the
 * same agent named again is marked a duplicate of its first mention.
 */
export async function resolveMany(
  fleet: FleetLists,
  raws: readonly string[],
  signal?: AbortSignal,
): Promise<Resolved[]> {
  const found = await resolveHandles(fleet, raws, signal);
  const first = new Map<string, number>();
  return found.map((f, i): Resolved => {
    if (!f.agent) return { handle: f.handle, error: asFleetError(f.error) };
    const seen = first.get(f.agent.id);
    if (seen !== undefined) return { handle: f.handle, agent: f.agent, duplicateOf: seen };
    first.set(f.agent.id, i);
    return { handle: f.handle, agent: f.agent };
  });
}

/** One line for a duplicate item. */
export function duplicateDetail(targets: readonly Resolved[], first: number): string {
  return `same agent as ${JSON.stringify(targets[first].handle.slice(0, 80))} (item ${
    first + 1
  }): handled once`;
}

/**
 * Start `jobs` side by side, each on a signal of its own, and settle once `enough` holds for what
 * has ended (checked as each one ends), or when all have ended; those still out are then aborted
 * (unless another call shares them). What ended, in the jobs' order.
 */
async function untilEnough<T>(
  jobs: ((signal: AbortSignal) => Promise<T>)[],
  enough: (ended: PromiseSettledResult<T>[]) => boolean,
  signal?: AbortSignal,
): Promise<PromiseSettledResult<T>[]> {
  if (jobs.length === 0) return [];
  const stop = new AbortController();
  const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const ended: (PromiseSettledResult<T> | undefined)[] = jobs.map(() => undefined);
  const done = () => ended.filter((r) => r !== undefined);
  try {
    return await new Promise((resolve) => {
      jobs.forEach((job, i) => {
        job(both).then(
          (value) => (ended[i] = { status: "fulfilled", value }),
          (reason) => (ended[i] = { status: "rejected", reason }),
        ).finally(() => {
          if (ended.every((r) => r !== undefined) || enough(done())) resolve(done());
        });
      });
    });
  } finally {
    stop.abort();
  }
}

/**
 * The lists for many ids, one per back end: enough once the lists that ended show every id (an id
 * names one agent across back ends, so a list still out cannot change what they resolve to, and a
 * chat list that hangs must not spend the call's budget before a write on tasks can start).
 */
async function listsUntilFound(
  fleet: FleetLists,
  backends: readonly Backend[],
  ids: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<Agent[]> {
  const snaps = (ended: PromiseSettledResult<Snapshot>[]) =>
    ended.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  const ended = await untilEnough(
    backends.map((b) => (s) => fleet.snapshot({ kind: b.kind }, s)),
    (ended) => {
      const seen = new Set(snaps(ended).flatMap((x) => x.agents.map((a) => a.id.toLowerCase())));
      return [...ids].every((id) => seen.has(id));
    },
    signal,
  );
  return snaps(ended).flatMap((x) => x.agents);
}

function indexAgents(agents: Agent[]): Map<string, Agent[]> {
  // Index once: up to 1000 handles against 1000 agents stays linear.
  const index = new Map<string, Agent[]>();
  for (const a of agents) {
    for (const key of [`id:${a.id.toLowerCase()}`, `name:${a.owner}/${a.name.toLowerCase()}`]) {
      const list = index.get(key);
      if (list) list.push(a);
      else index.set(key, [a]);
    }
  }
  return index;
}

function keyOf(h: Handle, me: string): string {
  return h.kind === "id" ? `id:${h.id}` : `name:${ownerOf(h, me)}/${h.name.toLowerCase()}`;
}

function asFleetError(err: unknown): FleetError {
  if (err instanceof FleetError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new FleetError(
    `Could not look the agent up: ${msg}`,
    "Retry shortly; list_agents shows whether Coder answers.",
  );
}

/** The error for a malformed handle. */
export function badHandle(raw: string): FleetError {
  return new FleetError(
    `${JSON.stringify(oneLine(raw, 80))} is not an agent handle.`,
    "Pass an agent id (UUID), owner/name (a Coder username, then a task name or chat title), " +
      "or your own agent's name; list_agents shows them.",
  );
}

function notFound(h: Handle): FleetError {
  return new FleetError(
    `No agent ${JSON.stringify(h.text)} was found.`,
    h.kind === "name" && !h.owner
      ? "A bare name means one of your own agents; use owner/name for another user's, or find it with list_agents."
      : "Find the agent with list_agents (query= searches names and messages) and use its id.",
  );
}

function ambiguous(h: Handle, agents: Agent[]): FleetError {
  const ids = agents.slice(0, 5).map((a) => `${a.id} (${a.kind}, ${a.owner})`).join(", ");
  return new FleetError(
    `${JSON.stringify(h.text)} matches ${agents.length} agents: ${ids}.`,
    "Use the id of the one you mean.",
  );
}
