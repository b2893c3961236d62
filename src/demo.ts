/**
 * `--demo`: an in-process simulated Coder with about 1000 agents (tasks and chats), so the server
 * can be tried with no Coder and no token. It says so on stderr.
 */
import { startSim } from "./sim/server.ts";

/** Start the demo deployment. */
export async function startDemo(): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const sim = await startSim({ profile: "both", tasks: 600, chats: 400, pace: 1, seed: 7 });
  console.error(
    `coder-fleet-mcp: DEMO MODE: a simulated Coder (${sim.url}) with 1000 simulated agents ` +
      `(600 tasks, 400 chats, a few archived) as user "${sim.username}". Nothing here touches a real Coder.`,
  );
  return { url: sim.url, token: sim.token, close: () => sim.close() };
}
