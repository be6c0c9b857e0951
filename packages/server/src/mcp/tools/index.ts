import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { SessionContext } from "../context.js";
import { registerDispatchTools } from "./dispatch-tools.js";
import { registerGetJob } from "./get-job.js";
import { registerJobUpdate } from "./job-update.js";
import { registerListClients } from "./list-clients.js";
import { registerSendMessage } from "./send-message.js";

export function registerTools(server: McpServer, ctx: SessionContext): void {
  registerListClients(server, ctx);
  registerDispatchTools(server, ctx);
  registerSendMessage(server, ctx);
  registerGetJob(server, ctx);
  registerJobUpdate(server, ctx);
}
