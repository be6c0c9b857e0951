/**
 * The Claude Desktop bundle: dist/blender-mcp-bus-<version>-<platform>-<arch>.mcpb.
 * `pnpm package:mcpb` (after `pnpm build`) installs the packed server
 * tarball with npm into a staging folder, writes manifest.json beside it,
 * validates it with the mcpb CLI and packs it. The bundle holds
 * better-sqlite3 compiled for this platform and Node ABI, so it is built
 * per platform (compatibility.platforms says which).
 *
 * User settings: the hub's port and an optional token (another user's, from
 * `blender-mcp token create`; empty means the local token file).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { DIST_DIR, REPO_ROOT } from "../paths.js";
import { DESCRIPTION, NPM_NAME, REPOSITORY_URL, SERVER_LICENSE } from "../package-server/identity.js";
import { TARBALL } from "../package-server/main.js";

const MCPB = join(REPO_ROOT, "tools", "node_modules", ".bin", process.platform === "win32" ? "mcpb.cmd" : "mcpb");
export const BUNDLE = `${NPM_NAME}-${PACKAGE_VERSION}-${process.platform}-${process.arch}.mcpb`;
/** Where the installed server sits inside the bundle. */
export const ENTRY_POINT = `server/node_modules/${NPM_NAME}/dist/cli.js`;

export function bundleManifest(): Record<string, unknown> {
  return {
    manifest_version: "0.3",
    name: NPM_NAME,
    display_name: "Blender MCP bus",
    version: PACKAGE_VERSION,
    description: DESCRIPTION,
    long_description:
      "Drives Blender through the MCP Bus add-on: scene info, Python, screenshots, renders, files, undo. Install the add-on with `npx blender-mcp-bus install-addon`, or in Blender 4.2+ add http://127.0.0.1:9860/extensions/index.json as a remote repository in Get Extensions.",
    author: { name: "Blender MCP bus developers", url: REPOSITORY_URL },
    repository: { type: "git", url: REPOSITORY_URL },
    license: SERVER_LICENSE,
    keywords: ["blender", "3d", "mcp"],
    server: {
      type: "node",
      entry_point: ENTRY_POINT,
      mcp_config: {
        command: "node",
        args: [`\${__dirname}/${ENTRY_POINT}`, "stdio"],
        env: { BLENDER_MCP_PORT: "${user_config.port}", BLENDER_MCP_TOKEN: "${user_config.token}" },
      },
    },
    user_config: {
      port: {
        type: "number",
        title: "Port",
        description: "Port of the hub Blender's add-on connects to (the add-on's Server URL uses the same one)",
        default: 9860,
        min: 1,
        max: 65535,
        required: false,
      },
      token: {
        type: "string",
        title: "Token",
        description: "A token from `blender-mcp token create`; leave empty to use this machine's local token",
        sensitive: true,
        required: false,
      },
    },
    compatibility: { platforms: [process.platform], runtimes: { node: ">=20.0.0" } },
  };
}

const run = (command: string, args: string[], cwd: string) => {
  // pnpm's own npm_config_* settings would only make npm warn about keys it does not know.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_")));
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], shell: process.platform === "win32" });
};

/** Writes manifest.json into a staging folder whose server/ already holds the installed package; validates it. */
export function writeBundleManifest(staging: string): void {
  writeFileSync(join(staging, "manifest.json"), `${JSON.stringify(bundleManifest(), null, 2)}\n`);
  run(MCPB, ["validate", join(staging, "manifest.json")], staging);
}

export function packBundle(staging: string, output: string): void {
  run(MCPB, ["pack", staging, output], staging);
}

/** npm installs the tarball (production dependencies only) into staging/server. */
export function installServer(staging: string, tarball: string): void {
  const server = join(staging, "server");
  mkdirSync(server, { recursive: true });
  writeFileSync(join(server, "package.json"), `${JSON.stringify({ private: true }, null, 2)}\n`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  run(npm, ["install", "--prefer-offline", "--omit=dev", "--no-audit", "--no-fund", "--loglevel", "error", tarball], server);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const staging = join(REPO_ROOT, DIST_DIR, "mcpb");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  installServer(staging, join(REPO_ROOT, DIST_DIR, TARBALL));
  writeBundleManifest(staging);
  packBundle(staging, join(REPO_ROOT, DIST_DIR, BUNDLE));
  console.log(`package-mcpb: ${DIST_DIR}/${BUNDLE}`);
}
