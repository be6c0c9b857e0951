/**
 * The protocol's prompts (packages/protocol/src/prompts.ts) on an MCP
 * server: those the session's toolsets can carry out, with completions for
 * the arguments that name a Blender, an engine or an asset source.
 */
import { completable, McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { PROMPTS, PromptError, completePromptArgument, promptAvailable, renderPrompt, type PromptDef, type ToolDef } from "@blender-mcp/protocol";
import { z } from "zod";
import type { UserBus } from "../bus/user-bus.js";
import { completionContext, type SessionContext } from "./context.js";

/**
 * MCP prompt arguments are strings. The SDK marks a completable schema in
 * place, and completions come from the caller's bus: so a schema is made
 * once per bus and prompt, and every server of that user (a 2026-07-28
 * request gets a fresh one) shares it rather than building it again.
 */
const schemasByBus = new WeakMap<UserBus, Map<string, z.ZodObject>>();

function argsSchema(prompt: PromptDef, bus: UserBus) {
  let schemas = schemasByBus.get(bus);
  if (schemas === undefined) schemasByBus.set(bus, (schemas = new Map()));
  const known = schemas.get(prompt.name);
  if (known !== undefined) return known;
  const shape: Record<string, z.ZodType<string | undefined>> = {};
  for (const arg of prompt.arguments) {
    const text = z.string().describe(arg.description);
    const completes = (prompt.completions as Record<string, unknown>)[arg.name] !== undefined;
    // The SDK looks for the completer inside .optional(), and describe() makes a new schema: mark last, wrap after.
    const marked = completes ? completable(text, (typed: string | undefined) => completePromptArgument(prompt.name, arg.name, typed ?? "", completionContext({ bus })).values) : text;
    shape[arg.name] = arg.required ? marked : marked.optional().describe(arg.description);
  }
  const schema = z.object(shape);
  schemas.set(prompt.name, schema);
  return schema;
}

export function registerPrompts(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[]): void {
  const toolsets = new Set(tools.map((t) => t.toolset));
  for (const prompt of PROMPTS.filter((p) => promptAvailable(p, toolsets))) {
    server.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description, argsSchema: argsSchema(prompt, ctx.bus) }, (args) => {
      try {
        return renderPrompt(prompt.name, args as Record<string, string | undefined>);
      } catch (error) {
        if (error instanceof PromptError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
        throw error;
      }
    });
  }
}
