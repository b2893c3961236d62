/** `fleet_board`: `fleet_overview`, plus the live board page for hosts that render MCP Apps. */
import { BOARD_URI, withUi } from "../board/register.ts";
import { defineTool } from "./define.ts";
import { fleetOverview } from "./fleet_overview.ts";

/**
 * The fleet overview with a link to the board page. Same input, output, text and handler as
 * `fleet_overview`, so a client that does not render MCP Apps loses nothing.
 */
export const fleetBoard = withUi(
  defineTool({
    ...fleetOverview,
    name: "fleet_board",
    title: "Fleet board",
    description:
      `Show the human the whole fleet as a live board: state and reason tiles, who waits on you, owners, every agent with its PR, and AI spend.

Call it when the human wants to see or watch the fleet. Clients that render MCP Apps (Claude Desktop, VS Code, Cursor, Goose, ChatGPT) show a live page that refreshes itself; other clients get the same answer as fleet_overview. The board is read-only: the human asks you to act.

Returns exactly what fleet_overview returns: total, by_state, by_waiting_for, by_pr, by_owner, attention (decisions and failures first), spend, back ends and the Coder deployment. One list request per back end, whatever the fleet size.`,
  }),
  { resourceUri: BOARD_URI },
);
