import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { ADDON_PACKAGE } from "../paths.js";

/**
 * The Blender 4.2+ extension manifest's fields, in the order Blender writes
 * them (the repository index repeats them); the legacy form carries the
 * same facts in bl_info. Permissions name what the add-on really does, as
 * the Extensions platform asks; each reason is a short phrase without a
 * final period, which `blender -c extension validate` checks.
 */
export const MANIFEST = {
  schema_version: "1.0.0",
  id: ADDON_PACKAGE,
  version: PACKAGE_VERSION,
  name: "MCP Bus",
  tagline: "Let MCP clients such as Claude drive Blender",
  maintainer: "Blender MCP bus developers",
  type: "add-on",
  blender_version_min: "4.2.0",
  license: ["SPDX:GPL-3.0-or-later"],
  permissions: {
    network: "Jobs from the MCP bus server; Poly Haven, Sketchfab, Hyper3D",
    files: "Save, open, import, export, renders, screenshots, downloads",
  },
} as const;

const tomlValue = (value: string | readonly string[]) => (typeof value === "string" ? JSON.stringify(value) : `[${value.map((v) => JSON.stringify(v)).join(", ")}]`);

export function renderManifest(): string {
  const { permissions, ...top } = MANIFEST;
  const lines = Object.entries(top).map(([key, value]) => `${key} = ${tomlValue(value)}`);
  const permissionLines = Object.entries(permissions).map(([key, value]) => `${key} = ${tomlValue(value)}`);
  return `${lines.join("\n")}\n\n[permissions]\n${permissionLines.join("\n")}\n`;
}
