/**
 * The MCP App (SEP-1865, the `io.modelcontextprotocol/ui` extension): one
 * `ui://` view that a host renders beside the image tools' results. Only
 * clients that declare the extension see the tools' link to it: every other
 * client pays no tokens for it and gets the plain image content as before.
 */
import type { McpServer } from "@modelcontextprotocol/server";
import { VIEWER_URI, getViewportScreenshot, getViews, renderStill, type ToolListing } from "@blender-mcp/protocol";
import { VIEWER_HTML } from "./viewer-html.js";

export const APPS_EXTENSION = "io.modelcontextprotocol/ui";
export const APP_MIME_TYPE = "text/html;profile=mcp-app";

/** The tools whose results the viewer shows. */
const VIEWER_TOOLS: ReadonlySet<string> = new Set([getViewportScreenshot.tool.name, getViews.tool.name, renderStill.tool.name]);

/** Whether the client said it renders MCP Apps (in initialize, or per request in 2026-07-28; the SDK backfills both). */
export function clientRendersApps(server: McpServer): boolean {
  const ui = server.server.getClientCapabilities()?.extensions?.[APPS_EXTENSION] as { mimeTypes?: unknown } | undefined;
  if (ui === undefined || ui === null) return false;
  return !Array.isArray(ui.mimeTypes) || ui.mimeTypes.includes(APP_MIME_TYPE);
}

/** A tool's listing with the link to the viewer, for the tools it shows. */
export function withViewerLink(listing: ToolListing): ToolListing {
  return VIEWER_TOOLS.has(listing.name) ? ({ ...listing, _meta: { ui: { resourceUri: VIEWER_URI } } } as ToolListing) : listing;
}

export function registerViewer(server: McpServer): void {
  server.registerResource(
    "viewer",
    VIEWER_URI,
    {
      title: "Blender viewer",
      description: "An MCP App view of a screenshot, views grid or render, with the scene's objects: refresh, orbit, render from a camera.",
      mimeType: APP_MIME_TYPE,
    },
    async (url) => ({
      // Everything is inline and the images are data: URLs, so the view needs no network (no csp domains).
      contents: [{ uri: url.href, mimeType: APP_MIME_TYPE, text: VIEWER_HTML, _meta: { ui: { prefersBorder: true } } }],
    }),
  );
}
