/**
 * The fleet: every agent of every detected back end, as one list. Tools use this, never a back
 * end directly. It keeps no state but the detected deployment (version, user, which APIs exist).
 */
import { CoderClient, CoderError } from "../coder/http.ts";
import { type Agent, type AgentKind, isSettled } from "../model/agent.ts";
import { type AgentWatch, type Backend, FleetError } from "../model/backend.ts";
import { type Deployment, detect } from "./detect.ts";
import { type Resolved, resolveHandles, resolveMany } from "./resolve.ts";
import type { FleetFilter, FleetLists, Snapshot, SummarySnapshot } from "./snapshot.ts";
import { errorLine } from "../model/text.ts";
import { type Pacer, pollingPacer, watchPacer } from "./pacer.ts";
import { type SpendAnswer, SpendProbe } from "./spend.ts";
import { type Round, Rounds } from "./rounds.ts";
import { WaitGate } from "./admission.ts";
import { shared } from "../coder/coalesce.ts";

/** Default stall threshold: a working agent whose `updated_at` stood still this long. */
export const STALLED_MS = 15 * 60_000;

export type { Resolved } from "./resolve.ts";
export type { Round } from "./rounds.ts";
export type { FleetFilter, Snapshot, SummarySnapshot } from "./snapshot.ts";

/** Options for {@link Fleet}. */
export interface FleetOptions {
  url: string;
  token: string;
  backend?: "auto" | "tasks" | "chats";
  now?: () => number;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Time between polling rounds of waits (ms, default 1000). */
  pollMs?: number;
  /** Requests a minute to one Coder route (`CODER_FLEET_RATE_LIMIT`, default 450). */
  ratePerMinute?: number;
  /** Cap on one Coder answer in bytes (`CODER_FLEET_MAX_RESPONSE_MB`, default 64 MiB). */
  maxResponseBytes?: number;
  /** A working agent whose `updated_at` has not moved this long is stalled (default 15 min). */
  stalledMs?: number;
  /** Let chat waits wake on Coder's watch WebSocket (default true). */
  watch?: boolean;
  /** The caps on concurrent waits (default: `admission.ts`'s). */
  waits?: WaitGate;
}

/** The fleet over one Coder deployment. */
export class Fleet implements FleetLists {
  readonly client: CoderClient;
  readonly now: () => number;
  /** Time between polling rounds of waits (ms). */
  readonly pollMs: number;
  /** A working agent whose `updated_at` has not moved this long is flagged `stalled`. */
  readonly stalledMs: number;
  readonly #force: "auto" | "tasks" | "chats";
  #deployment?: Promise<Deployment>;
  /** The AI spend probe of the detected deployment (made anew when it is detected anew). */
  #spend = new SpendProbe();
  readonly #watchOn: boolean;
  /** The watch last handed out (closed when a new detection brings another). */
  #watch?: AgentWatch;
  /** The latest round of each set of kinds, shared by waits. */
  readonly #rounds: Rounds;
  /** The waits in flight, and the caps that refuse one too many (see `admission.ts`). */
  readonly waits: WaitGate;

