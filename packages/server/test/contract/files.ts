/**
 * Files in the dispatch contract: save / open / new / revert, import and
 * export of every format the Blender has, the allowed-folders check. Paths
 * are the peer's own (/tmp inside a chroot); hostPath reads what it wrote.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { stat, rm } from "node:fs/promises";
import { after, describe, test } from "node:test";
import { exportFile, FORMATS, getUndoHistory, importFile, openFile, redo, saveFile, undo } from "@blender-mcp/protocol";
import type { TestClient } from "../support/mcp-client.js";
import type { PeerKind } from "./peer.js";

const EXTENSION: Record<(typeof FORMATS)[number], string> = { gltf: "gltf", glb: "glb", fbx: "fbx", obj: "obj", stl: "stl", usd: "usdc" };

/** The fake addon answers with each command's example; a real Blender does the work. */
export function examplesAnswered(client: () => TestClient): void {
  test("files and undo tools answer (the fake: with their examples)", async () => {
    for (const command of [saveFile, openFile, importFile, exportFile, undo, redo, getUndoHistory]) {
      const { structured } = await client().call(command.tool.name, command.example.params as Record<string, unknown>);
      assert.equal(structured.status, "completed", `${command.name}: ${structured.error}`);
      assert.deepEqual(Object.keys(structured.result).sort(), Object.keys(command.example.result).sort());
    }
  });
}

export function filesContract(kind: PeerKind, client: () => TestClient): void {
  if (!kind.realScene) return examplesAnswered(client);
  describe("files", () => {
    const dir = `/tmp/mcp-files-${randomUUID()}`;
    const blend = `${dir}/scene.blend`;
    const call = async (tool: string, args: Record<string, unknown> = {}) => (await client().call(tool, args)).structured;
    const code = (source: string) => call("blender_execute_code", { code: source });
    const exists = async (name: string) => (await call("blender_get_object_info", { name })).status === "completed";
    after(async () => {
      await call("blender_open_file", { action: "new" });
      await rm(kind.hostPath(dir), { recursive: true, force: true });
    });

    test("save needs a path while the file is unsaved; save as, then to its own path", async () => {
      const unsaved = await call("blender_save_file");
      assert.equal(unsaved.status, "failed");
      assert.match(unsaved.error, /never been saved: pass filepath/);
      assert.equal((await code("import bpy\nbpy.data.objects.new('Marker', None)\nbpy.context.scene.collection.objects.link(bpy.data.objects['Marker'])")).status, "completed");
      const saved = await call("blender_save_file", { filepath: blend });
      assert.equal(saved.status, "completed", saved.error);
      assert.equal(saved.result.filepath, blend);
      assert.equal(saved.result.size, (await stat(kind.hostPath(blend))).size);
      const again = await call("blender_save_file");
      assert.equal(again.status, "completed", again.error);
      assert.equal(again.result.filepath, blend);
    });

    test("new, open and revert replace the file, and each job still reports its end", async () => {
      const fresh = await call("blender_open_file", { action: "new" });
      assert.equal(fresh.status, "completed", fresh.error);
      assert.equal(fresh.result.filepath, "");
      assert.equal(await exists("Marker"), false);
      const opened = await call("blender_open_file", { filepath: blend });
      assert.equal(opened.status, "completed", opened.error);
      assert.equal(opened.result.filepath, blend);
      assert.equal(await exists("Marker"), true);
      const clients = (await call("blender_list_clients")).clients;
      assert.equal(clients.length, 1, "the addon stayed connected through the load");
      await code("import bpy\nbpy.data.objects.remove(bpy.data.objects['Marker'])");
      assert.equal(await exists("Marker"), false);
      const reverted = await call("blender_open_file", { action: "revert" });
      assert.equal(reverted.status, "completed", reverted.error);
      assert.equal(await exists("Marker"), true);
    });

    test("a path outside the allowed folders fails naming the setting; a missing file fails clearly", async () => {
      for (const [tool, args] of [
        ["blender_save_file", { filepath: "/etc/mcp-outside.blend" }],
        ["blender_import_file", { filepath: "/tmp/../etc/passwd.obj" }],
        ["blender_export_file", { filepath: "/var/mcp-outside.glb" }],
        ["blender_get_viewport_screenshot", { filepath: "/etc/mcp-outside.png" }],
      ] as const) {
        const outside = await call(tool, args);
        assert.equal(outside.status, "failed", tool);
        assert.match(outside.error, /is outside the allowed folders \(Preferences > Add-ons > MCP Bus > Allowed folders: \/tmp\)/, tool);
      }
      for (const [tool, args] of [
        ["blender_open_file", { filepath: `${dir}/missing.blend` }],
        ["blender_import_file", { filepath: `${dir}/missing.glb` }],
      ] as const) {
        const missing = await call(tool, args);
        assert.equal(missing.status, "failed", tool);
        assert.match(missing.error, /no file at .*missing/, tool);
      }
      const open = await call("blender_open_file", { action: "open" });
      assert.match(open.error, /needs filepath/);
    });

    test("export the cube to each format this Blender has, import it back", async () => {
      const done: string[] = [];
      for (const format of FORMATS) {
        const path = `${dir}/cube.${EXTENSION[format]}`;
        const exported = await call("blender_export_file", { filepath: path, objects: ["Cube"] });
        if (exported.status === "failed" && /has no/.test(exported.error)) {
          assert.match(exported.error, new RegExp(`no ${format.toUpperCase()} exporter; it can export: .*glb`), format);
          continue;
        }
        assert.equal(exported.status, "completed", `${format}: ${exported.error}`);
        assert.equal(exported.result.format, format);
        assert.equal(exported.result.size, (await stat(kind.hostPath(path))).size, format);
        const imported = await call("blender_import_file", { filepath: path });
        assert.equal(imported.status, "completed", `${format}: ${imported.error}`);
        assert.equal(imported.result.objects.length, 1, `${format} holds the cube alone: ${imported.result.objects}`);
        const info = await call("blender_get_object_info", { name: imported.result.objects[0] });
        assert.equal(info.result.type, "MESH", format);
        done.push(format);
      }
      for (const format of ["gltf", "glb", "fbx", "obj", "stl"]) assert.ok(done.includes(format), `${format} round trip`);
    });

    test("a format this Blender lacks, or an unknown extension, fails saying what to do", async () => {
      const unknown = await call("blender_export_file", { filepath: `${dir}/cube.xyz` });
      assert.equal(unknown.status, "failed");
      assert.match(unknown.error, /pass format \(one of gltf, glb, fbx, obj, stl, usd\)/);
      const noObject = await call("blender_export_file", { filepath: `${dir}/x.obj`, objects: ["NoSuchObject"] });
      assert.match(noObject.error, /no object named 'NoSuchObject'/);
    });
  });
}
