/// <reference lib="dom" />
/**
 * A minimal MCP Apps host for the browser test, bundled for the browser (`deno bundle
 * --platform=browser`). Like a real host it connects to the server (over HTTP, through the test
 * server's same-origin /mcp proxy), reads the board's ui:// resource, renders it in a sandboxed
 * iframe served with a no-network CSP, and bridges the page with ext-apps' AppBridge: the page's
 * tool calls go to the server only when the tool's visibility includes "app".
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

async function main() {
  const params = new URLSearchParams(location.search);
  const era = params.get("era") ?? "modern";
  const theme = params.get("theme") === "dark" ? "dark" : "light";
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
  // The host gives the page its own document, served with the CSP the resource asks for (none).
  await fetch("/frame", { method: "PUT", body: content.text });

  const frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.title = "Fleet board";
  frame.style.cssText = "width:100%;height:1400px;border:0";
  document.body.append(frame);

  const visible = (name: string) => {
    const t = tools.find((x) => x.name === name);
    const vis = (t?._meta?.ui as { visibility?: string[] } | undefined)?.visibility;
    return Boolean(t) && (!vis || vis.includes("app"));
  };
  const bridge = new AppBridge(
    null,
    { name: "board-test-host", version: "1" },
    { serverTools: {}, openLinks: {} },
    { hostContext: { theme, displayMode: "inline", platform: "web" } },
  );
  bridge.oncalltool = async (p) => {
    const allowed = visible(p.name);
    state.calls.push({ name: p.name, allowed });
    if (!allowed) throw new Error(`tool ${p.name} is not available to apps`);
    // deno-lint-ignore no-explicit-any
    return await client.callTool(p) as any;
  };
  bridge.onopenlink = () => Promise.resolve({});
  bridge.oninitialized = async () => {
    const args = {};
    await bridge.sendToolInput({ arguments: args });
    // deno-lint-ignore no-explicit-any
    const result = await client.callTool({ name: "fleet_board", arguments: args }) as any;
    await bridge.sendToolResult(result);
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
