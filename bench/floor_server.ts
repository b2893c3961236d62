/**
 * The floor: a tiny MCP server that does only what no fleet-wide answer can avoid. Its one tool
 * fetches Coder's task and chat lists (in parallel, like the fleet) and `JSON.parse`s them, then
 * answers their sizes, through the same SDK, the same stdio transport and the same client as the
 * real server. The bench runs it beside `coder-fleet-mcp`: the difference is the real server's
 * own work.
 *
 *   CODER_URL=... CODER_SESSION_TOKEN=... deno run --allow-net --allow-env bench/floor_server.ts
 */
import { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";
import { LineStdioTransport } from "../src/transport/stdio.ts";
import { DEFAULT_MAX_BYTES, readCapped } from "../src/coder/body.ts";

/** The floor server's one tool. */
export const FLOOR_TOOL = "floor_lists";

const url = Deno.env.get("CODER_URL") ?? "";
const token = Deno.env.get("CODER_SESSION_TOKEN") ?? "";

/**
 * Fetch and parse one list. The body is read the way the real client reads it (`readCapped`:
 * chunk by chunk, each decoded on arrival), the fastest way found here: `res.text()` decodes the
 * whole body at once and costs about 10 ms more per 1,000 agents, which would flatter the server.
 */
async function list(path: string): Promise<unknown> {
  const res = await fetch(url + path, {
    headers: { "Coder-Session-Token": token, "Accept": "application/json" },
  });
  return JSON.parse(await readCapped(res, DEFAULT_MAX_BYTES));
}

function factory(): McpServer {
  const server = new McpServer({ name: "floor", version: "1.0.0" }, {
    capabilities: { tools: {} },
  });
  server.registerTool(FLOOR_TOOL, {
    description: "Fetch and parse the task and chat lists.",
    inputSchema: z.object({}),
    outputSchema: z.object({ tasks: z.number(), chats: z.number() }),
  }, async () => {
    const [t, c] = await Promise.all([list("/api/v2/tasks"), list("/api/v2/chats")]);
    const tasks = ((t as { tasks?: unknown[] }).tasks ?? []).length;
    const chats = Array.isArray(c) ? c.length : 0;
    return {
      content: [{ type: "text" as const, text: `${tasks} tasks, ${chats} chats` }],
      structuredContent: { tasks, chats },
    };
  });
  return server;
}

if (import.meta.main) {
  const transport = new LineStdioTransport();
  serveStdio(factory, { transport });
  await transport.closed;
}
