/** `resume_agents`: resume paused tasks. */
import { z } from "zod";
import { defineTool } from "./define.ts";
import { runAction, SELECT_FIELDS, selectionOf } from "./actions.ts";
import { ActionRowSchema, TextInput } from "./schemas.ts";

/** Resume paused tasks, optionally with a new prompt. */
export const resumeAgents = defineTool({
  name: "resume_agents",
  title: "Resume agents",
  description: `Resume paused tasks, optionally replacing their prompt first.

Use it to bring back tasks that stop_agents paused (or that Coder paused). Chats need no resume: they continue when they get a message, so send_input to them instead.

Returns results [{agent, outcome: done | skipped | would | failed | uncertain | duplicate, detail}] for every agent, in input order; an agent that is not paused is skipped; uncertain: the resume may have happened (check with get_agent before retrying); duplicate: the same agent named again, acted on once. 1 to 100 agents, 8 at a time. Follow up with wait_for_agents: a resumed task starts its workspace first.`,
  input: z.object({
    ...SELECT_FIELDS,
    prompt: TextInput.optional().describe(
      "Replace each paused task's prompt with this before resuming it.",
    ),
  }),
  output: z.object({ results: z.array(ActionRowSchema) }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler(args, { fleet, signal }) {
    const { prompt } = args;
    const { results, text } = await runAction(fleet, selectionOf(args), {
      dryRun: args.dry_run,
      signal,
      describe: (a) =>
        a.kind === "chat"
          ? { skip: "chats resume when they get a message: use send_input" }
          : a.state !== "paused"
          ? { skip: `not paused (state: ${a.state})` }
          : prompt
          ? "replace the prompt, then resume (paused)"
          : "resume (paused)",
      act: (b, a) => b.resume(a, prompt),
    });
    return { data: { results }, text };
  },
});
