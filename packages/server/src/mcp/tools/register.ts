import type { CallToolResult, McpServer, ServerContext } from "@modelcontextprotocol/server";
import type { ToolDef } from "@blender-mcp/protocol";

export type ToolExtra = ServerContext;

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
