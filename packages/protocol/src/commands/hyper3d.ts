/**
 * Hyper3D Rodin: generate a 3D model from text or images, through the main
 * site (hyperhuman.deemos.com/api/v2) or fal.ai's queue API.
 */
import { z } from "zod";
import { defineCommand } from "./define.js";
import { API_TIMEOUT, AssetId, DOWNLOAD_TIMEOUT, IMPORTS, ImportedObject, IntegrationStatus } from "./assets.js";

const Backend = z.enum(["main_site", "fal_ai"]).describe("Which Rodin service this Blender is set up for");
const TaskUuid = AssetId.describe("main_site: task_uuid from blender_generate_hyper3d_model");
const RequestId = AssetId.describe("fal_ai: request_id from blender_generate_hyper3d_model");

export const getHyper3dStatus = defineCommand({
  name: "get_hyper3d_status",
  params: z.strictObject({}),
  result: z.object({
    ...IntegrationStatus,
    backend: Backend,
    key_set: z.boolean().describe("Whether an API key is configured (the key itself is never returned)"),
  }),
  gate: null,
  toolset: "hyper3d",
  timeout: { defaultSeconds: 15, maxSeconds: 60 },
  example: {
    params: {},
    result: {
      enabled: true,
      base_url: "https://hyperhuman.deemos.com",
      message: "Hyper3D Rodin is on (main_site).",
      backend: "main_site",
      key_set: true,
    },
  },
  tool: {
    name: "blender_get_hyper3d_status",
    title: "Hyper3D Rodin status",
    description:
      "Whether Hyper3D Rodin generation (a 3D model from text or images) is switched on in this Blender, which " +
      "service it uses (main_site or fal_ai) and whether a key is set; says how to switch it on if not.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
});

export const generateHyper3dModel = defineCommand({
  name: "generate_hyper3d_model",
  params: z.strictObject({
    text_prompt: z.string().min(1).max(2000).optional().describe("What to generate, in English"),
    image_paths: z
      .array(z.string().min(1))
      .max(5)
      .optional()
      .describe("PNG, JPEG or WebP files on Blender's machine to generate from (instead of or with text)"),
    bbox_condition: z
      .array(z.number().positive())
      .length(3)
      .optional()
      .describe("Proportions of the bounding box, width, height, length"),
  }),
  result: z.object({
    backend: Backend,
    task_uuid: z.string().nullable().describe("main_site: pass to blender_import_hyper3d_model"),
    subscription_key: z.string().nullable().describe("main_site: pass to blender_poll_hyper3d_job"),
    request_id: z.string().nullable().describe("fal_ai: pass to blender_poll_hyper3d_job and blender_import_hyper3d_model"),
  }),
  gate: "hyper3d",
  toolset: "hyper3d",
  timeout: API_TIMEOUT,
  example: {
    params: { text_prompt: "a small wooden stool" },
    result: {
      backend: "main_site",
      task_uuid: "b2d4c7a1-5f3e-4b8e-9d2a-0c1e2f3a4b5c",
      subscription_key: "eyJhbGciOiJIUzI1NiJ9.job",
      request_id: null,
    },
  },
  tool: {
    name: "blender_generate_hyper3d_model",
    title: "Generate a model with Hyper3D Rodin",
    description:
      "Start generating a 3D model from a text prompt and/or reference images. Returns at once with the ids to poll " +
      "with blender_poll_hyper3d_job; when it reports done, import with blender_import_hyper3d_model. Uses credits.",
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  },
});

export const pollHyper3dJob = defineCommand({
  name: "poll_hyper3d_job",
  params: z.strictObject({
    subscription_key: z.string().min(1).max(4096).optional().describe("main_site: from blender_generate_hyper3d_model"),
    request_id: RequestId.optional(),
  }),
  result: z.object({
    backend: Backend,
    done: z.boolean().describe("True when the model can be imported"),
    failed: z.boolean(),
    statuses: z.array(z.string()).describe("The service's own status words, one per sub-job"),
  }),
  gate: "hyper3d",
  toolset: "hyper3d",
  timeout: API_TIMEOUT,
  example: {
    params: { subscription_key: "eyJhbGciOiJIUzI1NiJ9.job" },
    result: { backend: "main_site", done: false, failed: false, statuses: ["Done", "Generating"] },
  },
  tool: {
    name: "blender_poll_hyper3d_job",
    title: "Poll a Hyper3D Rodin job",
    description:
      "Check a generation started by blender_generate_hyper3d_model (pass subscription_key on main_site, request_id " +
      "on fal_ai). Generation takes a minute or more: poll every 10-20 seconds until done.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
});

export const importHyper3dModel = defineCommand({
  name: "import_hyper3d_model",
  params: z.strictObject({
    task_uuid: TaskUuid.optional(),
    request_id: RequestId.optional(),
    name: z.string().min(1).max(63).describe("Name for the imported object"),
    target_size: z.number().positive().max(10000).optional().describe("Scale so the largest side is this long; omit to keep"),
  }),
  result: z.object({
    bytes: z.number().int(),
    objects: z.array(ImportedObject),
  }),
  gate: "hyper3d",
  toolset: "hyper3d",
  timeout: DOWNLOAD_TIMEOUT,
  runsLong: true,
  example: {
    params: { task_uuid: "b2d4c7a1-5f3e-4b8e-9d2a-0c1e2f3a4b5c", name: "Stool" },
    result: { bytes: 80211, objects: [{ name: "Stool", type: "MESH", dimensions: [0.9, 0.9, 1] }] },
  },
  tool: {
    name: "blender_import_hyper3d_model",
    title: "Import a Hyper3D Rodin model",
    description:
      "Download a finished Rodin generation (GLB) and import it as one named object. Runs in the background with progress.",
    annotations: IMPORTS,
  },
});
