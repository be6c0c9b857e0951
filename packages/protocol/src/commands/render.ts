/**
 * Renders: Blender renders a copy of the open file in a background process,
 * so its UI stays responsive, progress is reported and a cancel stops it.
 */
import { z } from "zod";
import { defineCommand } from "./define.js";

const PNG_16x12 =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAMCAIAAADkharWAAAAFUlEQVR4nGOIikohCTGMahjVgB0BADTr0gE76zmPAAAAAElFTkSuQmCC";

/** Settings both render tools take; each defaults to the scene's own. */
const RenderSettings = {
  engine: z.string().max(64).optional().describe("eevee, cycles, workbench or an engine id"),
  resolution_x: z.number().int().min(1).max(16384).optional(),
  resolution_y: z.number().int().min(1).max(16384).optional(),
  max_size: z.number().int().min(16).max(16384).optional().describe("Longest side in pixels"),
  samples: z.number().int().min(1).max(65536).optional(),
  camera: z.string().max(256).optional().describe("Camera object"),
};

/** Blender's own frame limits (MAXFRAME). */
const Frame = z.number().int().min(-1048574).max(1048574);

const Rendered = {
  width: z.number().int(),
  height: z.number().int(),
  engine: z.string().describe("Engine id used"),
  render_seconds: z.number(),
};

/** Renders outlive the tool's timeout: a timed-out call's job goes on and blender_get_job returns it. */
const RENDER_NOTE = "Reports progress; past the timeout it goes on, and blender_get_job fetches it.";

/** Destructive: the files go where the caller says, replacing what is there. */
const WRITES_FILES = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false };

export const renderStill = defineCommand({
  name: "render_still",
  params: z.strictObject({
    ...RenderSettings,
    frame: Frame.optional(),
    filepath: z.string().max(4096).optional().describe("Also write the PNG here"),
  }),
  result: z.object({
    filepath: z.string().describe("Where the PNG is (a temporary file unless filepath was given)"),
    ...Rendered,
    frame: z.number().int(),
    png_base64: z.string().describe("The PNG file, base64-encoded"),
  }),
  omitFromToolResult: ["png_base64"],
  gate: null,
  toolset: "render",
  // It renders a saved copy: the open scene does not change.
  undoStep: false,
  timeout: { defaultSeconds: 120, maxSeconds: 3600 },
  runsLong: true,
  example: {
    params: { engine: "cycles", max_size: 16, samples: 4 },
    result: { filepath: "/tmp/mcp-render-x/render.png", width: 16, height: 12, engine: "CYCLES", render_seconds: 0.4, frame: 1, png_base64: PNG_16x12 },
  },
  tool: {
    name: "blender_render_still",
    title: "Render a still",
    description: "Render the scene's camera view and return the image. " + RENDER_NOTE,
    annotations: WRITES_FILES,
  },
});

export const RENDER_FORMATS = ["PNG", "JPEG", "OPEN_EXR", "TIFF", "BMP", "WEBP"] as const;

/** The extension of each format's frame files (the addon's render.py EXTENSIONS says the same). */
export const RENDER_EXTENSIONS = { PNG: ".png", JPEG: ".jpg", OPEN_EXR: ".exr", TIFF: ".tif", BMP: ".bmp", WEBP: ".webp" } as const satisfies Record<(typeof RENDER_FORMATS)[number], string>;

/** What render_animation names a frame's file in its folder (Python's "frame_%04d" + extension). */
export function frameFileName(frame: number, format: (typeof RENDER_FORMATS)[number]): string {
  const digits = String(Math.abs(frame)).padStart(frame < 0 ? 3 : 4, "0");
  return `frame_${frame < 0 ? "-" : ""}${digits}${RENDER_EXTENSIONS[format]}`;
}

export const renderAnimation = defineCommand({
  name: "render_animation",
  params: z.strictObject({
    ...RenderSettings,
    frame_start: Frame.optional(),
    frame_end: Frame.optional(),
    frame_step: z.number().int().min(1).max(10000).default(1),
    file_format: z.enum(RENDER_FORMATS).default("PNG"),
    output_folder: z.string().max(4096).optional().describe("On Blender's machine"),
  }),
  result: z.object({
    folder: z.string(),
    files: z.array(z.string()).describe("One per frame, in order"),
    ...Rendered,
    png_base64: z.string().describe("Contact sheet: a PNG grid of frame thumbnails, base64-encoded"),
  }),
  omitFromToolResult: ["png_base64"],
  gate: null,
  toolset: "render",
  // It renders a saved copy: the open scene does not change.
  undoStep: false,
  timeout: { defaultSeconds: 300, maxSeconds: 3600 },
  runsLong: true,
  example: {
    params: { frame_start: 1, frame_end: 2, max_size: 16, engine: "workbench" },
    result: {
      folder: "/home/me/.config/blender/datafiles/blender_mcp_bus/renders/anim-x",
      files: ["/home/me/.config/blender/datafiles/blender_mcp_bus/renders/anim-x/frame_0001.png", "/home/me/.config/blender/datafiles/blender_mcp_bus/renders/anim-x/frame_0002.png"],
      width: 16,
      height: 12,
      engine: "BLENDER_WORKBENCH",
      render_seconds: 0.9,
      png_base64: PNG_16x12,
    },
  },
  tool: {
    name: "blender_render_animation",
    title: "Render an animation",
    description: "Render a frame range to files; returns their paths and a contact sheet image. " + RENDER_NOTE,
    annotations: WRITES_FILES,
  },
});
