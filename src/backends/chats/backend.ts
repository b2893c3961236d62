/**
 * The Chats back end: Coder Agents chats (`/api/v2/chats`, or `/api/experimental/chats`) seen as
 * fleet agents. Stop is an interrupt, delete is an archive, and a chat resumes when it gets a
 * message. Every string taken from Coder passes through the sanitisers of `text.ts`. Writes
 * report `done` only on Coder's documented success; any other failure (an `uncertain` write
 * included) propagates as the CoderError it is.
 */
import {
  type Chat,
  type ChatCost,
  type ChatModelsResponse,
  getChat,
  getChatCost,
  interruptChat,
  qTerm,
} from "./api.ts";
import { InvalidSegmentError } from "../../coder/errors.ts";
import type { Agent, AgentKind } from "../../model/agent.ts";
import {
  type ActionResult,
  type AgentList,
  type AgentWatch,
  type Backend,
  type BackendContext,
  type Catalog,
  type CreateSpec,
  FleetError,
  type Handle,
  type ListFilter,
  type LogPage,
  type LogQuery,
  type SendResult,
  type SummaryList,
} from "../../model/backend.ts";
import { isHttp, isNotFound } from "../../model/backend_errors.ts";
import { ChatModels } from "./models.ts";
import { agentWatch, ChatWatch } from "./watch.ts";
import { ChatSubmit } from "./submit.ts";
import { chatExtras } from "./extras.ts";
import { chatSummary, NAME_MAX, ownedBy } from "./mapping.ts";
import { BOTH_SOURCES, ChatListing, chatStatusesOf, type Optional } from "./listing.ts";
import { fetchMessages, logPage } from "./logs.ts";
import { archiveChat } from "./archive.ts";
import { type ChatWrite, ownerRefusal, ownerRefusalOf } from "./owner.ts";
import { searchTerm } from "./search.ts";

export { chatToAgent, logRole, modelInfos } from "./mapping.ts";
import { block, oneLine } from "../../model/text.ts";

/** Coder Chats as a fleet back end. */
export class ChatsBackend implements Backend {
  /** Always `chat`. */
  readonly kind: AgentKind = "chat";
  /** API prefix in use, e.g. `/api/v2`. */
  readonly prefix: string;
  readonly #ctx: BackendContext;
  /** The chat each agent was made from, so `extras` needs no second GET of it. */
  readonly #source = new WeakMap<Agent, Chat>();
  /** The deployment's model configs (which route serves them is remembered there). */
  readonly models: ChatModels;
  /** The list requests, with the search terms probed on first use. */
  readonly #listing: ChatListing;
  /** New chats and messages. */
  readonly #submit: ChatSubmit;
  /** Coder's chat watch, made on first use. */
  #watch?: AgentWatch;

  constructor(ctx: BackendContext) {
    this.#ctx = ctx;
    this.prefix = ctx.prefix;
    this.models = new ChatModels(ctx);
    this.#listing = new ChatListing(ctx);
    this.#submit = new ChatSubmit(ctx, this.models);
  }

