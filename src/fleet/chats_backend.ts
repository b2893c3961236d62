/**
 * The Chats back end: Coder Agents chats (`/api/v2/chats`, or `/api/experimental/chats`) seen as
 * fleet agents. Stop is an interrupt, delete is an archive, and a chat resumes when it gets a
 * message. Every string taken from Coder passes through the sanitisers of `text.ts`. Writes
 * report `done` only on Coder's documented success; any other failure (an `uncertain` write
 * included) propagates as the CoderError it is.
 */
import {
  type Chat,
  createChat,
  getChat,
  getChatCost,
  interruptChat,
  listChatMessages,
  listChatModels,
  listChats,
  qTerm,
  sendChatMessage,
  textContent,
  updateChat,
} from "../coder/chats.ts";
import { getUserOrganizations } from "../coder/deployment.ts";
import { CoderError } from "../coder/http.ts";
import { InvalidSegmentError } from "../coder/errors.ts";
import type { Agent, AgentKind } from "./agent.ts";
import {
  type ActionResult,
  type AgentList,
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
} from "./backend.ts";
import { isHttp, isNotFound } from "./backend_errors.ts";
import { renderParts } from "./chat_state.ts";
import { chatToAgent, logRole, modelInfos, NAME_MAX, ownedBy } from "./chats_mapping.ts";

export { chatToAgent, logRole, modelInfos } from "./chats_mapping.ts";
import { isoTime } from "./time.ts";
import { block, oneLine } from "./text.ts";

/** Coder's page-size bounds for chat messages. */
const MAX_PAGE = 200;

/** Coder Chats as a fleet back end. */
export class ChatsBackend implements Backend {
  /** Always `chat`. */
  readonly kind: AgentKind = "chat";
  /** API prefix in use, e.g. `/api/v2`. */
  readonly prefix: string;
  readonly #ctx: BackendContext;
  /** The chat each agent was made from, so `extras` needs no second GET of it. */
  readonly #source = new WeakMap<Agent, Chat>();

  constructor(ctx: BackendContext) {
    this.#ctx = ctx;
    this.prefix = ctx.prefix;
  }

  /**
   * All chats visible to the caller, in one list request. Labels go to Coder (`label=k:v`), and
   * so does the caller's own name as an owner (`source:created_by_me`): Coder's chat query has
   * no owner term for anyone else, so other owners are filtered by the fleet.
   */
  async list(filter: ListFilter, signal?: AbortSignal): Promise<AgentList> {
    const terms: string[] = [];
    if (filter.owner && filter.owner === this.#ctx.me.username) terms.push("source:created_by_me");
    // `query` stays local: Coder's `search:` is a tokenized full-text search over titles and
    // message bodies, not the fleet's substring match on name and latest message.
    const { chats, skipped } = await listChats(
      this.#ctx.client,
      this.prefix,
      { terms, labels: filter.labels },
      signal,
    );
    const agents: AgentList = chats.map((c) => this.toAgent(c));
    if (skipped.length > 0) agents.skipped = skipped;
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
  async logs(agent: Agent, query: LogQuery, signal?: AbortSignal): Promise<LogPage> {
    const limit = Math.max(1, Math.min(MAX_PAGE, Math.floor(query.limit) || 1));
    const res = await listChatMessages(this.#ctx.client, this.prefix, agent.id, {
      before_id: query.before_id,
      after_id: query.after_id,
      limit,
    }, signal);
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
    const [organizationId, modelId] = await Promise.all([
      this.#defaultOrganization(signal),
      spec.model ? this.#resolveModel(spec.model, signal) : Promise.resolve(undefined),
    ]);
    const chat = await createChat(this.#ctx.client, this.prefix, {
      organization_id: organizationId,
      content: textContent(spec.prompt),
      ...(spec.labels && Object.keys(spec.labels).length > 0 ? { labels: spec.labels } : {}),
      ...(modelId ? { model_config_id: modelId } : {}),
    }, signal);
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
    return agent;
  }

