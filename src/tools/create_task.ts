/** `create_task`: assign work, to one new agent or to many at once. */
import { z } from "zod";
import { type AgentKind, toRow } from "../model/agent.ts";
import { type Backend, FleetError } from "../model/backend.ts";
import { runBatch } from "../model/batch.ts";
import type { Fleet } from "../fleet/fleet.ts";
import { newCallId, requestIdFor } from "../fleet/request_id.ts";
import { defineTool } from "./define.ts";
import { writeFailure } from "./errors.ts";
import { rowsText } from "./format.ts";
import { oneLine } from "../model/text.ts";
import { AgentRowSchema, Kind, NameInput, OwnerInput, TextInput } from "./schemas.ts";

/** Pick the back end per DESIGN.md: kind; else the only one; else task for template/preset. */
export async function pickBackend(
  fleet: Fleet,
  args: { kind?: AgentKind; template?: string; preset?: string; model?: string },
  signal?: AbortSignal,
): Promise<Backend> {
  if (args.kind) return (await fleet.backends(args.kind, signal))[0];
  const all = await fleet.backends(undefined, signal);
  if (all.length === 1) return all[0];
  const kind: AgentKind = args.template || args.preset ? "task" : "chat";
  return all.find((b) => b.kind === kind)!;
}

/** What to do when Coder may have created an agent without saying so. */
const CREATE_UNCERTAIN_NEXT =
  "check with list_agents (query= its name or prompt) before creating it again: Coder may have created it.";

/** Start agents. */
export const createTask = defineTool({
  name: "create_task",
  title: "Create agents",
  description: `Start one agent with a prompt, or many at once (one agent per prompt).

Use it to assign work. Give template and preset for a Coder task, or model for a chat (list_templates shows them). Without kind: the only back end present; with both, a task when template or preset is given, else a chat (Coder's current way).

Returns created (compact rows; a chat's row names its model), failed [{index (0-based, into prompts), error}] and uncertain [{index, error}] (Coder may have created it: check with list_agents before creating it again), and receipts [{index, request_id, state}] where Coder makes chat creates idempotent (a lost answer is then retried safely); one failure never stops the others. At most 100 prompts a call, 8 created at a time. With several prompts, name gets a -1, -2, … suffix. Follow up with wait_for_agents.`,
  input: z.object({
    prompt: TextInput.optional().describe("The work for one agent."),
    prompts: z.array(TextInput).min(1).max(100).optional().describe(
      "Work for several agents, one prompt each (at most 100).",
    ),
    kind: Kind.optional().describe("task (Coder Tasks) or chat (Coder Agents)."),
    template: NameInput.optional().describe("Task template name or id."),
    preset: NameInput.optional().describe("Template preset name or id."),
    model: NameInput.optional().describe(
      "Chat model: display name, model name or id (list_templates); omitted: Coder's default.",
    ),
    name: z.string().min(1).max(64).optional().describe("Task name or chat title."),
    owner: OwnerInput.optional().describe("Create for this username (tasks; needs rights)."),
    labels: z.record(z.string().min(1).max(64), z.string().max(256)).refine(
      (l) => Object.keys(l).length <= 32,
      "at most 32 labels",
    ).optional().describe(
      'Chat labels, e.g. {"team": "core"}.',
    ),
  }),
  output: z.object({
    created: z.array(AgentRowSchema.extend({
      model: z.string().optional().describe(
        "chats: the model it runs, display name (provider); without model, Coder's default",
      ),
    })),
    failed: z.array(z.object({ index: z.number().int(), error: z.string() })),
    uncertain: z.array(z.object({ index: z.number().int(), error: z.string() })),
    receipts: z.array(z.object({
      index: z.number().int(),
      request_id: z.string(),
      state: z.string(),
    })).optional().describe(
      "Coder's submission receipts, where it makes creates idempotent (request_id per item)",
    ),
  }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  async handler(args, { fleet, signal }) {
    if ((args.prompt === undefined) === (args.prompts === undefined)) {
      throw new FleetError(
        "Give exactly one of prompt or prompts.",
        "Use prompt for one agent, prompts for several.",
      );
    }
    const prompts = args.prompts ?? [args.prompt!];
    const backend = await pickBackend(fleet, args, signal);
    // What the back end refuses whatever the prompt (a chat for another user): one clear error.
    const refused = backend.createRefusal?.({ prompt: "", owner: args.owner });
    if (refused) throw refused;
    const callId = newCallId();
    const results = await runBatch(prompts, (prompt, i) =>
      backend.create({
        prompt,
        template: args.template,
        preset: args.preset,
        model: args.model,
        name: args.name && prompts.length > 1 ? `${args.name}-${i + 1}` : args.name,
        owner: args.owner,
        labels: args.labels,
        requestId: requestIdFor(callId, i),
      }, signal));
    const created = results.flatMap((r) =>
      r.ok ? [{ ...toRow(r.value), ...(r.value.model ? { model: r.value.model } : {}) }] : []
    );
    const models = [...new Set(created.flatMap((c) => c.model ? [c.model] : []))];
    const failures = results.flatMap((r, index) => {
      if (r.ok) return [];
      const f = writeFailure(r.error);
      const next = f.outcome === "uncertain"
        ? f.detail.replace(/Next: .*$/, `Next: ${CREATE_UNCERTAIN_NEXT}`)
        : f.detail;
      return [{ index, outcome: f.outcome, error: next }];
    });
    const failed = failures.filter((f) => f.outcome === "failed").map(({ index, error }) => ({
      index,
      error,
    }));
    const uncertain = failures.filter((f) => f.outcome === "uncertain").map((
      { index, error },
    ) => ({ index, error }));
    const text = [
      rowsText(
        `Created ${created.length} of ${prompts.length} ${backend.kind}s:`,
        created,
        fleet.now(),
      ),
      models.length
        ? `Model: ${models.map((m) => oneLine(m, 120)).join(", ")}${
          args.model ? "" : ", Coder's default for you (no model was named)"
        }`
        : "",
      ...failed.map((f) => `- failed #${f.index}: ${oneLine(f.error, 600)}`),
      ...uncertain.map((f) => `- uncertain #${f.index}: ${oneLine(f.error, 600)}`),
      created.length ? "Next: wait_for_agents with these ids to learn when they settle." : "",
    ].filter(Boolean).join("\n");
    const receipts = results.flatMap((r, index) =>
      r.ok && r.value.receipt
        ? [{
          index,
          request_id: r.value.receipt.request_id,
          state: oneLine(r.value.receipt.state, 40),
        }]
        : []
    );
    return { data: { created, failed, uncertain, ...(receipts.length ? { receipts } : {}) }, text };
  },
});
