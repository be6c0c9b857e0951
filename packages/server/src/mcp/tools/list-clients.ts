import type { McpServer } from "@modelcontextprotocol/server";
import { listClients } from "@blender-mcp/protocol";
import type { SessionContext } from "../context.js";
import { toolResult } from "../result.js";
import { registerToolDef } from "./register.js";

export function registerListClients(server: McpServer, ctx: SessionContext): void {
  registerToolDef(server, listClients, async () => toolResult({ clients: ctx.bus.listClients().map((c) => c.info()) }, false));
}
