import { z } from "zod";
import { defineCommand } from "./define.js";

export const executeCode = defineCommand({
  name: "execute_code",
  params: z.strictObject({
    code: z.string().min(1).describe("Python source"),
  }),
  result: z.object({
    stdout: z.string().describe("What the code printed"),
    stderr: z.string().describe("What the code wrote to stderr"),
    truncated: z.boolean().describe("True when output was cut to the addon's limit (marked in the text)"),
  }),
  gate: "execute_code",
  toolset: "code",
  example: {
    params: { code: "import bpy\nprint(len(bpy.data.objects))" },
    result: { stdout: "3\n", stderr: "", truncated: false },
  },
  timeout: { defaultSeconds: 60, maxSeconds: 600 },
  runsLong: true,
  tool: {
    name: "blender_execute_code",
    title: "Run Python",
    description:
      "Run Python in Blender (bpy, bmesh, mathutils imported; fresh globals each call); returns what it prints. " +
      "An exception fails the job with the traceback and undoes its changes.",
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  },
});
