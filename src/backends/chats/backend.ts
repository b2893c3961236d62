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
  type ChatMessagesResponse,
  type ChatModelsResponse,
  createChat,
  getChat,
  getChatCost,
  interruptChat,
  listChatMessages,
  listChats,
  qTerm,
  sendChatMessage,
  textContent,
  updateChat,
} from "./api.ts";
import { CoderError } from "../../coder/http.ts";
import { InvalidSegmentError } from "../../coder/errors.ts";
import type { Agent, AgentKind, AgentState } from "../../model/agent.ts";
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
  type LogMessage,
  type LogPage,
  type LogQuery,
  type SendResult,
  type SummaryList,
} from "../../model/backend.ts";
import { isHttp, isNotFound } from "../../model/backend_errors.ts";
import { renderParts } from "./state.ts";
import { ChatModels, modelLabel } from "./models.ts";
import { type OptionalTerm, QueryTerms } from "./probes.ts";
import { agentWatch, ChatWatch } from "./watch.ts";
import { checkReceipt, idempotent, receiptNote, type RequestIdSupport } from "./writes.ts";
import { chatSummary, logRole, modelInfos, NAME_MAX, ownedBy } from "./mapping.ts";

export { chatToAgent, logRole, modelInfos } from "./mapping.ts";
import { isoTime } from "../../model/time.ts";
import { block, oneLine } from "../../model/text.ts";

/** The chat statuses of each fleet state, where a state is exactly a set of statuses. */
const STATUSES_OF: Partial<Record<AgentState, string[]>> = {
  working: ["running", "interrupting"],
  idle: ["waiting", "requires_action", "paused"],
  error: ["error"],
  complete: [],
  failed: [],
  paused: [],
};

/**
 * The chat statuses a state filter can be pushed to Coder as, or `undefined` when it cannot
 * (no filter, `starting` (queued chats have any status), `unknown`, or nothing to ask for).
 */
export function chatStatusesOf(states: readonly AgentState[] | undefined): string[] | undefined {
  if (!states || states.length === 0) return undefined;
  const out: string[] = [];
  for (const s of states) {
    const st = STATUSES_OF[s];
    if (!st) return undefined;
    out.push(...st);
  }
  return out.length > 0 ? out : undefined;
}

/** Coder's page-size bounds for chat messages. */
const MAX_PAGE = 200;

