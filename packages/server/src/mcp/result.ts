import type { CallToolResult } from "@modelcontextprotocol/server";

type Content = CallToolResult["content"][number];

/** Structured tools return structuredContent and the same JSON as text, for clients that read only text. */
export function toolResult(structured: Record<string, unknown>, isError: boolean, extra: Content[] = []): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(structured) }, ...extra],
    structuredContent: structured,
    ...(isError ? { isError: true } : {}),
  };
}
