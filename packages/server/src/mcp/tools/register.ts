import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { ToolDef } from "@blender-mcp/protocol";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Registers a tool exactly as the protocol's registry describes it; the SDK has validated args by the time handle runs. */
export function registerToolDef<Args>(
  server: McpServer,
  tool: ToolDef,
  handle: (args: Args, extra: ToolExtra) => Promise<CallToolResult>,
): void {
  server.registerTool(
    tool.name,
    { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: tool.annotations },
    (args: Record<string, unknown>, extra: ToolExtra) => handle(args as Args, extra),
  );
}