  constructor(opts: FleetOptions) {
    this.client = new CoderClient({
      url: opts.url,
      token: opts.token,
      timeoutMs: opts.timeoutMs,
      ratePerMinute: opts.ratePerMinute,
      maxBytes: opts.maxResponseBytes,
    });
    this.now = opts.now ?? Date.now;
    this.pollMs = opts.pollMs ?? 1000;
    this.stalledMs = opts.stalledMs ?? STALLED_MS;
    this.#force = opts.backend ?? "auto";
    this.#watchOn = opts.watch ?? true;
    this.waits = opts.waits ?? new WaitGate();
    this.#rounds = new Rounds(
      (kinds, signal) => this.snapshot(kinds.length === 1 ? { kind: kinds[0] } : {}, signal),
      this.pollMs,
    );
  }

  /**
   * A round of the lists of `kinds` (every agent, unfiltered), shared by every wait that reads
   * it: the latest one when its requests went out at or after `notBefore` (on the
   * {@link roundClock}), else a new one; without `notBefore`, the one in flight, else a new one.
   * See `rounds.ts`. Its agents are shared: read only.
   */
  round(
    kinds: readonly AgentKind[],
    notBefore: number | undefined,
    signal?: AbortSignal,
  ): Promise<Round> {
    return this.#rounds.round(kinds, notBefore, signal);
  }

  /** The clock of {@link round}'s `notBefore` (monotonic, ms). */
  roundClock(): number {
    return this.#rounds.now();
  }

  /**
   * The watch of one of these kinds' back ends (chats: Coder's watch socket), shared by every
   * wait of the process, or undefined (no such back end, watching off, or no usable watch).
   */
  async watchOf(
    kinds: AgentKind[],
    signal?: AbortSignal,
  ): Promise<{ kind: AgentKind; watch: AgentWatch } | undefined> {
    if (!this.#watchOn) return undefined;
    const d = await this.deployment(signal);
    const backend = d.backends.find((b) => kinds.includes(b.kind) && b.watch);
    const watch = backend?.watch?.();
    if (!backend || !watch) return undefined;
    if (this.#watch !== watch) {
      this.#watch?.close();
      this.#watch = watch;
    }
    return watch.available ? { kind: backend.kind, watch } : undefined;
  }

  /**
   * The pacer of a wait over these kinds: watch-driven where a back end offers a watch. Coder's
   * chat watch carries only the caller's own chats, so a wait that watches anyone else's polls.
   */
  async pacer(
    kinds: AgentKind[],
    pollMs: number,
    signal?: AbortSignal,
    watched: readonly Agent[] = [],
  ): Promise<Pacer> {
    let source = await this.watchOf(kinds, signal);
    if (source) {
      const me = (await this.deployment(signal)).me.username;
      const kind = source.kind;
      if (watched.some((a) => a.kind === kind && a.owner !== me)) source = undefined;
    }
    return source
      ? watchPacer(source.watch, source.kind, kinds, pollMs)
      : pollingPacer(kinds, pollMs);
  }

  /** The detected deployment (detected once; a failed detection is retried on the next call). */
  deployment(signal?: AbortSignal): Promise<Deployment> {
    if (!this.#deployment) {
      this.#deployment = detect(this.client, this.#force, this.now, signal);
      this.#deployment.catch(() => (this.#deployment = undefined));
    }
    return this.#deployment;
  }

  /** Forget the detected deployment: the next call detects it again (after an upgrade, say). */
  forget(): void {
    this.#deployment = undefined;
    this.#spend = new SpendProbe();
  }

  /**
   * The caller's AI spend and budget this period, where Coder reports it (one request; none once
   * the deployment said it has no spend: see `spend.ts`).
   */
  spend(signal?: AbortSignal): Promise<SpendAnswer> {
    return this.#spend.get(this.client, signal);
  }

  /** The back ends, optionally only one kind. Throws FleetError when that kind is absent. */
  async backends(kind?: AgentKind, signal?: AbortSignal): Promise<Backend[]> {
    const d = await this.deployment(signal);
    if (!kind) return d.backends;
    const found = d.backends.filter((b) => b.kind === kind);
    if (found.length === 0) {
      throw new FleetError(
        `This Coder deployment has no ${kind === "task" ? "Tasks" : "Chats"} API.`,
        `Use kind "${d.backends[0].kind}" or leave kind out.`,
      );
    }
    return found;
  }

  /**
   * List every agent: ONE list request per back end, concurrently, then the filters applied
   * locally (back ends push what Coder can filter, but the answer never depends on it).
   * A back end that fails is reported in `errors`; the others still answer.
   */
  async snapshot(
    filter: FleetFilter = {},
    signal?: AbortSignal,
  ): Promise<Snapshot> {
    // Concurrent identical lists share one request (coalesce.ts) and its agents: a back end's
    // list is built once however many calls read it (its agents are shared: read only).
    const key = listKey(filter);
    const { items, errors, warnings, queueFlagListed, queryMatched } = await this.#gather(
      filter.kind,
      (b) =>
        shared(this, `list ${b.kind} ${key}`, `${b.kind} list`, signal, (s) => b.list(filter, s)),
      signal,
    );
    const now = this.now();
    markStalled(items, now, this.stalledMs);
    const snap: Snapshot = {
      agents: applyFilter(items, filter, now, (a) => queryMatched.has(a)),
      errors,
      warnings,
    };
    if (queueFlagListed !== undefined) snap.queueFlagListed = queueFlagListed;
    return snap;
  }

  /**
   * The fleet as summaries (state, owner, since; full agents built on demand), with the same list
   * requests and errors as {@link snapshot}: what counting a whole fleet needs, and no more.
   */
  async summaries(
    filter: { owner?: string; kind?: AgentKind } = {},
    signal?: AbortSignal,
  ): Promise<SummarySnapshot> {
    const owner = filter.owner;
    const { items, errors, warnings, queueFlagListed } = await this.#gather(
      filter.kind,
      (b) =>
        shared(
          this,
          `summaries ${b.kind} ${JSON.stringify(owner ?? null)}`,
          `${b.kind} list`,
          signal,
          (s) => b.summaries({ owner }, s),
        ),
      signal,
    );
    const snap: SummarySnapshot = {
      summaries: owner ? items.filter((s) => s.owner === owner) : items,
      errors,
      warnings,
    };
    if (queueFlagListed !== undefined) snap.queueFlagListed = queueFlagListed;
    return snap;
  }

  async #gather<T>(
    kind: AgentKind | undefined,
    list: (
      b: Backend,
    ) => Promise<T[] & { skipped?: string[]; queueFlagListed?: boolean; queryMatched?: boolean }>,
    signal?: AbortSignal,
  ): Promise<
    {
      items: T[];
      errors: Snapshot["errors"];
      warnings: string[];
      queueFlagListed?: boolean;
      /** Items of lists where Coder itself matched the query. */
      queryMatched: Set<T>;
    }
  > {
    const backends = await this.backends(kind, signal);
    const lists = await Promise.allSettled(backends.map(list));
    const items: T[] = [];
    const errors: Snapshot["errors"] = [];
    const warnings: string[] = [];
    const queryMatched = new Set<T>();
    let queueFlagListed: boolean | undefined;
    lists.forEach((r, i) => {
      if (r.status === "fulfilled") {
        for (const x of r.value) items.push(x);
        if (r.value.queryMatched) { for (const x of r.value) queryMatched.add(x); }
        if (r.value.queueFlagListed !== undefined) queueFlagListed = r.value.queueFlagListed;
        const skipped = r.value.skipped ?? [];
        if (skipped.length > 0) {
          warnings.push(
            `${backends[i].kind} list: skipped ${skipped.length} malformed item(s): ` +
              skipped.slice(0, 3).join("; "),
          );
        }
      } else {
        const error = errorLine(r.reason);
        errors.push({ kind: backends[i].kind, error });
        warnings.push(`${backends[i].kind} list failed: ${error}`);
      }
      if (r.status === "rejected" && r.reason instanceof CoderError && r.reason.routeNotFound) {
        this.forget(); // that API went away: detect again on the next call
      }
    });
    const rejected = lists.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    if (rejected.length === backends.length && backends.length > 0) throw rejected[0].reason;
    return { items, errors, warnings, queueFlagListed, queryMatched };
  }

  /**
   * Resolve one handle to one agent, or throw: a FleetError that says what to do next, or the
   * Coder failure that kept it from being found. See `resolve.ts` for what it costs.
   */
  async resolve(raw: string, signal?: AbortSignal): Promise<Agent> {
    const [found] = await resolveHandles(this, [raw], signal);
    if (found.agent) return found.agent;
    throw found.error;
  }

  /**
   * Resolve many handles with one list request per back end and bounded direct lookups for what
   * the lists do not show; every item gets an agent (maybe a duplicate) or a FleetError.
   */
  resolveMany(raws: readonly string[], signal?: AbortSignal): Promise<Resolved[]> {
    return resolveMany(this, raws, signal);
  }

  /** The back end an agent belongs to. */
  async backendOf(agent: Agent, signal?: AbortSignal): Promise<Backend> {
    return (await this.backends(agent.kind, signal))[0];
  }
}

