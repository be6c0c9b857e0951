/** The flat MCP tool of an addon command, as the protocol's registry describes it. */
import type { McpServer } from "@modelcontextprotocol/server";
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { DispatchOutcome, ToolDef } from "@blender-mcp/protocol";
import type { SessionContext } from "../context.js";
import { dispatchCommand } from "../dispatch.js";
import { toolResult } from "../result.js";
import { registerToolDef } from "./register.js";

type Content = CallToolResult["content"][number];

/**
 * Result fields that travel as MCP content of their own rather than inside
 * the JSON (the protocol's omitFromToolResult names them).
 */
const CONTENT_FIELDS: Record<string, (value: unknown) => Content> = {
  png_base64: (data) => ({ type: "image", data: String(data), mimeType: "image/png" }),
  // Provider thumbnails come as JPEG or PNG: the first base64 characters tell which.
  thumbnail_base64: (data) => ({
    type: "image",
    data: String(data),
    mimeType: String(data).startsWith("/9j/") ? "image/jpeg" : "image/png",
  }),
};

function splitContent(outcome: DispatchOutcome): { outcome: DispatchOutcome; content: Content[] } {
  if (outcome.result === null || typeof outcome.result !== "object") return { outcome, content: [] };
  const result = { ...(outcome.result as Record<string, unknown>) };
  const content: Content[] = [];
  for (const [field, toContent] of Object.entries(CONTENT_FIELDS)) {
    if (field in result) {
      content.push(toContent(result[field]));
      delete result[field];
    }
  }
  return { outcome: { ...outcome, result }, content };
}

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
      signal: extra.mcpReq.signal,
      onProgress:
        progressToken === undefined
          ? undefined
          : (p) => void extra.mcpReq.notify({ method: "notifications/progress", params: { progressToken, ...p } }).catch(() => {}),
    });
    const { outcome, content } = splitContent(raw);
    return toolResult(outcome as unknown as Record<string, unknown>, outcome.status !== "completed", content);
  });
}
