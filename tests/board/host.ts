/// <reference lib="dom" />
/**
 * A minimal MCP Apps host for the browser test, bundled for the browser (`deno bundle
 * --platform=browser`). Like a real host it connects to the server (over HTTP, through the test
 * server's same-origin /mcp proxy), reads the board's ui:// resource, renders it in a sandboxed
 * iframe served with a no-network CSP, and bridges the page with ext-apps' AppBridge: the page's
 * tool calls go to the server only when the tool's visibility includes "app".
 *
 * With `?fixture=1` it talks to no server: the page, fleet_board's result and the answers of
 * fleet_board_rows, get_agent and get_logs come from /fixture.json (tests/board/fleet_fixture.ts),
 * so the page can be shown facts the simulator does not serve.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  AppBridge,
  getToolUiResourceUri,
  PostMessageTransport,
} from "@modelcontextprotocol/ext-apps/app-bridge";

/** What the test reads back from the host page. */
interface HostState {
  ready: boolean;
  error?: string;
  /** Every tool call the page made, and whether the host let it through. */
  calls: { name: string; allowed: boolean }[];
  mimeType?: string;
  resourceUri?: string;
  protocol?: string;
}

const state: HostState = { ready: false, calls: [] };
(globalThis as unknown as { host: HostState }).host = state;

// deno-lint-ignore no-explicit-any
type Any = any;

/** Where the host gets the page and its answers: a live server, or a fixture. */
interface Source {
  html: string;
  /** Answer a tool call of the page (throws when the page may not call it). */
  call(p: { name: string; arguments?: Record<string, unknown> }): Promise<Any>;
  /** fleet_board's result, for the page. */
  board(): Promise<Any>;
}

async function live(era: string): Promise<Source> {
  const client = new Client(
    { name: "board-test-host", version: "1" },
    era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {},
  );
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", location.href)));
  state.protocol = era;
  const tools = (await client.listTools()).tools;
  const board = tools.find((t) => t.name === "fleet_board");
  if (!board) throw new Error("no fleet_board tool");
  const uri = getToolUiResourceUri(board);
  if (!uri) throw new Error("fleet_board has no ui resourceUri");
  state.resourceUri = uri;
  const res = await client.readResource({ uri });
  const content = res.contents[0] as { text?: string; mimeType?: string };
  state.mimeType = content.mimeType;
  if (!content.text) throw new Error("empty board resource");
  const visible = (name: string) => {
    const t = tools.find((x) => x.name === name);
    const vis = (t?._meta?.ui as { visibility?: string[] } | undefined)?.visibility;
    return Boolean(t) && (!vis || vis.includes("app"));
  };
  return {
    html: content.text,
    async call(p) {
      const allowed = visible(p.name);
      state.calls.push({ name: p.name, allowed });
      if (!allowed) throw new Error(`tool ${p.name} is not available to apps`);
      return await client.callTool(p);
    },
    board: () => client.callTool({ name: "fleet_board", arguments: {} }),
  };
}

/** The fixture's answers, shaped as the server's (structuredContent and a short text). */
async function fixture(): Promise<Source> {
  const fx = await (await fetch("/fixture.json")).json();
  const answer = (data: unknown, text: string) => ({
    content: [{ type: "text", text }],
    structuredContent: data,
  });
  return {
    html: fx.html,
    call(p) {
      const args = p.arguments ?? {};
      const allowed = ["fleet_board_rows", "get_agent", "get_logs"].includes(p.name);
      state.calls.push({ name: p.name, allowed });
      if (!allowed) return Promise.reject(new Error(`tool ${p.name} is not available to apps`));
      if (p.name === "fleet_board_rows") {
        const rows = fx.rows;
        return Promise.resolve(
          args.digest === rows.digest
            ? answer({ digest: rows.digest, unchanged: true, total: rows.total }, "unchanged")
            : answer(rows, `${rows.total} agents`),
        );
      }
      const a = fx.agents[String(args.agent)];
      if (!a) {
        return Promise.resolve({
          isError: true,
          content: [{ type: "text", text: "no such agent" }],
        });
      }
      if (p.name === "get_agent") return Promise.resolve(answer({ agent: a, recent: [] }, a.name));
      const messages = [
        { id: 1, role: "user", time: a.created_at, text: a.prompt ?? "" },
        { id: 2, role: "assistant", time: a.state_since, text: a.message },
      ];
      return Promise.resolve(answer({ messages, snapshot: false, truncated: false }, ""));
    },
    board: () => Promise.resolve(answer(fx.overview, `${fx.overview.total} agents`)),
  };
}

async function main() {
  const params = new URLSearchParams(location.search);
  const era = params.get("era") ?? "modern";
  const theme = params.get("theme") === "dark" ? "dark" : "light";
  const source = params.get("fixture") === "1" ? await fixture() : await live(era);
  // The host gives the page its own document, served with the CSP the resource asks for (none).
  await fetch("/frame", { method: "PUT", body: source.html });

  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.title = "Fleet board";
  frame.style.cssText = "width:100%;height:1400px;border:0";
  document.body.append(frame);

  const bridge = new AppBridge(
    null,
    { name: "board-test-host", version: "1" },
    { serverTools: {}, openLinks: {} },
    { hostContext: { theme, displayMode: "inline", platform: "web" } },
  );
  bridge.oncalltool = (p) => source.call(p);
  bridge.onopenlink = () => Promise.resolve({});
  bridge.oninitialized = async () => {
    const args = {};
    await bridge.sendToolInput({ arguments: args });
    await bridge.sendToolResult(await source.board());
    state.ready = true;
  };
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  (globalThis as unknown as { teardown(): Promise<unknown> }).teardown = () =>
    bridge.teardownResource({});
  frame.src = "/frame";
}

main().catch((err) => {
  state.error = String(err?.stack ?? err);
});
