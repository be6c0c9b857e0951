import { z } from "zod";
import { defineCommand } from "./define.js";

export const executeCode = defineCommand({
  name: "execute_code",
  params: z.strictObject({
    code: z.string().min(1).describe("Python source to run in Blender; bpy, bmesh and mathutils are already imported"),
  }),
  result: z.object({
    stdout: z.string().describe("What the code printed"),
    stderr: z.string().describe("What the code wrote to stderr"),
    truncated: z.boolean().describe("True when output was cut to the addon's limit (marked in the text)"),
  }),
  gate: "execute_code",
  example: {
    params: { code: "import bpy\nprint(len(bpy.data.objects))" },
    result: { stdout: "3\n", stderr: "", truncated: false },
  },
  timeout: { defaultSeconds: 60, maxSeconds: 600 },
  tool: {
    name: "blender_execute_code",
    title: "Execute Python in Blender",
    description:
      "Run Python inside Blender on its main thread and return what it printed. bpy, bmesh and mathutils are " +
      "preloaded; each call starts with fresh globals, so put multi-step work in one call. print() what you need " +
      "back. On an exception the status is failed and the error holds the traceback, trimmed to your code.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
});
