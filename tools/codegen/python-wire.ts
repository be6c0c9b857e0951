/**
 * generated/wire.py: the wire facts the addon checks or uses that the
 * dataclasses cannot carry (quicktype drops patterns and length caps), read
 * from the Zod schemas so the addon never copies them by hand.
 */
import { CLOSE, CommandName, Hello, JobId } from "@blender-mcp/protocol";
import type { z } from "zod";
import { toJsonSchema } from "./json-schema.js";

type Schema = { pattern?: string; maxLength?: number; properties?: Record<string, Schema> };

function pattern(schema: z.ZodType): string {
  const found = (toJsonSchema(schema, "output") as Schema).pattern;
  if (!found || found.includes('"') || found.endsWith("\\")) throw new Error(`no pattern a Python raw string can hold: ${found}`);
  return found;
}

/** Every length cap of an object's string fields, in field order. */
function caps(schema: z.ZodType): [string, number][] {
  const properties = (toJsonSchema(schema, "output") as Schema).properties ?? {};
  return Object.entries(properties).flatMap(([field, s]) => (s.maxLength === undefined ? [] : [[field, s.maxLength] as [string, number]]));
}

const constant = (camel: string) => camel.replace(/([A-Z])/g, "_$1").toUpperCase();
const pyDict = (entries: [string, number][]) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(", ")}}`;

export function renderWire(banner: string): string {
  return [
    banner.trimEnd(),
    '"""Wire facts from packages/protocol: id and command-name patterns, length caps, close codes."""',
    "import re",
    "",
    "# A job_id or client uuid (JobId, ClientUuid).",
    `ID_PATTERN = re.compile(r"${pattern(JobId)}")`,
    "# A command name (CommandName).",
    `COMMAND_NAME_PATTERN = re.compile(r"${pattern(CommandName)}")`,
    "",
    "# Longest value, in characters, of each capped string field of a hello.",
    `HELLO_MAX_LENGTHS = ${pyDict(caps(Hello))}`,
    "",
    "# Close codes the server sends on the addon socket (CLOSE).",
    ...Object.entries(CLOSE).map(([name, code]) => `CLOSE_${constant(name)} = ${code}`),
    "",
  ].join("\n");
}
