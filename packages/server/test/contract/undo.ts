/**
 * Undo in the dispatch contract: each scene-changing job is one named step
 * (the user's Ctrl+Z takes back one agent job), a failed job leaves nothing
 * behind, and blender_undo / blender_redo / blender_get_undo_history work.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TestClient } from "../support/mcp-client.js";
import type { PeerKind } from "./peer.js";

export function undoContract(kind: PeerKind, client: () => TestClient): void {
  if (!kind.realScene) return;
  describe("undo", () => {
    const call = async (tool: string, args: Record<string, unknown> = {}) => (await client().call(tool, args)).structured;
    const exists = async (name: string) => (await call("blender_get_object_info", { name })).status === "completed";
    const addObject = (name: string) =>
      `import bpy\nbpy.context.scene.collection.objects.link(bpy.data.objects.new(${JSON.stringify(name)}, None))\n`;
    const history = async () => {
      const { result, status, error } = await call("blender_get_undo_history", { limit: 1000 });
      assert.equal(status, "completed", error);
      assert.equal(result.available, true);
      return result as { steps: { index: number; name: string; active: boolean }[]; current: number; total: number };
    };

    test("a job that raises midway leaves no half-change behind", async () => {
      const failed = await call("blender_execute_code", { code: `${addObject("HalfDone")}raise RuntimeError('midway')` });
      assert.equal(failed.status, "failed");
      assert.match(failed.error, /midway/);
      assert.equal(await exists("HalfDone"), false);
    });

    test("a scene-changing job is one named step; blender_undo takes back exactly that, redo restores it", async () => {
      const before = await history();
      const done = await call("blender_execute_code", { code: addObject("Kept") });
      assert.equal(done.status, "completed");
      const after = await history();
      assert.equal(after.current, before.current + 1, "one step for one job");
      assert.equal(after.steps[after.current]!.name, `MCP: execute_code ${done.job_id}`);
      assert.equal(after.steps[after.current]!.active, true);
      assert.equal((await call("blender_get_scene_info")).status, "completed");
      assert.equal((await history()).current, after.current, "a read-only job adds no step");

      const undone = await call("blender_undo");
      assert.equal(undone.status, "completed", undone.error);
      assert.equal(undone.result.moved, 1);
      assert.equal(undone.result.current, before.steps[before.current]!.name);
      assert.equal(await exists("Kept"), false);
      assert.equal(await exists("Cube"), true, "only the job's change was taken back");
      const redone = await call("blender_redo");
      assert.deepEqual(redone.result, { moved: 1, current: `MCP: execute_code ${done.job_id}` });
      assert.equal(await exists("Kept"), true);
    });

    test("undo history is paged; undo past the start moves only as far as it can", async () => {
      const all = await history();
      const first = (await call("blender_get_undo_history", { limit: 1 })).result;
      assert.equal(first.steps.length, 1);
      assert.equal(first.total, all.total);
      assert.equal(first.next_offset, all.total > 1 ? 1 : null);
      const far = await call("blender_undo", { steps: 100 });
      assert.equal(far.status, "completed", far.error);
      assert.equal(far.result.moved, all.current);
      assert.equal((await history()).current, 0);
      const back = await call("blender_redo", { steps: 100 });
      assert.ok(back.result.moved >= all.current);
      assert.equal(await exists("Kept"), true);
    });
  });
}
