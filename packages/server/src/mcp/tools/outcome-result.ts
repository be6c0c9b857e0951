/** A dispatch tool's CallToolResult for a job's outcome: what the tool call returns, and what its task's result is. */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { IMAGE_FIELDS, imageMimeType, type DispatchOutcome, type ImageField } from "@blender-mcp/protocol";
import { toolResult } from "../result.js";

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

export function outcomeResult(raw: DispatchOutcome): CallToolResult {
  const { outcome, content } = splitContent(raw);
  return toolResult(outcome as unknown as Record<string, unknown>, outcome.status !== "completed", content);
}
