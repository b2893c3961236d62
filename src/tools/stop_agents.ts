/** `stop_agents`: stop current work, resumably. */
import { z } from "zod";
import { defineTool } from "./define.ts";
import { runAction, SELECT_FIELDS, selectionOf } from "./actions.ts";
import { ActionRowSchema } from "./schemas.ts";

/** Pause tasks, interrupt chats. */
export const stopAgents = defineTool({
  name: "stop_agents",
  title: "Stop agents",
  description: `Stop agents' current work, resumably: pause tasks, interrupt chats.

Use it to halt agents that go the wrong way or cost too much, without losing them. A paused task comes back with resume_agents; an interrupted chat continues when it gets a message (send_input). Try dry_run first on a large set.

Returns results [{agent, outcome: done | skipped | would | failed | uncertain | duplicate, detail}] for every agent, in input order; an agent already stopped is skipped; uncertain: the stop may have happened (check with get_agent before retrying); duplicate: the same agent named again, acted on once. 1 to 100 agents, 8 at a time.`,
  input: z.object(SELECT_FIELDS),
  output: z.object({ results: z.array(ActionRowSchema) }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: true,
  },
  async handler(args, { fleet, signal }) {
    const { results, text } = await runAction(fleet, selectionOf(args), {
      dryRun: args.dry_run,
      signal,
      write: "stop",
      describe: (a) =>
        a.kind === "task"
          ? a.state === "paused" ? { skip: "already paused" } : `pause task (now ${a.state})`
          : a.state !== "working"
          ? { skip: `not running (${a.detail})` }
          : `interrupt chat (now ${a.state})`,
      act: (b, a) => b.stop(a),
    });
    return { data: { results }, text };
  },
});
