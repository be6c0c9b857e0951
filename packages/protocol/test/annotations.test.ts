/**
 * Tool annotations held to what the tools do, as MCP 2025-11-25 defines the
 * hints: readOnly = does not modify its environment; destructive = may do
 * more than add (overwrite, replace, remove); idempotent = a repeat with the
 * same arguments changes nothing more; openWorld = reaches outside entities.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { COMMAND_LIST, Job, TOOLS, getJob, jobNotFound, type CommandDef } from "@blender-mcp/protocol";

const commands = COMMAND_LIST as readonly CommandDef[];
const tool = (name: string) => TOOLS.find((t) => t.name === name)!;
// Parameters through which a caller names a place to write.
const WRITE_TARGETS = new Set(["filepath", "output_folder"]);
// Commands whose filepath is read, not written.
const READS_PATH = new Set(["open_file", "import_file", "read_file_chunk"]);

describe("tool annotations", () => {
  test("a tool that writes where the caller says is neither read-only nor additive", () => {
    const writers = commands.filter((c) => !READS_PATH.has(c.name) && Object.keys(c.params.shape).some((k) => WRITE_TARGETS.has(k)));
    assert.ok(writers.some((c) => c.name === "get_viewport_screenshot"), "the screenshot's filepath is a write");
    for (const c of writers) {
      assert.equal(c.tool.annotations.readOnlyHint, false, c.name);
      assert.equal(c.tool.annotations.destructiveHint, true, `${c.name} may overwrite a file`);
    }
  });

  test("read-only tools are consistent: nothing destroyed, repeats harmless", () => {
    for (const t of TOOLS.filter((t) => t.annotations.readOnlyHint)) {
      assert.equal(t.annotations.destructiveHint, false, t.name);
      assert.equal(t.annotations.idempotentHint, true, t.name);
    }
  });

  test("a job that only writes files is no undo step; a read-only one never is", () => {
    const undoStep = (c: CommandDef) => c.undoStep ?? !c.tool.annotations.readOnlyHint;
    assert.equal(undoStep(commands.find((c) => c.name === "get_viewport_screenshot")!), false);
    for (const c of commands.filter((c) => c.tool.annotations.readOnlyHint)) assert.equal(undoStep(c), false, c.name);
  });

  test("every tool that needs an integration switched on reaches its service (open world)", () => {
    const online = commands.filter((c) => c.gate === "polyhaven" || c.gate === "sketchfab" || c.gate === "hyper3d");
    assert.ok(online.length >= 10);
    for (const c of online) assert.equal(c.tool.annotations.openWorldHint, true, c.name);
  });

  test("scene changes that replace what was there are destructive", () => {
    // An HDRI replaces the world's nodes; set_texture replaces the object's materials; undo and redo move the scene back and forth.
    for (const name of ["blender_download_polyhaven_asset", "blender_set_texture", "blender_undo", "blender_redo", "blender_open_file", "blender_execute_code"]) {
      assert.equal(tool(name).annotations.destructiveHint, true, name);
    }
    // Imports only add objects.
    for (const name of ["blender_import_file", "blender_download_sketchfab_model", "blender_import_hyper3d_model"]) {
      assert.equal(tool(name).annotations.destructiveHint, false, name);
    }
  });
});

describe("blender_get_job's outputSchema", () => {
  test("covers the not-found answer as well as a job", () => {
    const missing = jobNotFound("j-nope");
    assert.deepEqual(getJob.output.parse(missing), missing);
    assert.match(missing.error, /No job j-nope/);
    const job: Job = {
      job_id: "j-1",
      kind: "command",
      command: "get_scene_info",
      target_uuid: "blender-1",
      priority: "info",
      status: "completed",
      result: { objects: [] },
      error: "",
      progress: null,
      late: false,
      created_at: "2026-12-01T20:00:00.000Z",
      updated_at: "2026-12-01T20:00:01.000Z",
    };
    assert.deepEqual(getJob.output.parse(job), job);
    assert.equal(getJob.output.safeParse({ job_id: "j-1", status: "nonsense", error: "" }).success, false);
  });
});
