/**
 * The Fleet board's MCP Apps plumbing: the `ui://` resource that carries the page, and the tool
 * metadata that links a tool to it, both through the ext-apps server helpers.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import {
  registerAppResource,
  registerAppTool,
  RESOURCE_MIME_TYPE,
} from "@modelcontextprotocol/ext-apps/server";
import { BOARD_HTML } from "./page.ts";

/** The board page's resource URI. */
export const BOARD_URI = "ui://coder-fleet/board.html";

/** The MCP Apps mime type of the page (`text/html;profile=mcp-app`). */
export const BOARD_MIME = RESOURCE_MIME_TYPE;

/** Who may call a tool: the model, the app (the page, through the host), or both. */
export type Visibility = "model" | "app";

/** The MCP Apps part of a tool's `_meta`. */
export interface UiMeta {
  /** The page the host renders with the tool's result. */
  resourceUri?: string;
  /** Who may call the tool (default both). */
  visibility?: Visibility[];
}

/** A tool that carries MCP Apps metadata. */
export interface WithUi {
  ui: UiMeta;
}

/** Attach MCP Apps metadata to a tool definition. */
export function withUi<T extends object>(tool: T, ui: UiMeta): T & WithUi {
  return Object.assign(tool, { ui });
}

/**
 * The tool's `_meta` for tools/list: its own UI metadata; a tool that changes anything is
 * model-only (`visibility: ["model"]`), so no page can call it through a host: the board is
 * read-only, and the human asks the orchestrator to act. Undefined for the other tools.
 */
export function uiMeta(
  tool: { annotations?: { readOnlyHint?: boolean } },
): { ui: UiMeta } | undefined {
  const ui = (tool as Partial<WithUi>).ui;
  if (ui) return { ui };
  if (tool.annotations?.readOnlyHint === false) return { ui: { visibility: ["model"] } };
  return undefined;
}

/** What {@link registerTool} passes on to the SDK (a subset of its tool config). */
export interface ToolConfig {
  [key: string]: unknown;
  _meta?: Record<string, unknown>;
}

/**
 * Register a tool: one with UI metadata goes through ext-apps' `registerAppTool` (which also
 * writes the legacy `ui/resourceUri` key older hosts read); the others as usual.
 */
export function registerTool(
  server: McpServer,
  name: string,
  config: ToolConfig,
  // deno-lint-ignore no-explicit-any
  cb: (...args: any[]) => unknown,
): void {
  const meta = config._meta;
  if (meta && "ui" in meta) {
    // deno-lint-ignore no-explicit-any
    registerAppTool(server, name, config as any, cb as any);
  } else {
    // deno-lint-ignore no-explicit-any
    server.registerTool(name, config as any, cb as any);
  }
}

/**
 * Register the board page as the `ui://coder-fleet/board.html` resource. The page is embedded
 * (no file read at run time) and declares no network origin: the host's sandbox gives it none.
 */
export function registerBoard(server: McpServer): void {
  registerAppResource(server, "Fleet board", BOARD_URI, {
    title: "Fleet board",
    description: "The whole fleet as a live picture: states, who waits on you, every agent.",
    mimeType: RESOURCE_MIME_TYPE,
    _meta: { ui: { csp: {}, prefersBorder: false } },
  }, (uri) => ({
    contents: [{
      uri: uri.href,
      mimeType: RESOURCE_MIME_TYPE,
      text: BOARD_HTML,
      _meta: { ui: { csp: {}, prefersBorder: false } },
    }],
  }));
}
