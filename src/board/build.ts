/**
 * Embeds the hand-written board page (board.html) as a TS string module (page.ts), so the bundle
 * and a compiled binary carry it with no file read at run time. Run after editing board.html:
 * `deno task board`. tests/board/page_test.ts fails while page.ts is out of date.
 */

/** The page.ts source for the given HTML. */
export function pageModule(html: string): string {
  return `// Generated from board.html by \`deno task board\` (src/board/build.ts). Do not edit.
/** The Fleet board page (MCP Apps view, text/html;profile=mcp-app). */
export const BOARD_HTML: string = ${JSON.stringify(html)};
`;
}

if (import.meta.main) {
  const dir = new URL(".", import.meta.url);
  const html = await Deno.readTextFile(new URL("board.html", dir));
  await Deno.writeTextFile(new URL("page.ts", dir), pageModule(html));
  console.log(`page.ts: ${new TextEncoder().encode(html).length} bytes of HTML embedded`);
}
