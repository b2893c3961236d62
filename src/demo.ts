/**
 * `--demo`: an in-process simulated Coder of the current kind (v2.39: Coder Agents chats, a
 * 5-chat licence, the chat watch), so the server can be tried with no Coder and no token. It
 * shows what a real v2.39 user sees: the caller's own chats, some of other users' shared with
 * it (the rest of theirs it never sees), the licence's queue, and pull requests on a share of
 * the chats. The fleet keeps living for as long as it runs: new work arrives, agents cycle
 * through their states, pull requests open and merge. It says so on stderr.
 */
import { startSim } from "./sim/server.ts";

/**
 * Chats the demo deployment holds, every user's: about half are the caller's, and some of the
 * others' are shared with it, so that the caller sees about 1000 (archived ones aside).
 */
const DEMO_CHATS = 1950;

/** Start the demo deployment. */
export async function startDemo(): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const sim = await startSim({ profile: "current", chats: DEMO_CHATS, pace: 1, seed: 7 });
  sim.churn(4_000, DEMO_CHATS);
  const shared = sim.chatIds("shared").length;
  console.error(
    `coder-fleet-mcp: DEMO MODE: a simulated Coder v2.39 (${sim.url}) as user ` +
      `"${sim.username}", who sees ${sim.chatIds().length} simulated Coder Agents chats: its own, ` +
      `and ${shared} of other users' shared with it (a few archived; at most 5 run at once ` +
      `deployment-wide, as on a Community licence; some have pull requests); new work keeps ` +
      `arriving. Nothing here touches a real Coder.`,
  );
  return { url: sim.url, token: sim.token, close: () => sim.close() };
}
