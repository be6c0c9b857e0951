/**
 * `blender-mcp install-addon [--blender PATH]`: installs and enables the
 * add-on with Blender's own commands, as the Preferences window would:
 * `-c extension install-file --enable` on 4.2+ (an extension in the
 * user_default repository), the legacy addon_install + addon_enable +
 * save_userpref before that.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { ADDON_MODULE, addonZipDir, addonZipMissing, EXTENSION_ZIP, LEGACY_ZIP } from "../addon-files.js";
import { findBlender } from "./find-blender.js";

const run = promisify(execFile);
const BLENDER_ENV = "BLENDER_MCP_BLENDER";

export const INSTALL_ADDON_USAGE = `blender-mcp install-addon [--blender PATH] [--zip PATH]

Installs and enables the MCP Bus add-on ${PACKAGE_VERSION} in Blender (as an extension on Blender 4.2+).
  --blender PATH   the Blender executable [${BLENDER_ENV}] (default: PATH, then the usual install places)
  --zip PATH       install this add-on zip instead of the one shipped with the server`;

const say = (text: string) => process.stderr.write(`${text}\n`);

/** Blender's "Blender 4.3.2" first line as [major, minor]. */
export function parseBlenderVersion(output: string): [number, number] | null {
  const match = /Blender (\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

export const isExtensionBlender = ([major, minor]: [number, number]) => major > 4 || (major === 4 && minor >= 2);

/** Blender's arguments that install and enable zip in the user's profile. */
export function installArgs(version: [number, number], zip: string): string[] {
  if (isExtensionBlender(version)) return ["--background", "--command", "extension", "install-file", "--repo", "user_default", "--enable", zip];
  // JSON string literals are Python string literals too, so any path survives quoting.
  const script = [
    "import bpy",
    `bpy.ops.preferences.addon_install(filepath=${JSON.stringify(zip)}, overwrite=True)`,
    `bpy.ops.preferences.addon_enable(module=${JSON.stringify(ADDON_MODULE)})`,
    `assert ${JSON.stringify(ADDON_MODULE)} in bpy.context.preferences.addons, "the add-on did not enable"`,
    "bpy.ops.wm.save_userpref()",
  ].join("\n");
  return ["--background", "--python-exit-code", "1", "--python-expr", script];
}

const tail = (text: string) => text.trim().split("\n").slice(-15).join("\n");

export async function installAddonCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { blender: { type: "string" }, zip: { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (error) {
    say(`blender-mcp install-addon: ${(error as Error).message}\n\n${INSTALL_ADDON_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${INSTALL_ADDON_USAGE}\n`);
    return 0;
  }
  const given = (values.blender as string | undefined) ?? process.env[BLENDER_ENV];
  let blender: string;
  if (given) {
    if (!existsSync(given)) {
      say(`blender-mcp install-addon: no Blender at ${given}; pass the path of the Blender executable with --blender`);
      return 1;
    }
    blender = given;
  } else {
    const { found, looked } = findBlender({ platform: process.platform, home: homedir(), env: process.env });
    if (!found) {
      say(`blender-mcp install-addon: Blender was not found. Looked in:\n${looked.map((p) => `  ${p}`).join("\n")}\nPass it with --blender /path/to/blender (or set ${BLENDER_ENV}).`);
      return 1;
    }
    blender = found;
  }

  let version: [number, number] | null = null;
  try {
    version = parseBlenderVersion((await run(blender, ["--version"], { timeout: 60_000 })).stdout);
  } catch (error) {
    say(`blender-mcp install-addon: ${blender} --version failed: ${(error as Error).message}`);
    return 1;
  }
  if (!version) {
    say(`blender-mcp install-addon: ${blender} --version did not print a Blender version; is it Blender?`);
    return 1;
  }
  const extension = isExtensionBlender(version);
  let zip = values.zip as string | undefined;
  if (!zip) {
    const dir = addonZipDir();
    if (!dir) {
      say(`blender-mcp install-addon: ${addonZipMissing()}`);
      return 1;
    }
    zip = join(dir, extension ? EXTENSION_ZIP : LEGACY_ZIP);
  }
  const label = `Blender ${version.join(".")} (${blender})`;
  say(`Installing ${zip} into ${label} ${extension ? "as an extension (user_default repository)" : "as a legacy add-on"}...`);
  try {
    const { stdout, stderr } = await run(blender, installArgs(version, zip), { timeout: 300_000, maxBuffer: 16 << 20 });
    // Blender reports some extension failures on stderr and still exits 0.
    if (/^Error:|Traceback/m.test(stderr) || /^Error:/m.test(stdout)) throw Object.assign(new Error("Blender reported an error"), { stdout, stderr });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    say(`blender-mcp install-addon: installing into ${label} failed: ${e.message}\n${tail(`${e.stdout ?? ""}\n${e.stderr ?? ""}`)}`);
    return 1;
  }
  say(
    `MCP Bus ${PACKAGE_VERSION} is installed and enabled in ${label}. Start Blender: it connects to the server on this machine by itself ` +
      `(3D View sidebar, MCP tab). Then connect your MCP client: blender-mcp config claude-desktop (or claude-code, cursor, vscode, windsurf, http).`,
  );
  return 0;
}
