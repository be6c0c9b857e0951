/**
 * Files over the bus, a chunk per job, for renders spread over workers: the
 * requesting Blender's scene goes to workers that lack it, and their frames
 * come back to the server. A chunk stays far below the bus's message limit
 * (the server's --max-message-bytes and --max-script-bytes, the addon's 64 MiB) once base64 and JSON wrap it.
 */
import { z } from "zod";
import { defineCommand, READ_ONLY } from "./define.js";

/** Raw bytes per chunk: 512 KiB, about 700 kB as base64, under the server's default 1 MiB for a command's parameters (--max-script-bytes). */
export const TRANSFER_CHUNK_BYTES = 512 * 1024;
/** The largest scene a spread render ships to its workers; beyond it, give the workers a path they can read. */
export const MAX_SHIPPED_SCENE_BYTES = 512 * 1024 * 1024;

const Base64Chunk = z
  .string()
  .max(Math.ceil(TRANSFER_CHUNK_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/)
  .describe(`At most ${TRANSFER_CHUNK_BYTES} bytes, base64-encoded`);

const EXAMPLE_PATH = "/tmp/blender-mcp-bus-transfers/scene-copy.blend";

export const saveSceneCopy = defineCommand({
  name: "save_scene_copy",
  params: z.strictObject({}),
  result: z.object({
    filepath: z.string().describe("The copy, in the system temp folder's blender-mcp-bus-transfers"),
    size: z.number().int().describe("Bytes"),
  }),
  gate: null,
  toolset: "bus",
  undoStep: false,
  timeout: { defaultSeconds: 60, maxSeconds: 600 },
  example: { params: {}, result: { filepath: EXAMPLE_PATH, size: 912384 } },
  tool: {
    name: "blender_save_scene_copy",
    title: "Save a copy of the open file",
    description: "Save the open file as it is now to a temporary .blend (the open file is unchanged), to ship to workers.",
    // A temporary file; the scene and its saved file stay as they are.
    annotations: READ_ONLY,
  },
});

export const readFileChunk = defineCommand({
  name: "read_file_chunk",
  params: z.strictObject({
    filepath: z.string().min(1).max(4096).describe("Inside the addon's allowed folders"),
    offset: z.number().int().min(0).default(0),
    length: z.number().int().min(1).max(TRANSFER_CHUNK_BYTES).default(TRANSFER_CHUNK_BYTES),
  }),
  result: z.object({
    data_base64: Base64Chunk,
    size: z.number().int().describe("The whole file's bytes"),
  }),
  gate: null,
  toolset: "bus",
  timeout: { defaultSeconds: 30, maxSeconds: 300 },
  example: { params: { filepath: EXAMPLE_PATH, offset: 0, length: 4 }, result: { data_base64: "QkxFTg==", size: 912384 } },
  tool: {
    name: "blender_read_file_chunk",
    title: "Read part of a file",
    description: "Read up to 512 KiB of a file on Blender's machine, base64-encoded.",
    annotations: READ_ONLY,
  },
});

export const writeFileChunk = defineCommand({
  name: "write_file_chunk",
  params: z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/).describe("File name in blender-mcp-bus-transfers"),
    offset: z.number().int().min(0).describe("0 starts the file afresh"),
    data_base64: Base64Chunk,
  }),
  result: z.object({
    filepath: z.string(),
    size: z.number().int().describe("The file's bytes so far"),
  }),
  gate: null,
  toolset: "bus",
  undoStep: false,
  timeout: { defaultSeconds: 30, maxSeconds: 300 },
  example: { params: { name: "scene-copy.blend", offset: 0, data_base64: "QkxFTg==" }, result: { filepath: EXAMPLE_PATH, size: 4 } },
  tool: {
    name: "blender_write_file_chunk",
    title: "Write part of a file",
    description: "Write up to 512 KiB (base64) at offset into a file in the system temp folder's blender-mcp-bus-transfers.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
});

export const deleteTransferFile = defineCommand({
  name: "delete_transfer_file",
  params: z.strictObject({
    filepath: z.string().min(1).max(4096).describe("A file or folder inside blender-mcp-bus-transfers"),
  }),
  result: z.object({
    deleted: z.boolean().describe("False: it was already gone"),
  }),
  gate: null,
  toolset: "bus",
  undoStep: false,
  timeout: { defaultSeconds: 30, maxSeconds: 300 },
  example: { params: { filepath: EXAMPLE_PATH }, result: { deleted: true } },
  tool: {
    name: "blender_delete_transfer_file",
    title: "Delete a transferred file",
    description: "Delete a file or folder in the system temp folder's blender-mcp-bus-transfers (a shipped scene, streamed frames).",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
});
