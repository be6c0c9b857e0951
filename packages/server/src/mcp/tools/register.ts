import type { CallToolResult, McpServer, ServerContext } from "@modelcontextprotocol/server";
import { toolListing, type ToolDef } from "@blender-mcp/protocol";

export type ToolExtra = ServerContext;

/** Registers a tool exactly as the protocol's registry describes it; the SDK has validated args by the time handle runs. */
export function registerToolDef<Args>(
  server: McpServer,
  tool: ToolDef,
  handle: (args: Args, extra: ToolExtra) => Promise<CallToolResult>,
): void {
  const registered = server.registerTool(
    tool.name,
    { title: tool.title, description: tool.description, inputSchema: tool.input, outputSchema: tool.output, annotations: tool.annotations },
    (args: Record<string, unknown>, extra: ToolExtra) => handle(args as Args, extra),
  );
  // The SDK converts the output schema to JSON Schema on a server's first tools/call of the tool (to shape the
  // result as advertised); a 2026-07-28 request has a fresh server, so that would be every call. The protocol's
  // listing, which tools/list advertises, is that same JSON, converted once.
  registered.outputSchemaJson = toolListing(tool).outputSchema as Record<string, unknown>;
}
