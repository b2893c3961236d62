/**
 * Output schema pieces shared by the tools.
 */
import { z } from "zod";
import { AGENT_STATES, PR_STATES, WAITING_FOR } from "../model/agent.ts";

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
  stalled: z.boolean().optional().describe(
    "true: working, but Coder's updated_at has not moved for the stall threshold",
  ),
  waiting_for: z.enum(WAITING_FOR).optional(),
  pr: z.object({
    number: z.number().int().nullable(),
    state: z.enum(PR_STATES),
    additions: z.number().int(),
    deletions: z.number().int(),
  }).optional(),
}).meta({ id: "AgentRow" });

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
  queued_for_capacity: z.boolean().optional(),
  shared: z.boolean().optional().describe(
    "true: another user's chat shared with you; you can read it, only its owner can write to it",
  ),
  waiting_for: z.enum(WAITING_FOR).nullable(),
  pr: z.object({
    number: z.number().int().nullable(),
    state: z.enum(PR_STATES),
    title: z.string(),
    url: z.string(),
    draft: z.boolean(),
    approved: z.boolean().nullable(),
    changes_requested: z.boolean(),
    additions: z.number().int(),
    deletions: z.number().int(),
    changed_files: z.number().int(),
  }).nullable(),
});

/** One item of a batch action. */
export const ActionRowSchema = z.object({
  agent: z.string().describe("the handle as given, or owner/name (where)"),
  id: z.string().optional(),
  kind: Kind.optional(),
  outcome: z.enum(["done", "skipped", "would", "failed", "uncertain", "duplicate"]),
  detail: z.string(),
});

/** Longest agent handle accepted (a UUID, owner/name, a task name or a chat title). */
export const HANDLE_MAX = 200;

/** One agent handle (its grammar is checked per item, so a batch reports each bad one). */
export const HandleInput = z.string().min(1).max(HANDLE_MAX);

/** Agent handles input: 1 to 100. */
export const AgentsInput = z.array(HandleInput).min(1).max(100).describe(
  "Agents to act on, 1 to 100: each a UUID, owner/name, or the name of one of your own agents.",
);

/** A Coder username filter (usernames: letters, digits, hyphens, at most 32; or a user UUID). */
export const OwnerInput = z.string().min(1).max(36).regex(
  /^[A-Za-z0-9][A-Za-z0-9-]*$/,
  "owner must be a Coder username: letters, digits and hyphens",
);

/** A name or id of a Coder object (template, preset, model). */
export const NameInput = z.string().min(1).max(128);

/** A label filter, `key:value`. */
export const LabelInput = z.string().max(256).regex(/^[^:]+:.*$/, "label must be key:value");

/** Text to search for in names and messages. */
export const QueryInput = z.string().min(1).max(200);

/** A prompt or a message: generous, but capped. */
export const TextInput = z.string().min(1).max(100_000);

/** `state`: one state, or a list of states (clients often send one). */
export const StatesInput = z.union([State, z.array(State).max(AGENT_STATES.length)]);

/** `waiting_for`: one reason, or a list. */
export const WaitingForInput = z.union([
  z.enum(WAITING_FOR),
  z.array(z.enum(WAITING_FOR)).max(WAITING_FOR.length),
]);

/** `pr`: one pull-request state (or `none`), or a list. */
export const PrInput = z.union([
  z.enum([...PR_STATES, "none"]),
  z.array(z.enum([...PR_STATES, "none"])).max(PR_STATES.length + 1),
]);

/** One value or a list of them, as a list (undefined stays undefined). */
export function listOf<T>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

/** Normalise a `state` argument to a list (undefined stays undefined). */
export function stateList(
  s: z.infer<typeof StatesInput> | undefined,
): z.infer<typeof State>[] | undefined {
  return s === undefined ? undefined : Array.isArray(s) ? s : [s];
}

/** Parse `key:value`. */
export function parseLabel(label: string | undefined): Record<string, string> | undefined {
  if (!label) return undefined;
  const i = label.indexOf(":");
  return { [label.slice(0, i).trim()]: label.slice(i + 1).trim() };
}
