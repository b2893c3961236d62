/**
 * `fleet_board_rows`: every agent as compact columns, for the board page only (MCP Apps
 * visibility "app": the model never sees it). With the previous digest it answers "unchanged".
 */
import { z } from "zod";
import { AGENT_STATES } from "../model/agent.ts";
import { withUi } from "../board/register.ts";
import { defineTool } from "./define.ts";
import { boardRows, ROW_MESSAGE_MAX } from "../board/rows.ts";

/** The page's data: every agent in compact columns, or "unchanged". */
export const fleetBoardRows = withUi(
  defineTool({
    name: "fleet_board_rows",
    title: "Fleet board rows",
    description: `Every agent of the fleet as compact columns, for the Fleet board page (app-only).

The board page calls it through the host every 10 seconds; the model does not need it (use fleet_overview or list_agents). Pass the previous answer's digest: when nothing moved, the answer is only {digest, unchanged: true}.

Returns columns [id, name, owner, kind, state, since_s, message, waiting_for, pr] and rows as arrays: owner is an index into owners, state into states, message into messages (each at most ${ROW_MESSAGE_MAX} characters), waiting_for into reasons, pr into prs ([state index into pr_states, number or 0, additions, deletions]); -1 is none; kind is "t" (task) or "c" (chat); since_s counts the seconds in the state back from at. Under 100 bytes per agent. One list request per back end.`,
    input: z.object({
      digest: z.string().max(64).optional().describe(
        "The digest of the previous answer; when nothing changed the answer says unchanged.",
      ),
    }),
    output: z.object({
      digest: z.string(),
      unchanged: z.boolean().optional(),
      total: z.number().int(),
      at: z.string().optional(),
      coder: z.string().optional(),
      states: z.array(z.enum(AGENT_STATES)).optional(),
      reasons: z.array(z.string()).optional(),
      pr_states: z.array(z.string()).optional(),
      owners: z.array(z.string()).optional(),
      messages: z.array(z.string()).optional(),
      prs: z.array(z.array(z.number().int())).optional(),
      columns: z.array(z.string()).optional(),
      rows: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
      warnings: z.array(z.string()).optional(),
    }),
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    },
    async handler({ digest }, { fleet, signal }) {
      const d = await fleet.deployment(signal);
      const snap = await fleet.snapshot({}, signal);
      const warnings = snap.warnings;
      const full = await boardRows(snap.agents, fleet.now(), d.url, warnings);
      if (digest && digest === full.digest) {
        return {
          data: { digest, unchanged: true, total: full.total },
          text: `unchanged (${full.total} agents)`,
        };
      }
      return { data: full, text: `${full.total} agents; digest ${full.digest}` };
    },
  }),
  { visibility: ["app"] },
);
