/** The tool catalog: every tool of DESIGN.md, in the order clients show them. */
import { createTask } from "./create_task.ts";
import type { Tool } from "./define.ts";
import { deleteAgents } from "./delete_agents.ts";
import { fleetBoard } from "./fleet_board.ts";
import { fleetBoardRows } from "./fleet_board_rows.ts";
import { fleetOverview } from "./fleet_overview.ts";
import { getAgent } from "./get_agent.ts";
import { getLogs } from "./get_logs.ts";
import { listAgents } from "./list_agents.ts";
import { listTemplates } from "./list_templates.ts";
import { resumeAgents } from "./resume_agents.ts";
import { sendInputTool } from "./send_input.ts";
import { stopAgents } from "./stop_agents.ts";
import { waitForAgentsTool } from "./wait_for_agents.ts";

/** All tools. */
export const TOOLS: readonly Tool[] = [
  fleetOverview,
  listAgents,
  getAgent,
  getLogs,
  listTemplates,
  createTask,
  sendInputTool,
  waitForAgentsTool,
  stopAgents,
  resumeAgents,
  deleteAgents,
  fleetBoard,
  fleetBoardRows,
] as unknown as Tool[];

/** The tools to register: read-only mode keeps those annotated read-only; an allowlist narrows. */
export function selectTools(opts: { readOnly?: boolean; allow?: string[] }): Tool[] {
  const unknown = (opts.allow ?? []).filter((n) => !TOOLS.some((t) => t.name === n));
  if (unknown.length) {
    throw new Error(
      `CODER_FLEET_TOOLS names unknown tools: ${unknown.join(", ")} (known: ${
        TOOLS.map((t) => t.name).join(", ")
      })`,
    );
  }
  return TOOLS.filter((t) =>
    (!opts.readOnly || t.annotations.readOnlyHint) &&
    (!opts.allow || opts.allow.includes(t.name))
  );
}
