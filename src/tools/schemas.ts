/**
 * Output schema pieces shared by the tools.
 */
import { z } from "zod";
import { AGENT_STATES } from "../fleet/agent.ts";

/** A normalized agent state. */
export const State = z.enum(AGENT_STATES);

/** `task` or `chat`. */
export const Kind = z.enum(["task", "chat"]);

/** A compact agent row (lists). */
export const AgentRowSchema = z.object({
  id: z.string(),
  kind: Kind,
  name: z.string(),
  owner: z.string(),
  state: State,
  detail: z.string(),
  message: z.string(),
  state_since: z.string(),
  template: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

/** A full agent: the row, and everything else of the agent model. */
export const AgentSchema = AgentRowSchema.extend({
  labels: z.record(z.string(), z.string()),
  workspace: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  url: z.string(),
  prompt: z.string().optional(),
  archived: z.boolean().optional(),
  organization_id: z.string().optional(),
});

/** One item of a batch action. */
export const ActionRowSchema = z.object({
  agent: z.string().describe("the handle as given"),
  id: z.string().optional(),
  kind: Kind.optional(),
  outcome: z.enum(["done", "skipped", "would", "failed"]),
  detail: z.string(),
});

/** Agent handles input: 1 to 100. */
export const AgentsInput = z.array(z.string().min(1).max(200)).min(1).max(100).describe(
  "Agents to act on, 1 to 100: each a UUID, owner/name, or the name of one of your own agents.",
);
