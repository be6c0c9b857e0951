/**
 * `blender-mcp install-addon` in real Blenders (3.4 on the host, 4.3 and 5.2
 * in their chroots), each with a throw-away HOME: the add-on must come out
 * enabled in a fresh Blender started afterwards with that profile.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { promisify } from "node:util";
import { BLENDER_VERSIONS, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { throwAwayBlender } from "@blender-mcp/test-support/blender";
import { blenderCandidates, findBlender } from "../../src/commands/find-blender.js";
import { installArgs, parseBlenderVersion } from "../../src/commands/install-addon.js";
import { CLI } from "../support/server-process.js";

const run = promisify(execFile);

async function installAddon(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [CLI, "install-addon", ...args], { timeout: 300_000 });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

const ENABLED = "import bpy, json; print('ENABLED=' + json.dumps(sorted(k for k in bpy.context.preferences.addons.keys() if 'blender_mcp_bus' in k)))";

const skips = Object.fromEntries(await Promise.all(BLENDER_VERSIONS.map(async (v) => [v, await blenderSkipReason(v)] as const)));

describe("install-addon in real Blender", () => {
  for (const version of BLENDER_VERSIONS) {
    test(`Blender ${version}: installed and enabled in the user's profile`, { skip: skips[version], timeout: 300_000 }, async () => {
      const blender = await throwAwayBlender(version);
      try {
        const { code, stderr } = await installAddon("--blender", blender.executable);
        assert.equal(code, 0, stderr);
        assert.match(stderr, new RegExp(`installed and enabled in Blender ${version.replace(".", "\\.")}`));
        const { stdout } = await run(blender.executable, ["--background", "--python-expr", ENABLED], { timeout: 120_000 });
        const enabled = JSON.parse(/ENABLED=(.*)/.exec(stdout)![1]!) as string[];
        assert.deepEqual(enabled, [version === "3.4" ? "blender_mcp_bus" : "bl_ext.user_default.blender_mcp_bus"]);
      } finally {
        await blender.remove();
      }
    });
  }
});

describe("install-addon without a Blender", () => {
  test("a --blender path that does not exist says how to pass one", async () => {
    const { code, stderr } = await installAddon("--blender", "/nonexistent/blender");
    assert.equal(code, 1);
    assert.match(stderr, /no Blender at \/nonexistent\/blender; pass the path of the Blender executable with --blender/);
  });

  test("nothing found: every place looked at is listed, PATH first", () => {
    const home = mkdtempSync(join(tmpdir(), "blender-mcp-nohome-"));
    try {
      const where = { platform: "darwin" as const, home, env: { PATH: join(home, "bin") } };
      const { found, looked } = findBlender(where);
      assert.equal(found, null);
      assert.equal(looked[0], join(home, "bin", "blender"));
      assert.ok(looked.includes("/Applications/Blender.app/Contents/MacOS/Blender"));
      const windows = blenderCandidates({ platform: "win32", home, env: { ProgramFiles: join(home, "pf") } });
      assert.ok(windows.some((p) => p.endsWith(join("Steam", "steamapps", "common", "Blender", "blender.exe"))));
      const linux = blenderCandidates({ platform: "linux", home, env: {} });
      assert.ok(linux.includes("/snap/bin/blender") && linux.includes("/usr/bin/blender"));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("versions pick the extension or the legacy command", () => {
    assert.deepEqual(parseBlenderVersion("Blender 4.2.0 LTS\n\tbuild date: ..."), [4, 2]);
    assert.equal(parseBlenderVersion("Python 3.11"), null);
    assert.equal(installArgs([4, 2], "/z.zip")[2], "extension");
    assert.ok(installArgs([4, 1], "/z.zip").includes("--python-expr"));
    assert.ok(installArgs([5, 0], "/z.zip").includes("install-file"));
  });
});
