/** `list_agents`: find agents. */
import { z } from "zod";
import { toRow } from "../model/agent.ts";
import { afterKey, compareAgents, decodeCursor, encodeCursor } from "./cursor.ts";
import { capacityOf } from "./capacity.ts";
import { defineTool } from "./define.ts";
import { rowsText } from "./format.ts";
import {
  AgentRowSchema,
  Kind,
  LabelInput,
  NameInput,
  OwnerInput,
  parseLabel,
  QueryInput,
  stateList,
  StatesInput,
} from "./schemas.ts";

/** Find agents by state, owner, kind, template, label or text. */
export const listAgents = defineTool({
  name: "list_agents",
  title: "List agents",
  description: `Find agents by state, owner, kind, template, label or text, newest first.

Use it to pick the agents to act on: for example state=["idle","complete"] (or one state, state="idle") for those waiting on you, or settled_for_s=600 for those left waiting ten minutes. For the fleet's counts call fleet_overview; for one agent in full call get_agent.

Returns compact rows (id, kind, name, owner, state, detail, message, state_since; stalled: true on a working agent whose updated_at has not moved for the stall threshold), the total that matched, and next_cursor when more remain: pass it back as cursor with the same filters. limit defaults to 50, at most 200. Messages are agent-written text, shortened.`,
  input: z.object({
    state: StatesInput.optional().describe(
      "Only agents in this state or these states (starting, working, idle, complete, failed, paused, error, unknown): one, or a list.",
    ),
    owner: OwnerInput.optional().describe("Only agents of this username."),
    kind: Kind.optional().describe("Only tasks or only chats."),
    template: NameInput.optional().describe("Only tasks of this template name."),
    label: LabelInput.optional().describe("Only chats with this label, as key:value."),
    query: QueryInput.optional().describe(
      "Case-insensitive text that the name or the latest message contains; chats on a Coder that runs its own search (v2.39) match its words in the title, pull request and whole conversation instead.",
    ),
    settled_for_s: z.number().int().min(0).optional().describe(
      "Only settled agents (idle, complete, failed, paused, error, unknown) that have been so for at least this many seconds.",
    ),
    limit: z.number().int().min(1).max(200).default(50).describe("Rows per page, 1 to 200."),
    cursor: z.string().max(500).optional().describe("next_cursor of the previous page."),
  }),
  output: z.object({
    agents: z.array(AgentRowSchema),
    total: z.number().int().describe("agents that matched, over all pages"),
    next_cursor: z.string().optional(),
    warnings: z.array(z.string()).optional(),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler(args, { fleet, signal }) {
    const { limit, cursor, label, state, ...rest } = args;
    const filter = { ...rest, state: stateList(state), labels: parseLabel(label) };
    const snap = await fleet.snapshot(filter, signal);
    const matched = snap.agents.sort(compareAgents);
    const query = { ...filter, limit };
    const rest2 = cursor ? afterKey(matched, decodeCursor(cursor, query)) : matched;
    const page = rest2.slice(0, limit);
    const more = rest2.length > page.length;
    const warnings = snap.warnings;
    const capacity = capacityOf(snap.agents, snap.queueFlagListed);
    if (capacity.note && snap.queueFlagListed === false) warnings.push(capacity.note);
    const data = {
      agents: page.map(toRow),
      total: matched.length,
      ...(more ? { next_cursor: encodeCursor(page[page.length - 1], query) } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
    const shown = matched.length - rest2.length + page.length;
    const header = matched.length === 0
      ? "No agent matched."
      : `${matched.length} agents matched; showing ${
        shown - page.length + 1
      }-${shown}, newest first.`;
    const text = [
      rowsText(header, data.agents, fleet.now()),
      ...warnings.map((w) => `Warning: ${w}`),
      more ? `More remain: call again with cursor="${data.next_cursor}" and the same filters.` : "",
    ].filter(Boolean).join("\n");
    return { data, text };
  },
});
