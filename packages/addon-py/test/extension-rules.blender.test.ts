/**
 * The Blender Extensions platform's rules, checked inside real Blender with
 * the add-on installed by `blender-mcp install-addon` (an extension on 4.3
 * and 5.2, a legacy add-on on 3.4) in a throw-away profile: the asset
 * integrations stay offline unless online access is allowed, and files the
 * add-on makes go under the extension's own user folder.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { BLENDER_VERSIONS, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { throwAwayBlender } from "@blender-mcp/test-support/blender";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../server/dist/cli.js");

const PROBE = `
import bpy, importlib, json
name = next(k for k in bpy.context.preferences.addons.keys() if k.endswith("blender_mcp_bus"))
compat = importlib.import_module(name + ".blender.compat")
imports = importlib.import_module(name + ".blender.imports")
integrations = importlib.import_module(name + ".core.integrations")
out = {"module": name, "folder": compat.user_data_folder(name, "polyhaven")}
for label, url in (("online", "https://api.polyhaven.com"), ("loopback", "http://127.0.0.1:9/polyhaven")):
    try:
        imports.require(integrations.resolve("polyhaven", True, url, environ={}))
        out[label] = None
    except Exception as error:
        out[label] = str(error)
print("PROBE=" + json.dumps(out))
`;

type Probe = { module: string; folder: string; online: string | null; loopback: string | null };

const skips = Object.fromEntries(await Promise.all(BLENDER_VERSIONS.map(async (v) => [v, await blenderSkipReason(v)] as const)));

describe("extension platform rules in real Blender", () => {
  for (const version of BLENDER_VERSIONS) {
    test(`Blender ${version}: online access gates the services, files go to the add-on's folder`, { skip: skips[version], timeout: 300_000 }, async () => {
      const blender = await throwAwayBlender(version);
      try {
        await run(process.execPath, [CLI, "install-addon", "--blender", blender.executable], { timeout: 300_000 });
        const probe = async (...flags: string[]) => {
          const { stdout } = await run(blender.executable, [...flags, "--background", "--python-expr", PROBE], { timeout: 120_000, maxBuffer: 16 << 20 });
          return JSON.parse(/PROBE=(.*)/.exec(stdout)![1]!) as Probe;
        };
        const offline = await probe();
        assert.equal(offline.loopback, null, "a loopback service needs no online access");
        if (version === "3.4") {
          assert.equal(offline.online, null, "Blender before 4.2 has no online access setting");
          assert.match(offline.folder, /\/datafiles\/blender_mcp_bus\/polyhaven$/);
          return;
        }
        assert.match(offline.online ?? "", /online access is off.*Allow Online Access in Edit > Preferences > System > Network.*--online-mode/);
        assert.match(offline.folder, /\/extensions\/\.user\/user_default\/blender_mcp_bus\/polyhaven$/);
        const online = await probe("--online-mode");
        assert.equal(online.online, null, "allowed online access lets the service through");
      } finally {
        await blender.remove();
      }
    });
  }
});
