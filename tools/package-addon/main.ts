/**
 * Builds both installable forms of the addon into dist/:
 * - blender_mcp_bus-<version>.zip: a legacy addon (bl_info), Blender 3.0+,
 *   installed with Preferences > Add-ons > Install;
 * - blender_mcp_bus-<version>-extension.zip: a Blender 4.2+ extension
 *   (blender_manifest.toml at the root), installed from disk or from the
 *   server's extension repository, whose index is extensions-index.json.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { ADDON_DIR, ADDON_PACKAGE, DIST_DIR, REPO_ROOT } from "../paths.js";
import { renderManifest } from "./manifest.js";
import { REPOSITORY_INDEX, repositoryIndex } from "./repository.js";
import { zip, type ZipEntry } from "./zip.js";

function addonSources(): ZipEntry[] {
  const root = join(REPO_ROOT, ADDON_DIR, ADDON_PACKAGE);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".py") && !e.parentPath.includes("__pycache__"))
    .map((e) => {
      const full = join(e.parentPath, e.name);
      return { path: relative(root, full).split("\\").join("/"), data: readFileSync(full) };
    });
}

export function buildZips(): { legacy: Buffer; extension: Buffer } {
  const sources = addonSources();
  const legacy = zip(sources.map((e) => ({ path: `${ADDON_PACKAGE}/${e.path}`, data: e.data })));
  const extension = zip([...sources, { path: "blender_manifest.toml", data: Buffer.from(renderManifest()) }]);
  return { legacy, extension };
}

export const LEGACY_ZIP = `${ADDON_PACKAGE}-${PACKAGE_VERSION}.zip`;
export const EXTENSION_ZIP = `${ADDON_PACKAGE}-${PACKAGE_VERSION}-extension.zip`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { legacy, extension } = buildZips();
  const out = join(REPO_ROOT, DIST_DIR);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, LEGACY_ZIP), legacy);
  writeFileSync(join(out, EXTENSION_ZIP), extension);
  writeFileSync(join(out, REPOSITORY_INDEX), repositoryIndex(EXTENSION_ZIP, extension));
  console.log(`package-addon: ${DIST_DIR}/${LEGACY_ZIP} (${legacy.length} bytes), ${DIST_DIR}/${EXTENSION_ZIP} (${extension.length} bytes)`);
}
