import { z } from "zod";
import { defineCommand, READ_ONLY } from "./define.js";

export const VIEW_NAMES = ["front", "back", "left", "right", "top", "bottom", "camera", "user"] as const;

export const getViews = defineCommand({
  name: "get_views",
  params: z.strictObject({
    views: z
      .array(z.enum(VIEW_NAMES))
      .min(1)
      .max(9)
      .default(["front", "right", "top", "user"])
      .describe("Axis views are orthographic; user is the current viewport"),
    frame: z
      .array(z.string().min(1))
      .optional()
      .describe("Objects to frame"),
    size: z.number().int().min(64).max(768).default(384).describe("Cell side in pixels"),
  }),
  result: z.object({
    width: z.number().int(),
    height: z.number().int(),
    cells: z
      .array(
        z.object({
          view: z.string(),
          x: z.number().int(),
          y: z.number().int(),
          size: z.number().int(),
        }),
      )
      .describe("Where each view is in the image (top-left origin)"),
    png_base64: z.string().describe("The grid as a PNG, base64-encoded"),
  }),
  omitFromToolResult: ["png_base64"],
  gate: null,
  toolset: "view",
  timeout: { defaultSeconds: 30, maxSeconds: 120 },
  example: {
    params: { views: ["front", "top"], size: 64 },
    result: {
      width: 128,
      height: 64,
      cells: [
        { view: "front", x: 0, y: 0, size: 64 },
        { view: "top", x: 64, y: 0, size: 64 },
      ],
      png_base64:
        "iVBORw0KGgoAAAANSUhEUgAAAIAAAABACAIAAABdtOgoAAAAv0lEQVR4nO3RQQnAQADEwNNZEaekoiuij7AwEAWZ89x3uvc+0538IIB+IoDh8oMA+okAhgMAAMB0+UEA/UQAwwEAAGC6/CCAfiKA4QAAADBdfhBAPxHAcAAAAJguPwignwhgOAAAAEyXHwTQTwQwHAAAAKbLDwLoJwIYDgAAANPlBwH0EwEMBwAAgOnygwD6iQCGAwAAwHT5QQD9RADDAQAAYLr8IIB+IoDhAAAAMF1+EEA/EcBwAAAAmC4/+LMPPviCd/q882gAAAAASUVORK5CYII=",
    },
  },
  tool: {
    name: "blender_get_views",
    title: "Views",
    description:
      "Several viewpoints (axis views, camera, current viewport) in one labelled grid image: cheaper than " +
      "several screenshots for checking shape and placement.",
    annotations: READ_ONLY,
  },
});
