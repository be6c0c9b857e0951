/**
 * The server as an extension repository: its index is what Blender's own
 * `server-generate` writes for the same zip, and real Blender 4.3 and 5.2
 * add it with `repo-add`, `sync` and `install` (with a throw-away HOME) and
 * come out with the add-on enabled.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { blenderRoot, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { throwAwayBlender } from "@blender-mcp/test-support/blender";
import { EXTENSION_ZIP } from "../../src/addon-files.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const run = promisify(execFile);
const ZIP = join(import.meta.dirname, "../../../../dist", EXTENSION_ZIP);

type Index = { version: string; blocklist: unknown[]; data: Record<string, unknown>[] };

/** Keys sorted at every level, so two JSON documents compare by content. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]))
      : value;

let server: ServerProcess;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

describe("GET /extensions", () => {
  test("index.json lists the shipped zip at this server's version, and the zip matches its hash and size", async () => {
    const response = await fetch(`${server.baseUrl}/extensions/index.json?platform=linux-x64&blender_version=4.3.2`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const index = (await response.json()) as Index;
    assert.equal(index.version, "v1");
    const [entry] = index.data;
    assert.equal(entry!.id, "blender_mcp_bus");
    assert.equal(entry!.version, PACKAGE_VERSION);
    const zip = Buffer.from(await (await fetch(new URL(entry!.archive_url as string, `${server.baseUrl}/extensions/index.json`))).arrayBuffer());
    assert.equal(entry!.archive_size, zip.length);
    assert.equal(entry!.archive_hash, `sha256:${createHash("sha256").update(zip).digest("hex")}`);
    assert.deepEqual(zip, readFileSync(ZIP));
  });

  test("only the index and the zip are served; no token is needed, and nothing but GET", async () => {
    for (const path of ["/extensions/package.json", "/extensions/..%2Fpackage.json", `/extensions/${EXTENSION_ZIP}/x`, "/extensions/blender_mcp_bus-0.1.0.zip"]) {
      assert.equal((await fetch(`${server.baseUrl}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(`${server.baseUrl}/extensions/index.json`, { method: "POST" })).status, 405);
    assert.equal((await fetch(`${server.baseUrl}/extensions/`)).status, 200);
  });
});

for (const version of ["4.3", "5.2"] as const) {
  describe(`Blender ${version} with the server as a remote repository`, { skip: await blenderSkipReason(version), timeout: 300_000 }, () => {
    test("the index equals what Blender's server-generate writes for the same zip", async () => {
      const root = blenderRoot(version);
      const dir = mkdtempSync(join(root, "tmp", "blender-mcp-repo-"));
      try {
        copyFileSync(ZIP, join(dir, EXTENSION_ZIP));
        await run("sh", [join(import.meta.dirname, "../../../../tools/blender/in-chroot.sh"), root, "blender", "--command", "extension", "server-generate", `--repo-dir=${dir.slice(root.length)}`]);
        const generated = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Index;
        const served = (await (await fetch(`${server.baseUrl}/extensions/index.json`)).json()) as Index;
        assert.deepEqual(canonical(served), canonical(generated));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("repo-add, sync and install leave the add-on enabled", async () => {
      const blender = await throwAwayBlender(version);
      const blend = (...args: string[]) => run(blender.executable, args, { timeout: 120_000, maxBuffer: 16 << 20 });
      try {
        await blend("--command", "extension", "repo-add", "--name", "MCP bus", "--url", `${server.baseUrl}/extensions/index.json`, "mcpbus");
        // Blender refuses network access until the user allows it; --online-mode is that permission for one run.
        const synced = await blend("--online-mode", "--command", "extension", "sync");
        assert.match(synced.stdout, /Extensions list for "MCP bus" updated/);
        const installed = await blend("--online-mode", "--command", "extension", "install", "--enable", "blender_mcp_bus");
        assert.match(installed.stdout, /Installed "blender_mcp_bus"/);
        const probe = "import bpy, json; print('ENABLED=' + json.dumps(sorted(k for k in bpy.context.preferences.addons.keys() if 'blender_mcp_bus' in k)))";
        const { stdout } = await blend("--background", "--python-expr", probe);
        assert.deepEqual(JSON.parse(/ENABLED=(.*)/.exec(stdout)![1]!), ["bl_ext.mcpbus.blender_mcp_bus"]);
      } finally {
        await blender.remove();
      }
    });
  });
}
