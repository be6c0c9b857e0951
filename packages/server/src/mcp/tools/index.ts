import type { ListToolsResult, McpServer } from "@modelcontextprotocol/server";
import { getJob, jobUpdate, listClients, sendMessage, toolListing, type ToolDef } from "@blender-mcp/protocol";
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

export function registerTools(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[]): void {
  for (const tool of tools) {
    if (tool.command !== null) registerDispatchTool(server, ctx, tool);
    else BUS_HANDLERS[tool.name]!(server, ctx);
  }
  // The SDK would convert every schema again on every tools/list; the protocol's listings are computed once.
  const listing = { tools: tools.map(toolListing) } as unknown as ListToolsResult;
  server.server.setRequestHandler("tools/list", () => listing);
}
