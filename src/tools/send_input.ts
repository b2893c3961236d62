/** `send_input`: message one agent or many. */
import { z } from "zod";
import { previewSend, sendInput } from "../fleet/send.ts";
import { selectAgents } from "../fleet/select.ts";
import { resultLine, SELECT_FIELDS, selectionLine, selectionOf } from "./actions.ts";
import { defineTool } from "./define.ts";
import { writeFailure } from "./errors.ts";
import { Kind, TextInput } from "./schemas.ts";
import type { Agent } from "../model/agent.ts";

/** Default of `wait_s`: a wait that fits in the 60 s MCP clients wait by default. */
export const WAIT_DEFAULT_S = 45;

/** Message agents, with a policy for busy ones. */
export const sendInputTool = defineTool({
  name: "send_input",
  title: "Send input",
  description: `Send a message to one agent or to many, deciding what happens when one is busy.

Use it to answer an agent's question, give it the next step, or steer it. if_busy: wait (default) sends as soon as each agent is ready, within wait_s, resuming paused tasks first; fail sends only to ready agents; queue and interrupt work on chats (queue the message, or interrupt the current turn); Coder Tasks cannot queue or interrupt, so a busy task is reported busy.

Returns results [{agent, outcome: sent | queued | busy | failed | uncertain | duplicate | would, detail}] for every agent, in input order: uncertain means the send may have happened (check with get_agent before retrying); duplicate means the same agent was named again and got the message once; where Coder makes chat sends idempotent, detail names its receipt's state and a lost answer is retried safely. 1 to 100 agents; input at most 100000 characters; wait_s default ${WAIT_DEFAULT_S}, at most 300 (progress at least every 10 s). Busy agents are watched with one list request per back end per round (your own chats: through Coder's chat watch, listing every 30 s).`,
  input: z.object({
    ...SELECT_FIELDS,
    input: TextInput.describe("The message to send."),
    if_busy: z.enum(["wait", "queue", "interrupt", "fail"]).default("wait").describe(
      "What to do when an agent is busy: wait, queue (chats), interrupt (chats) or fail.",
    ),
    wait_s: z.number().int().min(0).max(300).default(WAIT_DEFAULT_S).describe(
      "With if_busy=wait: how long to wait for busy agents, in seconds.",
    ),
  }),
  output: z.object({
    results: z.array(z.object({
      agent: z.string(),
      id: z.string().optional(),
      kind: Kind.optional(),
      outcome: z.enum(["sent", "queued", "busy", "failed", "uncertain", "duplicate", "would"]),
      detail: z.string(),
    })),
  }),
  annotations: {
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true,
  },
  waits: ({ if_busy, wait_s, dry_run }) => if_busy === "wait" && !dry_run ? wait_s * 1000 : 0,
  async handler(args, { fleet, signal, progress }) {
    const { input, if_busy, wait_s, dry_run } = args;
    const selected = await selectAgents(fleet, selectionOf(args), signal);
    const targets = selected.targets;
    const opts = { ifBusy: if_busy, waitMs: wait_s * 1000 };
    const backends = dry_run ? await fleet.backends(undefined, signal) : [];
    const refusal = (a: Agent) => backends.find((b) => b.kind === a.kind)?.refusal?.(a, "send");
    const results = dry_run
      ? previewSend(targets, opts, refusal)
      : await sendInput(fleet, targets, {
        ...opts,
        input,
        signal,
        failure: writeFailure,
        onRound: (_round, done, total) => progress(done, total, `${done} of ${total} handled`),
      });
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    const extra = (["uncertain", "duplicate"] as const)
      .filter((o) => count(o) > 0)
      .map((o) => `, ${o} ${count(o)}`)
      .join("");
    const head = dry_run
      ? `Dry run: ${count("would")} would get the message, ${count("busy")} busy, ${
        count("failed")
      } cannot${extra}.`
      : `sent ${count("sent")}, queued ${count("queued")}, busy ${count("busy")}, failed ${
        count("failed")
      }${extra}`;
    const text = [
      selectionLine(selected, dry_run),
      results.length > 0 || !selected.byFilter ? head : "",
      ...results.map((r) => resultLine(r, selected)),
      count("uncertain") > 0
        ? "Uncertain sends may have been delivered: check those agents with get_agent before sending again."
        : "",
    ].filter(Boolean).join("\n");
    return { data: { results }, text };
  },
});