/** The page size asked of Coder: the query's limit within Coder's bounds. */
function pageLimit(query: LogQuery): number {
  return Math.max(1, Math.min(MAX_PAGE, Math.floor(query.limit) || 1));
}

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
  /** What this deployment does with `request_id` on writes (learned from its first answer). */
  readonly #requestIds: RequestIdSupport = {};
  /** Which optional terms (`status:`, `pr_status:`) Coder's chat list takes, once tried. */
  readonly #terms = new QueryTerms();
  /** Coder's chat watch, made on first use. */
  #watch?: AgentWatch;

  constructor(ctx: BackendContext) {
    this.#ctx = ctx;
    this.prefix = ctx.prefix;
    this.models = new ChatModels(ctx);
  }

  /**
   * All chats visible to the caller, in one list request. Labels go to Coder (`label=k:v`), and
   * so does the caller's own name as an owner (`source:created_by_me`): Coder's chat query has
   * no owner term for anyone else, so other owners are filtered by the fleet. A state filter goes
   * to Coder as `status:...` and a pull-request filter as `pr_status:...` where the server takes
   * them (each tried on first use: v2.37 answers 400 to `status:`, and is then filtered locally
   * for the rest of the process; see `probes.ts`).
   */
  async summaries(filter: ListFilter, signal?: AbortSignal): Promise<SummaryList> {
    const terms: string[] = [];
    if (filter.owner && filter.owner === this.#ctx.me.username) terms.push("source:created_by_me");
    // `query` stays local: Coder's `search:` is a tokenized full-text search over titles and
    // message bodies, not the fleet's substring match on name and latest message.
    const optional: OptionalTerm[] = [];
    const statuses = chatStatusesOf(filter.state);
    if (statuses) optional.push({ key: "status", term: `status:${statuses.join(",")}` });
    if (filter.pr && filter.pr.length > 0) {
      optional.push({ key: "pr_status", term: `pr_status:${[...new Set(filter.pr)].join(",")}` });
    }
    const { answer } = await this.#terms.ask(
      terms,
      optional,
      (all) =>
        listChats(this.#ctx.client, this.prefix, { terms: all, labels: filter.labels }, signal),
    );
    const { chats, skipped } = answer;
    const out: SummaryList = chats.map((c) => chatSummary(c, this.#ctx, this.#remember));
    if (skipped.length > 0) out.skipped = skipped;
    // Coder's list leaves queued_for_capacity false (single-chat reads derive it): only a list
    // that ever says true can tell which chats wait for a licence slot.
    if (chats.length > 0) out.queueFlagListed = chats.some((c) => c.queued_for_capacity === true);
    return out;
  }

  /** Whether Coder takes `q=status:...` on the chat list, once probed. */
  get statusFilter(): boolean | undefined {
    return this.#terms.takes("status");
  }

  /** Whether Coder takes `q=pr_status:...` on the chat list, once probed. */
  get prFilter(): boolean | undefined {
    return this.#terms.takes("pr_status");
  }

  /** All chats visible to the caller, as agents (see {@link summaries}). */
  async list(filter: ListFilter, signal?: AbortSignal): Promise<AgentList> {
    const summaries = await this.summaries(filter, signal);
    const agents: AgentList = summaries.map((s) => s.agent());
    if (summaries.skipped) agents.skipped = summaries.skipped;
    if (summaries.queueFlagListed !== undefined) agents.queueFlagListed = summaries.queueFlagListed;
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
    const { chats } = await listChats(
      this.#ctx.client,
      this.prefix,
      { terms: term ? [term] : [] },
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
    return this.#page(agent, query, this.#messages(agent.id, query, signal));
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
    const messages = quiet(this.#messages(id, query, signal));
    const cost = extras ? quiet(getChatCost(this.#ctx.client, this.prefix, id, signal)) : undefined;
    const models = extras ? quiet(this.models.raw(signal)) : undefined;
    const fits = (agent: Agent) => agent.kind === "chat" && agent.id.toLowerCase() === id;
    return {
      logs: (agent: Agent, s?: AbortSignal) =>
        fits(agent) ? this.#page(agent, query, messages) : this.logs(agent, query, s),
      extras: (agent: Agent, s?: AbortSignal) =>
        fits(agent) && cost && models
          ? this.#extrasFrom(agent, cost, models, s)
          : this.extras(agent, s),
    };
  }

  #messages(id: string, query: LogQuery, signal?: AbortSignal) {
    return listChatMessages(this.#ctx.client, this.prefix, id, {
      before_id: query.before_id,
      after_id: query.after_id,
      limit: pageLimit(query),
    }, signal);
  }

  async #page(
    agent: Agent,
    query: LogQuery,
    answer: Promise<ChatMessagesResponse>,
  ): Promise<LogPage> {
    const limit = pageLimit(query);
    const res = await answer;
    const forward = query.after_id !== undefined && query.before_id === undefined;
    let msgs = res.messages
      .filter((m) => query.after_id === undefined || m.id > query.after_id)
      .filter((m) => query.before_id === undefined || m.id < query.before_id)
      .sort((a, b) => a.id - b.id);
    let more = res.has_more ?? res.messages.length >= limit;
    if (msgs.length > limit) {
      msgs = forward ? msgs.slice(0, limit) : msgs.slice(msgs.length - limit);
      more = true;
    }
    const fallback = agent.updated_at;
    const messages: LogMessage[] = msgs.map((m) => ({
      id: m.id,
      role: logRole(m.role),
      time: isoTime(m.created_at, fallback),
      text: renderParts(m.content),
    }));
    return {
      messages,
      snapshot: false,
      has_older: forward ? (query.after_id ?? 0) > 0 : more,
      has_newer: forward ? more : query.before_id !== undefined,
      queued: res.queued_messages.map((q) => oneLine(renderParts(q.content), 200)),
    };
  }

  /** Start a chat in the caller's default organization, with the model and title asked for. */
  async create(spec: CreateSpec, signal?: AbortSignal): Promise<Agent> {
    const model = this.models.choose(spec.model, signal);
    const [organizationId, modelId] = await Promise.all([
      this.models.defaultOrganization(signal),
      model.id,
    ]);
    const answer = await idempotent(
      this.#requestIds,
      spec.requestId,
      (request_id, retrySafe) =>
        createChat(
          this.#ctx.client,
          this.prefix,
          {
            organization_id: organizationId,
            content: textContent(spec.prompt),
            ...(spec.labels && Object.keys(spec.labels).length > 0 ? { labels: spec.labels } : {}),
            ...(modelId ? { model_config_id: modelId } : {}),
            ...(request_id ? { request_id } : {}),
          },
          signal,
          retrySafe,
        ),
    ).catch(model.refused);
    const receipt = answer.receipt;
    let chat: Chat;
    if (receipt) {
      checkReceipt(receipt, `POST ${this.prefix}/chats`, "chat");
      chat = receipt.chat ?? await this.#createdChat(receipt.chat_id, receipt.request_id, signal);
    } else chat = answer.chat;
    if (spec.name) {
      try {
        await updateChat(this.#ctx.client, this.prefix, chat.id, { title: spec.name }, signal);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new FleetError(
          `Chat ${chat.id} was created and is running, but its title could not be set: ${why}`,
          `do not create it again; refer to it by id ${chat.id} (get_agent)`,
        );
      }
      chat.title = spec.name;
    }
    const agent = this.toAgent(chat);
    agent.prompt = block(spec.prompt, 2000).text;
    const runs = await model.label(chat.last_model_config_id ?? modelId);
    if (runs) agent.model = runs;
    if (receipt) agent.receipt = { request_id: receipt.request_id, state: receipt.state };
    return agent;
  }

  /** The chat an accepted receipt names (one GET); uncertain when the receipt names none. */
  async #createdChat(id: string | null | undefined, requestId: string, signal?: AbortSignal) {
    if (!id) {
      throw new CoderError({
        status: 200,
        route: `POST ${this.prefix}/chats`,
        kind: "uncertain",
        detail: `Coder accepted request ${oneLine(requestId, 40)} but named no chat`,
      });
    }
    return await getChat(this.#ctx.client, this.prefix, id, signal);
  }

  /**
   * Send a message; a busy chat queues it (default) or is interrupted (`busy: "interrupt"`).
   * `requestId` makes it idempotent where Coder supports it (see `writes.ts`).
   */
  async send(
    agent: Agent,
    input: string,
    busy?: "queue" | "interrupt",
    requestId?: string,
  ): Promise<SendResult> {
    let res;
    try {
      res = await idempotent(
        this.#requestIds,
        requestId,
        (request_id, retrySafe) =>
          sendChatMessage(
            this.#ctx.client,
            this.prefix,
            agent.id,
            {
              content: textContent(input),
              ...(busy ? { busy_behavior: busy } : {}),
              ...(request_id ? { request_id } : {}),
            },
            undefined,
            retrySafe,
          ),
      );
    } catch (err) {
      if (isHttp(err, 400) && /archived/i.test(err.coderMessage ?? "")) {
        throw new FleetError(
          `Chat ${agent.id} is archived and takes no messages.`,
          "start a new chat with create_task, or restore this one in the Coder dashboard",
        );
      }
      throw err;
    }
    if (res.receipt) {
      checkReceipt(res.receipt, `POST ${this.prefix}/chats/{chat}/messages`, "message");
    }
    const note = receiptNote(res.receipt);
    if (res.queued) {
      return {
        outcome: "queued",
        detail: `queued: the chat is busy and will take it next${note}`,
      };
    }
    const interrupted = busy === "interrupt" && agent.state === "working";
    return {
      outcome: "sent",
      detail: `${interrupted ? "sent (interrupted the current turn)" : "sent"}${note}`,
    };
  }

  /** Interrupt the current turn; a chat that is not working is skipped. */
  async stop(agent: Agent): Promise<ActionResult> {
    if (agent.state !== "working") {
      return { outcome: "skipped", detail: `not running (${agent.detail})` };
    }
    await interruptChat(this.#ctx.client, this.prefix, agent.id);
    return { outcome: "done", detail: "interrupted" };
  }

  /** Chats have no resume: they resume when they get a message. No request is made. */
  resume(_agent: Agent, _prompt?: string): Promise<ActionResult> {
    return Promise.resolve({
      outcome: "skipped",
      detail: "chats resume when they get a message: use send_input",
    });
  }

  /** Archive the chat (`PATCH {archived: true}`); an agent already marked archived is skipped. */
  async remove(agent: Agent): Promise<ActionResult> {
    if (agent.archived) return { outcome: "skipped", detail: "already archived" };
    await updateChat(this.#ctx.client, this.prefix, agent.id, { archived: true });
    return { outcome: "done", detail: "archived" };
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

  async #extrasFrom(
    agent: Agent,
    costAnswer: Promise<ChatCost | null>,
    modelsAnswer: Promise<ChatModelsResponse | null>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    // Cost, and the chat's model by name rather than by config id, at once. The chat itself is
    // fetched again only when this agent was not made from it here.
    const known = this.#source.get(agent);
    const [cost, chat, models] = await Promise.allSettled([
      costAnswer,
      known ?? getChat(this.#ctx.client, this.prefix, agent.id, signal),
      modelsAnswer,
    ]);
    for (const r of [cost, chat, models]) {
      if (
        r.status === "rejected" && !(r.reason instanceof CoderError && r.reason.kind !== "aborted")
      ) {
        throw r.reason;
      }
    }
    const out: Record<string, unknown> = {};
    if (cost.status === "fulfilled" && cost.value) {
      out.cost = {
        total_usd: Math.round(cost.value.total_cost_micros) / 1_000_000,
        requests: cost.value.request_count,
        unpriced_requests: cost.value.unpriced_request_count,
      };
    }
    const modelId = chat.status === "fulfilled" ? chat.value.last_model_config_id : undefined;
    if (modelId) {
      const m = models.status === "fulfilled" && models.value
        ? modelInfos(models.value).find((x) => x.id === modelId)
        : undefined;
      out.model = m ? modelLabel(m) : oneLine(modelId, 100);
    }
    return out;
  }

  /** Map a Coder chat to a fleet agent (sanitised). */
  toAgent(chat: Chat): Agent {
    return chatSummary(chat, this.#ctx, this.#remember).agent();
  }

  readonly #remember = (agent: Agent, chat: Chat) => this.#source.set(agent, chat);
}
