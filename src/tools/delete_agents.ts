/** `delete_agents`: delete tasks, archive chats. */
import { z } from "zod";
import { defineTool } from "./define.ts";
import { runAction, SELECT_FIELDS, selectionOf } from "./actions.ts";
import { agentName } from "./format.ts";
import { ActionRowSchema } from "./schemas.ts";

/** Delete tasks (and their workspaces), archive chats. */
export const deleteAgents = defineTool({
  name: "delete_agents",
  title: "Delete agents",
  description:
    `Delete tasks (with their workspaces) and archive chats (a running chat is interrupted first, and archived once it has stopped).

Use it to clean up agents whose work is done or abandoned. Deleting a task cannot be undone; an archived chat can be restored in the Coder dashboard. Run with dry_run first to check the list.

Returns results [{agent, outcome: done | skipped | would | failed | uncertain | duplicate, detail}] for every agent, in input order; uncertain: the delete may have happened (check with get_agent before retrying); duplicate: the same agent named again, acted on once. 1 to 100 agents, 8 at a time.`,
  input: z.object(SELECT_FIELDS),
  output: z.object({ results: z.array(ActionRowSchema) }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler(args, { fleet, signal }) {
    const { results, text } = await runAction(fleet, selectionOf(args), {
      dryRun: args.dry_run,
      signal,
      write: "remove",
      describe: (a) =>
        a.kind === "task"
          ? `delete task ${agentName(a)} (${a.state})`
          : a.archived
          ? { skip: "already archived" }
          : a.state === "working" || a.state === "starting"
          ? `interrupt chat ${agentName(a)} (now ${a.state}), then archive it`
          : `archive chat ${agentName(a)}`,
      act: (b, a) => b.remove(a),
    });
    return { data: { results }, text };
  },
});
