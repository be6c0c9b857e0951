import { z } from "zod";
import { defineCommand } from "./define.js";

export const getViewportScreenshot = defineCommand({
  name: "get_viewport_screenshot",
  params: z.strictObject({
    max_size: z
      .number()
      .int()
      .min(16)
      .max(4096)
      .default(800)
      .describe("Longest side in pixels"),
    filepath: z
      .string()
      .optional()
      .describe("Also write the PNG here"),
  }),
  result: z.object({
    filepath: z.string().nullable().describe("Where the PNG was written, or null"),
    width: z.number().int(),
    height: z.number().int(),
    png_base64: z.string().describe("The PNG file, base64-encoded"),
  }),
  omitFromToolResult: ["png_base64"],
  example: {
    params: { max_size: 16 },
    result: {
      filepath: null,
      width: 16,
      height: 9,
      png_base64:
        "iVBORw0KGgoAAAANSUhEUgAAABAAAAAJCAYAAAA7KqwyAAABAUlEQVR42hXMkVaGQRAA0B4njuP45ziO4ziOwz3RQjDUWRwcHJw3qfvB1Xt3f/v6e+CRJ24888Irb7zzwSdffPPDL3f3tyVYgiVYgiVYgiVYgiVYgiVYgiVYgiVYV7AFW7AFW7AFW7AFW7AFW7AFW7AFW7AF+wpCEIIQhCAEIQhBCEIQghCEIAQhCEFcwREcwREcwREcwREcwREcwREcwREcwRGcK0hBClKQghSkIAUpSEEKUpCCFKQgBXkFJShBCUpQghKUoAQlKEEJSlCCEpSgrqAFLWhBC1rQgha0oAUtaEELWtCCFvQVjGAEIxjBCEYwghGMYAQjGMEIRjCC+fsHpSdpMIL1IdcAAAAASUVORK5CYII=",
    },
  },
  gate: null,
  toolset: "view",
  // Writing a file is no change to the scene: nothing to undo.
  undoStep: false,
  timeout: { defaultSeconds: 30, maxSeconds: 120 },
  tool: {
    name: "blender_get_viewport_screenshot",
    title: "Viewport screenshot",
    description:
      "The largest 3D viewport as a PNG image: check what a change looks like.",
    // Not read-only: given filepath, it writes (and may overwrite) a file.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  },
});
