import type { ListToolsResult, McpServer } from "@modelcontextprotocol/server";
import { getJob, jobUpdate, listClients, sendMessage, toolListing, type ToolDef } from "@blender-mcp/protocol";
import { clientRendersApps, withViewerLink } from "../app/index.js";
import type { SessionContext } from "../context.js";
import { registerDispatchTool } from "./dispatch-tools.js";
import { registerGetJob } from "./get-job.js";
import { registerJobUpdate } from "./job-update.js";
import { registerListClients } from "./list-clients.js";
import { registerSendMessage } from "./send-message.js";

/** The bus tools' handlers; every other tool dispatches its command. */
const BUS_HANDLERS: Record<string, (server: McpServer, ctx: SessionContext) => void> = {
  [listClients.name]: registerListClients,
  [sendMessage.name]: registerSendMessage,
  [getJob.name]: registerGetJob,
  [jobUpdate.name]: registerJobUpdate,
};

const listings = new WeakMap<readonly ToolDef[], { listing: ListToolsResult; withApp: ListToolsResult }>();

/** The SDK would convert every schema again on every tools/list; the protocol's listings are computed once per tool choice. */
function listingsOf(tools: readonly ToolDef[]) {
  let known = listings.get(tools);
  if (known === undefined) {
    known = {
      listing: { tools: tools.map(toolListing) } as unknown as ListToolsResult,
      // Only a client that renders MCP Apps is told of the viewer: the link would cost every other conversation tokens.
      withApp: { tools: tools.map((t) => withViewerLink(toolListing(t))) } as unknown as ListToolsResult,
    };
    listings.set(tools, known);
  }
  return known;
}

export function registerTools(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[]): void {
  for (const tool of tools) {
    if (tool.command !== null) registerDispatchTool(server, ctx, tool);
    else BUS_HANDLERS[tool.name]!(server, ctx);
  }
  const { listing, withApp } = listingsOf(tools);
  server.server.setRequestHandler("tools/list", () => (clientRendersApps(server) ? withApp : listing));
  seedInputSchemas(server, tools);
}

/**
 * The SDK's HTTP entry converts a tool's input schema to JSON Schema before each 2026-07-28 tools/call
 * (to check Mcp-Param headers), caching it on the instance; a modern request gets a fresh instance, so
 * it would convert on every call. The protocol's listing holds the same JSON, computed once: hand it over.
 * (An internal cache of the SDK: if it goes, the SDK converts again, slower but the same.)
 */
function seedInputSchemas(server: McpServer, tools: readonly ToolDef[]): void {
  const cache = (server as unknown as { _toolInputSchemaJson?: Record<string, unknown> })._toolInputSchemaJson;
  if (cache === undefined || typeof cache !== "object") return;
  for (const tool of tools) cache[tool.name] = toolListing(tool).inputSchema;
}
