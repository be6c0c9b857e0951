/**
 * The protocol's prompts (packages/protocol/src/prompts.ts) on an MCP
 * server: those the session's toolsets can carry out, with completions for
 * the arguments that name a Blender, an engine or an asset source.
 */
import { completable, McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { PROMPTS, PromptError, completePromptArgument, promptAvailable, renderPrompt, type PromptDef, type ToolDef } from "@blender-mcp/protocol";
import { z } from "zod";
import { completionContext, type SessionContext } from "./context.js";

/**
 * MCP prompt arguments are strings. Fresh schemas per server: the SDK marks
 * a completable schema in place, and each session completes from its own bus.
 */
function argsSchema(prompt: PromptDef, ctx: SessionContext) {
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const arg of prompt.arguments) {
    const text = z.string().describe(arg.description);
    const completes = (prompt.completions as Record<string, unknown>)[arg.name] !== undefined;
    // The SDK looks for the completer inside .optional(), and describe() makes a new schema: mark last, wrap after.
    const marked = completes ? completable(text, (typed: string | undefined) => completePromptArgument(prompt.name, arg.name, typed ?? "", completionContext(ctx)).values) : text;
    shape[arg.name] = arg.required ? marked : marked.optional().describe(arg.description);
  }
  return z.object(shape);
}

export function registerPrompts(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[]): void {
  const toolsets = new Set(tools.map((t) => t.toolset));
  for (const prompt of PROMPTS.filter((p) => promptAvailable(p, toolsets))) {
    server.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description, argsSchema: argsSchema(prompt, ctx) }, (args) => {
      try {
        return renderPrompt(prompt.name, args as Record<string, string | undefined>);
      } catch (error) {
        if (error instanceof PromptError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
        throw error;
      }
    });
  }
}
