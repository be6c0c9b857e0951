/** The MCP Registry entry (server.json) of the npm package, against the registry's 2025-12-11 schema. */
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { DESCRIPTION, MCP_NAME, NPM_NAME, REPOSITORY_URL } from "./identity.js";

/** Vendored byte for byte from the registry's internal/validators/schemas/2025-12-11.json (see vendor/README.md). */
export const SERVER_SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";

export function serverJson(): Record<string, unknown> {
  return {
    $schema: SERVER_SCHEMA_URL,
    name: MCP_NAME,
    title: "Blender MCP bus",
    description: DESCRIPTION,
    version: PACKAGE_VERSION,
    repository: { url: REPOSITORY_URL, source: "github" },
    packages: [
      {
        registryType: "npm",
        identifier: NPM_NAME,
        version: PACKAGE_VERSION,
        runtimeHint: "npx",
        transport: { type: "stdio" },
        packageArguments: [{ type: "positional", value: "stdio" }],
        environmentVariables: [
          {
            name: "BLENDER_MCP_PORT",
            description: "Port of the hub that Blender's add-on connects to (default 9860)",
            format: "number",
            isRequired: false,
          },
          {
            name: "BLENDER_MCP_TOOLSETS",
            description: "Tool groups to advertise: core (default), all, or a comma-separated list",
            isRequired: false,
          },
        ],
      },
    ],
  };
}
