/** The flat MCP tool of an addon command, as the protocol's registry describes it. */
import type { McpServer } from "@modelcontextprotocol/server";
import type { ToolDef } from "@blender-mcp/protocol";
import type { SessionContext } from "../context.js";
import { dispatchCommand } from "../dispatch.js";
import { outcomeResult } from "./outcome-result.js";
import { registerToolDef } from "./register.js";

export function registerDispatchTool(server: McpServer, ctx: SessionContext, tool: ToolDef): void {
  const command = tool.command!;
  registerToolDef<Record<string, unknown>>(server, tool, async (args, extra) => {
    const { target_uuid, timeout_seconds, ...params } = args as { target_uuid?: string; timeout_seconds: number };
    const progressToken = extra.mcpReq._meta?.progressToken;
    const raw = await dispatchCommand(ctx.bus, {
      command,
      params,
      targetUuid: target_uuid,
      timeoutMs: timeout_seconds * 1000,
      origin: ctx.sessionId,
      sender: ctx.sender(),
      signal: extra.mcpReq.signal,
      onProgress:
        progressToken === undefined
          ? undefined
          : (p) => void extra.mcpReq.notify({ method: "notifications/progress", params: { progressToken, ...p } }).catch(() => {}),
    });
    return outcomeResult(raw);
  });
}
