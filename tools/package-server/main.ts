/**
 * The publishable server: dist/npm/ is a folder that `npm pack` turns into a
 * tarball installable with npm alone (no pnpm, no workspace: references).
 * The protocol package travels inside it as a bundled dependency, the addon
 * zips under addon/ (served at /extensions and used by install-addon), and
 * server.json beside it for the MCP Registry. The build also packs it:
 * dist/blender-mcp-bus-<version>.tgz.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { DIST_DIR, REPO_ROOT } from "../paths.js";
import { EXTENSION_ZIP, LEGACY_ZIP } from "../package-addon/main.js";
import { REPOSITORY_INDEX } from "../package-addon/repository.js";
import { DESCRIPTION, MCP_NAME, NPM_NAME, REPOSITORY_URL, SERVER_LICENSE } from "./identity.js";
import { serverJson } from "./server-json.js";

export const PUBLISH_DIR = join(REPO_ROOT, DIST_DIR, "npm");
export const TARBALL = `${NPM_NAME}-${PACKAGE_VERSION}.tgz`;

type Manifest = { dependencies?: Record<string, string>; [key: string]: unknown };
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(REPO_ROOT, dir, "package.json"), "utf8")) as Manifest;

/** The server's own dependencies with the workspace ones dropped (the protocol is bundled, its zod is the server's). */
function runtimeDependencies(): Record<string, string> {
  const server = readManifest("packages/server").dependencies ?? {};
  return Object.fromEntries(Object.entries(server).filter(([, range]) => !range.startsWith("workspace:")));
}

export function publishManifest(): Record<string, unknown> {
  return {
    name: NPM_NAME,
    version: PACKAGE_VERSION,
    description: DESCRIPTION,
    mcpName: MCP_NAME,
    license: SERVER_LICENSE,
    repository: { type: "git", url: `git+${REPOSITORY_URL}.git` },
    keywords: ["mcp", "model-context-protocol", "blender", "mcp-server"],
    type: "module",
    engines: { node: ">=20" },
    bin: { "blender-mcp": "./dist/cli.js", [NPM_NAME]: "./dist/cli.js" },
    exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    files: ["dist/", "addon/", "server.json", "README.md", "LICENSE"],
    dependencies: { ...runtimeDependencies(), "@blender-mcp/protocol": PACKAGE_VERSION },
    bundleDependencies: ["@blender-mcp/protocol"],
  };
}

const copyDist = (from: string, to: string) =>
  cpSync(join(REPO_ROOT, from), to, { recursive: true, filter: (src) => !src.endsWith(".map") && !src.endsWith(".tsbuildinfo") });

export function buildPublishFolder(out = PUBLISH_DIR): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "addon"), { recursive: true });
  copyDist("packages/server/dist", join(out, "dist"));
  const protocol = join(out, "node_modules", "@blender-mcp", "protocol");
  copyDist("packages/protocol/dist", join(protocol, "dist"));
  const { devDependencies: _dev, scripts: _scripts, private: _private, ...protocolManifest } = readManifest("packages/protocol");
  writeFileSync(join(protocol, "package.json"), `${JSON.stringify(protocolManifest, null, 2)}\n`);
  for (const zip of [LEGACY_ZIP, EXTENSION_ZIP, REPOSITORY_INDEX]) cpSync(join(REPO_ROOT, DIST_DIR, zip), join(out, "addon", zip));
  writeFileSync(join(out, "package.json"), `${JSON.stringify(publishManifest(), null, 2)}\n`);
  writeFileSync(join(out, "server.json"), `${JSON.stringify(serverJson(), null, 2)}\n`);
  cpSync(join(REPO_ROOT, "README.md"), join(out, "README.md"));
  cpSync(join(REPO_ROOT, "LICENSE"), join(out, "LICENSE"));
}

/** `npm pack` of the folder; returns the tarball's path. */
export function packTarball(folder = PUBLISH_DIR, destination = join(REPO_ROOT, DIST_DIR)): string {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // pnpm's own npm_config_* settings would only make npm warn about keys it does not know.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_")));
  const out = execFileSync(npm, ["pack", "--json", "--pack-destination", destination], { cwd: folder, env, encoding: "utf8", shell: process.platform === "win32" });
  const [packed] = JSON.parse(out) as { filename: string }[];
  return join(destination, packed!.filename);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildPublishFolder();
  const tarball = packTarball();
  console.log(`package-server: ${DIST_DIR}/npm/ and ${tarball.slice(REPO_ROOT.length + 1)}`);
}
