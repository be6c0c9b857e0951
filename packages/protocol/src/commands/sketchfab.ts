/** Sketchfab (api.sketchfab.com/v3, API token): search, preview and download downloadable models as glTF. */
import { z } from "zod";
import { defineCommand } from "./define.js";
import {
  API_TIMEOUT,
  AssetId,
  DOWNLOAD_TIMEOUT,
  IMPORTS,
  ImportedObject,
  IntegrationStatus,
  ProviderText,
  QUERIES,
  THIRD_PARTY_NOTE,
} from "./assets.js";

const Uid = AssetId.describe("Model uid from blender_search_sketchfab_models");

export const getSketchfabStatus = defineCommand({
  name: "get_sketchfab_status",
  params: z.strictObject({}),
  result: z.object({
    ...IntegrationStatus,
    token_set: z.boolean().describe("Whether an API token is configured (the token itself is never returned)"),
    token_valid: z.boolean().nullable().describe("Whether Sketchfab accepted the token; null when not checked"),
  }),
  gate: null,
  toolset: "sketchfab",
  timeout: API_TIMEOUT,
  example: {
    params: {},
    result: {
      enabled: true,
      base_url: "https://api.sketchfab.com",
      message: "Sketchfab is on and the token works.",
      token_set: true,
      token_valid: true,
    },
  },
  tool: {
    name: "blender_get_sketchfab_status",
    title: "Sketchfab status",
    description:
      "Whether the Sketchfab integration is switched on in this Blender and its API token works (checked against " +
      "Sketchfab), and how to fix it if not. Check it before the other Sketchfab tools.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
});

const ModelSummary = z.object({
  uid: z.string(),
  is_downloadable: z.boolean(),
  license: z.string().nullable().describe("License label, e.g. CC Attribution"),
  face_count: z.number().int().nullable(),
  viewer_url: z.string().nullable(),
  provider_text: ProviderText,
});

export const searchSketchfabModels = defineCommand({
  name: "search_sketchfab_models",
  params: z.strictObject({
    query: z.string().min(1).max(200).describe("Search words"),
    categories: z.string().max(200).optional().describe("Comma-separated Sketchfab category slugs"),
    downloadable: z.boolean().default(true).describe("Only models you may download"),
    count: z.number().int().min(1).max(24).default(20).describe("Results per page (Sketchfab's cap is 24)"),
    cursor: z.string().max(200).optional().describe("next_cursor of the previous page"),
  }),
  result: z.object({
    models: z.array(ModelSummary),
    next_cursor: z.string().nullable().describe("Pass as cursor for the next page; null on the last"),
  }),
  gate: "sketchfab",
  toolset: "sketchfab",
  timeout: API_TIMEOUT,
  example: {
    params: { query: "chair", count: 1 },
    result: {
      models: [
        {
          uid: "4737a3b84e00415b9d8bb42ae44285b2",
          is_downloadable: true,
          license: "CC Attribution",
          face_count: 1200,
          viewer_url: "https://sketchfab.com/3d-models/4737a3b84e00415b9d8bb42ae44285b2",
          provider_text: { source: "third_party", provider: "sketchfab", name: "Wooden chair", description: "", authors: ["someone"] },
        },
      ],
      next_cursor: "24",
    },
  },
  tool: {
    name: "blender_search_sketchfab_models",
    title: "Search Sketchfab",
    description:
      "Search Sketchfab's models (downloadable ones by default), one page at a time (cursor=next_cursor for more). " +
      "Look at one with blender_get_sketchfab_model_preview before downloading. " +
      THIRD_PARTY_NOTE,
    annotations: QUERIES,
  },
});

export const getSketchfabModelPreview = defineCommand({
  name: "get_sketchfab_model_preview",
  params: z.strictObject({ uid: Uid }),
  result: z.object({
    uid: z.string(),
    width: z.number().int(),
    height: z.number().int(),
    thumbnail_base64: z.string().describe("The thumbnail image file (JPEG or PNG), base64-encoded"),
    model: ModelSummary,
  }),
  omitFromToolResult: ["thumbnail_base64"],
  gate: "sketchfab",
  toolset: "sketchfab",
  timeout: API_TIMEOUT,
  example: {
    params: { uid: "4737a3b84e00415b9d8bb42ae44285b2" },
    result: {
      uid: "4737a3b84e00415b9d8bb42ae44285b2",
      width: 1,
      height: 1,
      thumbnail_base64: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC",
      model: {
        uid: "4737a3b84e00415b9d8bb42ae44285b2",
        is_downloadable: true,
        license: "CC Attribution",
        face_count: 1200,
        viewer_url: null,
        provider_text: { source: "third_party", provider: "sketchfab", name: "Wooden chair", description: "", authors: ["someone"] },
      },
    },
  },
  tool: {
    name: "blender_get_sketchfab_model_preview",
    title: "Sketchfab model preview",
    description:
      "Fetch a Sketchfab model's details and its thumbnail, returned as an image, to judge it before downloading. " +
      THIRD_PARTY_NOTE,
    annotations: QUERIES,
  },
});

export const downloadSketchfabModel = defineCommand({
  name: "download_sketchfab_model",
  params: z.strictObject({
    uid: Uid,
    target_size: z
      .number()
      .positive()
      .max(10000)
      .default(1)
      .describe("Scale the model so its largest side is this long, in scene units (metres)"),
  }),
  result: z.object({
    uid: z.string(),
    bytes: z.number().int().describe("Size of the downloaded archive"),
    scale: z.number().describe("Factor applied to fit target_size"),
    dimensions: z.array(z.number()).length(3).describe("World-space size of the whole import after scaling"),
    objects: z.array(ImportedObject),
  }),
  gate: "sketchfab",
  toolset: "sketchfab",
  timeout: DOWNLOAD_TIMEOUT,
  runsLong: true,
  example: {
    params: { uid: "4737a3b84e00415b9d8bb42ae44285b2", target_size: 1 },
    result: {
      uid: "4737a3b84e00415b9d8bb42ae44285b2",
      bytes: 48213,
      scale: 0.5,
      dimensions: [1, 0.5, 0.8],
      objects: [{ name: "Chair", type: "MESH", dimensions: [1, 0.5, 0.8] }],
    },
  },
  tool: {
    name: "blender_download_sketchfab_model",
    title: "Download a Sketchfab model",
    description:
      "Download a downloadable Sketchfab model as glTF and import it, scaled so its largest side is target_size. " +
      "Runs in the background with progress; the archive is unpacked with size and path checks.",
    annotations: IMPORTS,
  },
});
