/** `get_agent`: one agent in full. */
import { z } from "zod";
import { cleanAgent, prText } from "../model/agent.ts";
import { resolveWithLogs } from "../fleet/one_trip.ts";
import { inert, oneLine, safeName } from "../model/text.ts";
import { defineTool } from "./define.ts";
import { agentName, ago, quoted } from "./format.ts";
import { AgentSchema, HandleInput } from "./schemas.ts";

/** Box-drawing characters of terminal snapshots: noise in a one-line summary. */
const BOX = /[\u2500-\u259F]+/g;

/** One agent in full, with its last three messages. */
export const getAgent = defineTool({
  name: "get_agent",
  title: "Get agent",
  description: `Show one agent in full: state, where it runs, its prompt, its last three messages.

Use it to check on one agent before acting on it. For its whole conversation call get_logs; for many agents call list_agents.

Returns agent (every field of the agent model, with its dashboard url, waiting_for and its pull request in full), recent (the last 3 messages, each cut to 300 characters, oldest first) and extras (a chat's cost when Coder reports it). Agent-written text is sanitised and quoted.`,
  input: z.object({
    agent: HandleInput.describe(
      "The agent: a UUID, owner/name, or the name of one of your own agents.",
    ),
  }),
  output: z.object({
    agent: AgentSchema,
    recent: z.array(z.object({
      id: z.number().int(),
      role: z.string(),
      time: z.string(),
      text: z.string(),
    })),
    recent_note: z.string().optional(),
    extras: z.record(z.string(), z.unknown()),
  }),
  annotations: {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler({ agent: handle }, { fleet, signal }) {
    // The lookup, the last messages and the extras go out together where the handle allows.
    const one = await resolveWithLogs(fleet, handle, { limit: 3 }, true, signal);
    const agent = cleanAgent(one.agent);
    const [logs, extras] = await Promise.allSettled([one.logs, one.extras]);
    const recent = logs.status === "fulfilled"
      ? logs.value.messages.map((m) => ({ ...m, text: oneLine(m.text.replace(BOX, " "), 300) }))
      : [];
    const recent_note = logs.status === "rejected"
      ? `no conversation: ${oneLine((logs.reason as Error)?.message ?? "unavailable", 300)}`
      : undefined;
    const data = {
      agent,
      recent,
      ...(recent_note ? { recent_note } : {}),
      extras: extras.status === "fulfilled" ? extras.value : {},
    };
    const now = fleet.now();
    const lines = [
      `${agent.kind} ${agentName(agent, 200)} (id ${agent.id})`,
      `state ${agent.state} for ${ago(agent.state_since, now)} (${safeName(agent.detail, 100)})`,
      agent.shared
        ? `shared with you by ${
          safeName(agent.owner, 40)
        }: you can read it; only its owner can send to it, stop it or archive it`
        : "",
      agent.waiting_for ? `waiting for ${agent.waiting_for}` : "",
      agent.pr
        ? `${prText(agent.pr)}${agent.pr.approved ? ", approved" : ""}${
          agent.pr.changes_requested ? ", changes requested" : ""
        }: ${quoted(agent.pr.title, 200)}${agent.pr.url ? ` ${safeName(agent.pr.url, 500)}` : ""}`
        : "",
      agent.message ? `message ${quoted(agent.message, 300)}` : "",
      agent.template ? `template ${safeName(agent.template, 128)}` : "",
      agent.workspace ? `workspace ${safeName(agent.workspace, 128)}` : "",
      Object.keys(agent.labels).length
        ? `labels ${
          Object.entries(agent.labels).map(([k, v]) => quoted(`${k}:${v}`, 300)).join(", ")
        }`
        : "",
      `created ${agent.created_at}, updated ${agent.updated_at}`,
      `url ${safeName(agent.url, 500)}`,
      agent.prompt ? `prompt ${quoted(agent.prompt, 300)}` : "",
      Object.keys(data.extras).length
        ? `extras ${inert(oneLine(JSON.stringify(data.extras), 1000))}`
        : "",
      recent.length
        ? "Recent messages (agent-written text, quoted):"
        : recent_note
        ? inert(recent_note)
        : "",
      ...recent.map((m) =>
        `  #${m.id} ${safeName(m.role, 20)} ${safeName(m.time, 40)}: ${quoted(m.text, 300)}`
      ),
    ];
    return { data, text: lines.filter(Boolean).join("\n") };
  },
});
