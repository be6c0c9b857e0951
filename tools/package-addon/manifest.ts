import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { ADDON_PACKAGE } from "../paths.js";

/** The Blender 4.2+ extension manifest; the legacy form carries the same facts in bl_info. */
export function renderManifest(): string {
  return `schema_version = "1.0.0"
id = "${ADDON_PACKAGE}"
version = "${PACKAGE_VERSION}"
name = "MCP Bus"
tagline = "Let MCP clients such as Claude drive Blender"
maintainer = "Blender MCP bus developers"
type = "add-on"
blender_version_min = "4.2.0"
license = ["SPDX:GPL-3.0-or-later"]

[permissions]
network = "Connects to the MCP bus server to receive jobs"
files = "Writes viewport screenshots where a job asks"
`;
}