  /** Send a message; a busy chat queues it (default) or is interrupted (`busy: "interrupt"`). */
  async send(agent: Agent, input: string, busy?: "queue" | "interrupt"): Promise<SendResult> {
    let res;
    try {
      res = await sendChatMessage(this.#ctx.client, this.prefix, agent.id, {
        content: textContent(input),
        ...(busy ? { busy_behavior: busy } : {}),
      });
    } catch (err) {
      if (isHttp(err, 400) && /archived/i.test(err.coderMessage ?? "")) {
        throw new FleetError(
          `Chat ${agent.id} is archived and takes no messages.`,
          "start a new chat with create_task, or restore this one in the Coder dashboard",
        );
      }
      throw err;
    }
    if (res.queued) {
      return { outcome: "queued", detail: "queued: the chat is busy and will take it next" };
    }
    const interrupted = busy === "interrupt" && agent.state === "working";
    return {
      outcome: "sent",
      detail: interrupted ? "sent (interrupted the current turn)" : "sent",
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

  /** The model configs chats can run with (none when the deployment has no models route). */
  async catalog(signal?: AbortSignal): Promise<Catalog> {
    try {
      return { models: modelInfos(await listChatModels(this.#ctx.client, this.prefix, signal)) };
    } catch (err) {
      if (err instanceof CoderError && err.kind === "http" && err.routeNotFound) {
        return { models: [] };
      }
      throw err;
    }
  }

  /** The chat's cost, when the deployment reports it; `{}` otherwise. */
  async extras(agent: Agent, signal?: AbortSignal): Promise<Record<string, unknown>> {
    // Cost, and the chat's model by name rather than by config id, at once. The chat itself is
    // fetched again only when this agent was not made from it here.
    const known = this.#source.get(agent);
    const [cost, chat, models] = await Promise.allSettled([
      getChatCost(this.#ctx.client, this.prefix, agent.id, signal),
      known ?? getChat(this.#ctx.client, this.prefix, agent.id, signal),
      listChatModels(this.#ctx.client, this.prefix, signal),
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
      const m = models.status === "fulfilled"
        ? modelInfos(models.value).find((x) => x.id === modelId)
        : undefined;
      out.model = m ? `${m.display_name || m.model} (${m.provider})` : modelId;
    }
    return out;
  }

  /** Map a Coder chat to a fleet agent (sanitised). */
  toAgent(chat: Chat): Agent {
    const agent = chatToAgent(chat, this.#ctx);
    this.#source.set(agent, chat);
    return agent;
  }

  async #defaultOrganization(signal?: AbortSignal): Promise<string> {
    const orgs = await getUserOrganizations(this.#ctx.client, "me", signal);
    const org = orgs.find((o) => o.is_default) ?? orgs[0];
    if (!org) {
      throw new FleetError(
        "You belong to no Coder organization, so no chat can be created.",
        "ask a Coder administrator to add you to an organization",
      );
    }
    return org.id;
  }

  async #resolveModel(model: string, signal?: AbortSignal): Promise<string> {
    const { models = [] } = await this.catalog(signal);
    const byId = models.find((m) => m.id === model);
    if (byId) return byId.id;
    const want = model.trim().toLowerCase();
    const matches = models.filter((m) =>
      m.model.toLowerCase() === want || m.display_name.toLowerCase() === want ||
      `${m.provider}/${m.model}`.toLowerCase() === want
    );
    const pick = matches.find((m) => m.available) ?? matches[0];
    if (pick) return pick.id;
    const names = models.map((m) => m.display_name || m.model || m.id).slice(0, 20);
    throw new FleetError(
      `Unknown chat model "${oneLine(model, 80)}". Available models: ${
        names.length > 0 ? names.join(", ") : "none"
      }.`,
      "call list_templates to see the chat models, then pass one's id or name as model",
    );
  }
}
