/**
 * `--demo`: an in-process simulated Coder of the current kind (v2.39: Coder Agents chats, a
 * 5-chat licence, the chat watch), so the server can be tried with no Coder and no token. The
 * fleet keeps living for as long as it runs: new work arrives, agents cycle through their states.
 * It says so on stderr.
 */
import { startSim } from "./sim/server.ts";

/** Chats the demo fleet keeps around. */
const DEMO_CHATS = 1100;

/** Start the demo deployment. */
export async function startDemo(): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const sim = await startSim({ profile: "current", chats: DEMO_CHATS, pace: 1, seed: 7 });
  sim.churn(4_000, DEMO_CHATS);
  console.error(
    `coder-fleet-mcp: DEMO MODE: a simulated Coder v2.39 (${sim.url}) with ${DEMO_CHATS} ` +
      `simulated Coder Agents chats (a few archived; at most 5 run at once, as on a Community ` +
      `licence) as user "${sim.username}"; new work keeps arriving. Nothing here touches a real Coder.`,
  );
  return { url: sim.url, token: sim.token, close: () => sim.close() };
}
