import { z } from "zod";
import { BACKPLANE_MESSAGES, COMMAND_LIST, MESSAGES, TOOLS, toolListing, type CommandDef } from "@blender-mcp/protocol";
import { SCHEMA_DIR } from "../paths.js";

/**
 * "input" is what a validator accepts (defaults optional); "output" is what a
 * producer emits (defaults filled in). Messages and tool inputs are read by
 * someone, results are produced.
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "draft-07", io }) as Record<string, unknown>;
}

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Every message (addon and backplane), every command's params and result, every tool's input and output. */
export function renderJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [type, schema] of Object.entries(MESSAGES)) {
    files.set(`${SCHEMA_DIR}/messages/${type}.json`, renderJson(toJsonSchema(schema, "input")));
  }
  for (const command of COMMAND_LIST as readonly CommandDef[]) {
    files.set(`${SCHEMA_DIR}/commands/${command.name}.params.json`, renderJson(toJsonSchema(command.params, "input")));
    files.set(`${SCHEMA_DIR}/commands/${command.name}.result.json`, renderJson(toJsonSchema(command.result, "output")));
  }
  // Between server processes over Redis: read (and validated) by the receiver.
  for (const [name, schema] of Object.entries(BACKPLANE_MESSAGES)) {
    files.set(`${SCHEMA_DIR}/backplane/${name}.json`, renderJson(toJsonSchema(schema, "input")));
  }
  // Exactly what tools/list advertises.
  for (const tool of TOOLS) {
    const listing = toolListing(tool);
    files.set(`${SCHEMA_DIR}/tools/${tool.name}.input.json`, renderJson(listing.inputSchema));
    files.set(`${SCHEMA_DIR}/tools/${tool.name}.output.json`, renderJson(listing.outputSchema));
  }
  return files;
}