/** What a back end's list request depends on, as a key for sharing it (see `snapshot`). */
function listKey(f: FleetFilter): string {
  const labels = f.labels ? Object.entries(f.labels).sort(([a], [b]) => a < b ? -1 : 1) : null;
  return JSON.stringify([
    f.owner ?? null,
    f.state ?? null,
    labels,
    f.template ?? null,
    f.query ?? null,
    f.pr ?? null,
  ]);
}

/**
 * Flag working agents whose `updated_at` has not moved for `stalledMs` (`stalled: true`); an
 * agent with an unparsable time is never flagged.
 */
export function markStalled(agents: Agent[], now: number, stalledMs: number): void {
  for (const a of agents) {
    if (a.state !== "working") continue;
    const t = Date.parse(a.updated_at);
    if (!Number.isNaN(t) && now - t >= stalledMs) a.stalled = true;
  }
}

/**
 * Apply `list_agents` filters locally. `queryDone(a)`: Coder already matched the query for `a`
 * (its full-text search reads the conversation, which the agent does not carry), so the local
 * check on name and message is not made for it.
 */
export function applyFilter(
  agents: readonly Agent[],
  f: FleetFilter,
  now = Date.now(),
  queryDone: (a: Agent) => boolean = () => false,
): Agent[] {
  const q = f.query?.toLowerCase();
  const states = f.state && f.state.length > 0 ? new Set(f.state) : undefined;
  const tpl = f.template?.toLowerCase();
  const waiting = f.waiting_for && f.waiting_for.length > 0 ? new Set(f.waiting_for) : undefined;
  const prs = f.pr && f.pr.length > 0 ? new Set(f.pr) : undefined;
  return agents.filter((a) =>
    (!f.kind || a.kind === f.kind) &&
    (!f.owner || a.owner === f.owner) &&
    (!states || states.has(a.state)) &&
    (!waiting || (a.waiting_for !== null && waiting.has(a.waiting_for))) &&
    (!prs || prs.has(a.pr?.state ?? "none")) &&
    (!tpl || a.template?.toLowerCase() === tpl) &&
    (!f.labels || Object.entries(f.labels).every(([k, v]) => a.labels[k] === v)) &&
    (!q || queryDone(a) || a.name.toLowerCase().includes(q) ||
      a.message.toLowerCase().includes(q)) &&
    (f.settled_for_s === undefined ||
      (isSettled(a.state) && now - Date.parse(a.state_since) >= f.settled_for_s * 1000))
  );
}
