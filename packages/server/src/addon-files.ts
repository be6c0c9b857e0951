/**
 * The add-on zips this server ships: under addon/ in the published package,
 * under the repository's dist/ in a clone (where `pnpm build` writes them).
 * install-addon and the extension repository (/extensions) hand them out.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";

export const ADDON_MODULE = "blender_mcp_bus";
export const LEGACY_ZIP = `${ADDON_MODULE}-${PACKAGE_VERSION}.zip`;
export const EXTENSION_ZIP = `${ADDON_MODULE}-${PACKAGE_VERSION}-extension.zip`;
/** The extension repository's index.json for EXTENSION_ZIP (tools/package-addon/repository.ts writes it). */
export const EXTENSIONS_INDEX = "extensions-index.json";

const PACKAGE_ROOT = join(import.meta.dirname, "..");
const PLACES = [join(PACKAGE_ROOT, "addon"), join(PACKAGE_ROOT, "..", "..", "dist")];

/** The folder holding both zips, or null (a clone that was not built). */
export function addonZipDir(): string | null {
  return PLACES.find((dir) => existsSync(join(dir, EXTENSION_ZIP)) && existsSync(join(dir, LEGACY_ZIP))) ?? null;
}

export function addonZipMissing(): string {
  return `the add-on zips (${LEGACY_ZIP}, ${EXTENSION_ZIP}) are in none of ${PLACES.join(", ")}; in a clone, run pnpm build`;
}
