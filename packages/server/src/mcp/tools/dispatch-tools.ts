/** The flat MCP tool of an addon command, as the protocol's registry describes it. */
import type { CallToolResult, McpServer } from "@modelcontextprotocol/server";
import { IMAGE_FIELDS, imageMimeType, type DispatchOutcome, type ImageField, type ToolDef } from "@blender-mcp/protocol";
import type { SessionContext } from "../context.js";
import { dispatchCommand } from "../dispatch.js";
import { toolResult } from "../result.js";
import { registerToolDef } from "./register.js";

type Content = CallToolResult["content"][number];

/** Image fields of a result (the protocol's IMAGE_FIELDS) travel as MCP image content of their own rather than inside the JSON. */
const CONTENT_FIELDS = Object.fromEntries(
  (Object.keys(IMAGE_FIELDS) as ImageField[]).map((field) => [
    field,
    (value: unknown): Content => ({ type: "image", data: String(value), mimeType: imageMimeType(field, String(value)) }),
  ]),
);

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
      sender: ctx.sender(),
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
