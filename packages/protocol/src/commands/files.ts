import { z } from "zod";
import { defineCommand } from "./define.js";

/** Paths are on Blender's machine and must lie inside the addon's allowed folders. */
const Filepath = z.string().min(1);

export const FORMATS = ["gltf", "glb", "fbx", "obj", "stl", "usd"] as const;
const Format = z.enum(FORMATS).optional().describe("Default: by extension");

const NOT_READ_ONLY = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };

export const saveFile = defineCommand({
  name: "save_file",
  params: z.strictObject({
    filepath: Filepath.optional().describe("Save as this .blend"),
  }),
  result: z.object({ filepath: z.string(), size: z.number().int().describe("Bytes written") }),
  gate: null,
  toolset: "files",
  undoStep: false,
  timeout: { defaultSeconds: 60, maxSeconds: 600 },
  example: { params: { filepath: "/tmp/scene.blend" }, result: { filepath: "/tmp/scene.blend", size: 912384 } },
  tool: {
    name: "blender_save_file",
    title: "Save the .blend file",
    description: "Save the open .blend file to its own path, or to filepath (save as).",
    // Replaces the file at that path.
    annotations: { ...NOT_READ_ONLY, destructiveHint: true, idempotentHint: true },
  },
});

export const openFile = defineCommand({
  name: "open_file",
  params: z.strictObject({
    action: z.enum(["open", "new", "revert"]).default("open").describe("open filepath, new file, or revert to saved"),
    filepath: Filepath.optional().describe("The .blend to open"),
  }),
  result: z.object({ filepath: z.string().describe("Path of the file now open; empty when unsaved") }),
  gate: null,
  toolset: "files",
  undoStep: false,
  timeout: { defaultSeconds: 60, maxSeconds: 600 },
  example: { params: { action: "open", filepath: "/tmp/scene.blend" }, result: { filepath: "/tmp/scene.blend" } },
  tool: {
    name: "blender_open_file",
    title: "Open a .blend file",
    description: "Open a .blend, start a new file, or revert to the saved one; unsaved changes are lost.",
    annotations: { ...NOT_READ_ONLY, destructiveHint: true },
  },
});

export const importFile = defineCommand({
  name: "import_file",
  params: z.strictObject({ filepath: Filepath, format: Format }),
  result: z.object({
    format: z.enum(FORMATS),
    operator: z.string().describe("The Blender operator used"),
    objects: z.array(z.string()).describe("Names of the new objects"),
  }),
  gate: null,
  toolset: "files",
  timeout: { defaultSeconds: 120, maxSeconds: 1800 },
  example: {
    params: { filepath: "/tmp/model.glb" },
    result: { format: "glb", operator: "import_scene.gltf", objects: ["Cube.001"] },
  },
  tool: {
    name: "blender_import_file",
    title: "Import a model file",
    description: "Import glTF/GLB, FBX, OBJ, STL or USD into the scene; returns the new objects.",
    annotations: NOT_READ_ONLY,
  },
});

export const exportFile = defineCommand({
  name: "export_file",
  params: z.strictObject({
    filepath: Filepath,
    format: Format,
    objects: z.array(z.string().min(1)).optional(),
    selected_only: z.boolean().default(false),
  }),
  result: z.object({
    format: z.enum(FORMATS),
    operator: z.string(),
    filepath: z.string(),
    size: z.number().int().describe("Bytes written"),
  }),
  gate: null,
  toolset: "files",
  undoStep: false,
  timeout: { defaultSeconds: 120, maxSeconds: 1800 },
  example: {
    params: { filepath: "/tmp/model.glb", objects: ["Cube"] },
    result: { format: "glb", operator: "export_scene.gltf", filepath: "/tmp/model.glb", size: 1964 },
  },
  tool: {
    name: "blender_export_file",
    title: "Export a model file",
    description: "Export the scene, the selection or named objects to glTF/GLB, FBX, OBJ, STL or USD.",
    // Replaces the file at filepath.
    annotations: { ...NOT_READ_ONLY, destructiveHint: true, idempotentHint: true },
  },
});