  /**
   * The fleet's chats: the caller's own and those shared with it, in one list request (see
   * `listing.ts` for what goes to Coder and how a Coder that does not take it is found out).
   * Labels go to Coder (`label=k:v`); the caller's own name as owner goes as
   * `source:created_by_me` (Coder's chat query has no owner term for anyone else: other owners
   * are filtered by the fleet); a state filter as `status:...`; a pull-request filter as
   * `pr_status:...`; the query as `search:...`.
   */
  async summaries(filter: ListFilter, signal?: AbortSignal): Promise<SummaryList> {
    const own = filter.owner === this.#ctx.me.username;
    const optional: Optional[] = own ? [] : [BOTH_SOURCES];
    const statuses = chatStatusesOf(filter.state);
    if (statuses) optional.push({ key: "status", term: `status:${statuses.join(",")}` });
    if (filter.pr && filter.pr.length > 0) {
      optional.push({ key: "pr_status", term: `pr_status:${[...new Set(filter.pr)].join(",")}` });
    }
    const search = searchTerm(filter.query);
    if (search) optional.push({ key: "search", term: search });
    const { list, applied } = await this.#listing.list(
      own ? ["source:created_by_me"] : [],
      optional,
      filter.labels,
      signal,
    );
    const { chats, skipped } = list;
    const out: SummaryList = chats.map((c) => chatSummary(c, this.#ctx, this.#remember));
    if (skipped.length > 0) out.skipped = skipped;
    // Coder's list leaves queued_for_capacity false (single-chat reads derive it): only a list
    // that ever says true can tell which chats wait for a licence slot.
    if (chats.length > 0) out.queueFlagListed = chats.some((c) => c.queued_for_capacity === true);
    if (applied.has("search")) out.queryMatched = true;
    return out;
  }

  /** Whether Coder takes `q=status:...` on the chat list, once probed. */
  get statusFilter(): boolean | undefined {
    return this.#listing.supports("status");
  }

  /** Whether Coder lists chats shared with the caller (`source:...,shared_with_me`), once probed. */
  get sharedSource(): boolean | undefined {
    return this.#listing.supports("source");
  }

  /** Whether Coder takes `q=pr_status:...` on the chat list, once probed. */
  get prFilter(): boolean | undefined {
    return this.#listing.supports("pr_status");
  }

  /** Whether Coder runs the query as its full-text `search:`, once probed. */
  get searchFilter(): boolean | undefined {
    return this.#listing.supports("search");
  }

  /** All chats visible to the caller, as agents (see {@link summaries}). */
  async list(filter: ListFilter, signal?: AbortSignal): Promise<AgentList> {
    const summaries = await this.summaries(filter, signal);
    const agents: AgentList = summaries.map((s) => s.agent());
    // Undefined when not said (the fleet reads them so).
    agents.skipped = summaries.skipped;
    agents.queueFlagListed = summaries.queueFlagListed;
    if (summaries.queryMatched) agents.queryMatched = true;
    return agents;
  }

  /**
   * Chats matching a handle: by id (archived ones too), or by exact title and owner. An id Coder
   * does not know (its 404 or 400) or that cannot be a path segment finds nothing.
   */
  async find(handle: Handle, signal?: AbortSignal): Promise<Agent[]> {
    if (handle.kind === "id") {
      try {
        return [this.toAgent(await getChat(this.#ctx.client, this.prefix, handle.id, signal))];
      } catch (err) {
        if (isNotFound(err) || isHttp(err, 400) || err instanceof InvalidSegmentError) return [];
        throw err;
      }
    }
    const me = this.#ctx.me;
    const owner = !handle.owner || handle.owner === "me" ? me.username : handle.owner;
    const name = oneLine(handle.name, NAME_MAX);
    const term = qTerm("title", handle.name);
    const { list: { chats } } = await this.#listing.list(
      term ? [term] : [],
      [BOTH_SOURCES],
      undefined,
      signal,
    );
    const owned = chats.filter((c) => ownedBy(c, owner, me)).map((c) => this.toAgent(c));
    const exact = owned.filter((a) => a.name === name);
    if (exact.length > 0) return exact;
    const lower = name.toLowerCase();
    return owned.filter((a) => a.name.toLowerCase() === lower);
  }

  /** A page of the chat's messages, ascending, with its queued messages. */
  logs(agent: Agent, query: LogQuery, signal?: AbortSignal): Promise<LogPage> {
    return logPage(agent, query, fetchMessages(this.#ctx, agent.id, query, signal));
  }

  /**
   * For a UUID handle, the message page (and, with `extras`, the cost and the models) requested
   * before the handle is resolved; read when it resolves to this chat, else each is fetched anew.
   * A title names no path (it is found in the list): nothing is sent.
   */
  prefetch(handle: Handle, query: LogQuery, extras: boolean, signal: AbortSignal) {
    if (handle.kind !== "id") return undefined;
    const id = handle.id;
    const quiet = <T>(p: Promise<T>) => (p.catch(() => {}), p);
    const messages = quiet(fetchMessages(this.#ctx, id, query, signal));
    const cost = extras ? quiet(getChatCost(this.#ctx.client, this.prefix, id, signal)) : undefined;
    const models = extras ? quiet(this.models.raw(signal)) : undefined;
    // Read only for agents of this back end (one_trip.ts): the id alone tells.
    const fits = (agent: Agent) => agent.id.toLowerCase() === id;
    return {
      logs: (agent: Agent, s?: AbortSignal) =>
        fits(agent) ? logPage(agent, query, messages) : this.logs(agent, query, s),
      extras: (agent: Agent, s?: AbortSignal) =>
        fits(agent) && cost && models
          ? this.#extrasFrom(agent, cost, models, s)
          : this.extras(agent, s),
    };
  }

  /**
   * Start a chat in the caller's default organization, with the model and title asked for (see
   * `submit.ts`). A chat for another user is refused (see {@link chatOwnerRefusal}).
   */
  async create(spec: CreateSpec, signal?: AbortSignal): Promise<Agent> {
    const refused = this.createRefusal(spec);
    if (refused) throw refused;
    const { chat, receipt, model } = await this.#submit.create(spec, signal);
    const agent = this.toAgent(chat);
    agent.prompt = block(spec.prompt, 2000).text;
    if (model) agent.model = model;
    if (receipt) agent.receipt = { request_id: receipt.request_id, state: receipt.state };
    return agent;
  }

  /** A chat for another user cannot be created (see {@link chatOwnerRefusal}). */
  createRefusal(spec: CreateSpec): FleetError | undefined {
    return chatOwnerRefusal(spec.owner, this.#ctx.me.username);
  }

  /**
   * Send a message; a busy chat queues it (default) or is interrupted (`busy: "interrupt"`).
   * `requestId` makes it idempotent where Coder supports it (see `submit.ts`). Another user's
   * chat is refused before any request.
   */
  send(
    agent: Agent,
    input: string,
    busy?: "queue" | "interrupt",
    requestId?: string,
  ): Promise<SendResult> {
    const refused = ownerRefusal(agent, "send");
    if (refused) return Promise.reject(refused);
    return this.#submit.send(agent, input, busy, requestId);
  }

  /**
   * Interrupt the current turn; a chat that is not working is skipped, and so is one that
   * finished before the interrupt came (Coder's 409).
   */
  async stop(agent: Agent): Promise<ActionResult> {
    const refused = ownerRefusal(agent, "stop");
    if (refused) throw refused;
    if (agent.state !== "working") {
      return { outcome: "skipped", detail: `not running (${agent.detail})` };
    }
    try {
      await interruptChat(this.#ctx.client, this.prefix, agent.id);
    } catch (err) {
      if (isHttp(err, 409)) return { outcome: "skipped", detail: "no longer running" };
      throw ownerRefusalOf(err, agent, "stop") ?? err;
    }
    return { outcome: "done", detail: "interrupted" };
  }

  /** Chats have no resume: they resume when they get a message. No request is made. */
  resume(_agent: Agent, _prompt?: string): Promise<ActionResult> {
    return Promise.resolve({
      outcome: "skipped",
      detail: "chats resume when they get a message: use send_input",
    });
  }

  /**
   * Archive the chat (`PATCH {archived: true}`), interrupting it first when it is running (see
   * `archive.ts`); an agent already marked archived is skipped.
   */
  async remove(agent: Agent): Promise<ActionResult> {
    const refused = ownerRefusal(agent, "remove");
    if (refused) throw refused;
    if (agent.archived) return { outcome: "skipped", detail: "already archived" };
    try {
      return await archiveChat(this.#ctx, agent);
    } catch (err) {
      throw ownerRefusalOf(err, agent, "remove") ?? err;
    }
  }

  /** Why the caller may not make this write to `agent` (another user's chat), before any request. */
  refusal(agent: Agent, write: ChatWrite): FleetError | undefined {
    return ownerRefusal(agent, write);
  }

  /** Coder's chat watch (`C/chats/watch`): the caller's own chats as they change. */
  watch(): AgentWatch {
    return this.#watch ??= agentWatch(
      new ChatWatch(this.#ctx.client, this.prefix),
      (c) => this.toAgent(c),
    );
  }

  /**
   * The model configs chats can run with (none when the deployment has no models route), and
   * the configured providers Coder Agents cannot use.
   */
  async catalog(signal?: AbortSignal): Promise<Catalog> {
    const { models, unsupported, skipped } = await this.models.catalog(signal);
    return {
      models,
      ...(unsupported.length ? { unsupported_providers: unsupported } : {}),
      ...(skipped.length ? { skipped } : {}),
    };
  }

  /** The chat's cost, when the deployment reports it; `{}` otherwise. */
  extras(agent: Agent, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.#extrasFrom(
      agent,
      getChatCost(this.#ctx.client, this.prefix, agent.id, signal),
      this.models.raw(signal),
      signal,
    );
  }

  #extrasFrom(
    agent: Agent,
    costAnswer: Promise<ChatCost | null>,
    modelsAnswer: Promise<ChatModelsResponse | null>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    return chatExtras(this.#ctx, agent, this.#source.get(agent), costAnswer, modelsAnswer, signal);
  }

  /** Map a Coder chat to a fleet agent (sanitised). */
  toAgent(chat: Chat): Agent {
    return chatSummary(chat, this.#ctx, this.#remember).agent();
  }

  readonly #remember = (agent: Agent, chat: Chat) => this.#source.set(agent, chat);
}

/**
 * Why a chat cannot be created for `owner` (DESIGN, "Whose agents"): Coder would make that user
 * the owner (`owner_id`), and the chat would then be invisible to the caller and could not be
 * driven by it. Undefined for the caller itself (or no owner).
 */
export function chatOwnerRefusal(owner: string | undefined, me: string): FleetError | undefined {
  if (!owner || owner === "me" || owner.toLowerCase() === me.toLowerCase()) return undefined;
  const who = oneLine(owner, 64);
  return new FleetError(
    `A chat cannot be created for another user (${who}): Coder would make ${who} its owner, and ` +
      `the chat would then be invisible to you and could not be driven (only its owner may send ` +
      `to it).`,
    `leave owner out to create the chat as yourself, or give template or preset (kind "task") ` +
      `to create a task for ${who}`,
  );
}
