/** Poly Haven (api.polyhaven.com, no key): HDRIs, PBR textures and models, all CC0. */
import { z } from "zod";
import { defineCommand } from "./define.js";
import { Page, PageResult } from "./shared.js";
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

const AssetType = z.enum(["hdris", "textures", "models"]);
const Resolution = z
  .string()
  .regex(/^[1-9][0-9]?k$/)
  .default("1k")
  .describe("Resolution as Poly Haven names it: 1k, 2k, 4k, 8k, ...");

export const getPolyhavenStatus = defineCommand({
  name: "get_polyhaven_status",
  params: z.strictObject({}),
  result: z.object({ ...IntegrationStatus }),
  gate: null,
  toolset: "polyhaven",
  timeout: { defaultSeconds: 15, maxSeconds: 60 },
  example: {
    params: {},
    result: { enabled: true, base_url: "https://api.polyhaven.com", message: "Poly Haven is on: search, then download." },
  },
  tool: {
    name: "blender_get_polyhaven_status",
    title: "Poly Haven status",
    description:
      "Whether the Poly Haven integration (free CC0 HDRIs, PBR textures and models, no account) is switched on in " +
      "this Blender, and how to switch it on if not. Check it before the other Poly Haven tools.",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
});

export const getPolyhavenCategories = defineCommand({
  name: "get_polyhaven_categories",
  params: z.strictObject({
    asset_type: z.enum(["hdris", "textures", "models", "all"]).default("all"),
  }),
  result: z.object({
    asset_type: z.string(),
    categories: z
      .array(z.object({ name: z.string(), count: z.number().int() }))
      .describe("Category names with how many assets each holds, largest first"),
  }),
  gate: "polyhaven",
  toolset: "polyhaven",
  timeout: API_TIMEOUT,
  example: {
    params: { asset_type: "hdris" },
    result: { asset_type: "hdris", categories: [{ name: "all", count: 3 }, { name: "outdoor", count: 2 }] },
  },
  tool: {
    name: "blender_get_polyhaven_categories",
    title: "Poly Haven categories",
    description: "List Poly Haven's categories for one asset type (hdris, textures, models, or all), with asset counts.",
    annotations: QUERIES,
  },
});

export const searchPolyhavenAssets = defineCommand({
  name: "search_polyhaven_assets",
  params: z.strictObject({
    asset_type: z.enum(["hdris", "textures", "models", "all"]).default("all"),
    categories: z.array(z.string().min(1).max(64)).max(8).optional().describe("Only assets in all of these categories"),
    query: z.string().max(100).optional().describe("Only assets whose id, name or tags contain this text (case-insensitive)"),
    ...Page,
    limit: z.number().int().min(1).max(100).default(20).describe("How many assets to return at most (1-100)"),
  }),
  result: z.object({
    assets: z.array(
      z.object({
        id: z.string().describe("Pass to blender_download_polyhaven_asset"),
        type: AssetType,
        categories: z.array(z.string()),
        tags: z.array(z.string()),
        max_resolution: z.array(z.number().int()).describe("Largest available width and height in pixels"),
        download_count: z.number().int(),
        provider_text: ProviderText,
      }),
    ).describe("One page of matches, most downloaded first"),
    ...PageResult,
  }),
  gate: "polyhaven",
  toolset: "polyhaven",
  timeout: API_TIMEOUT,
  example: {
    params: { asset_type: "hdris", categories: ["outdoor"], limit: 1 },
    result: {
      assets: [
        {
          id: "kloofendal_43d_clear_puresky",
          type: "hdris",
          categories: ["outdoor", "skies"],
          tags: ["clear", "sunny"],
          max_resolution: [16384, 8192],
          download_count: 1200,
          provider_text: {
            source: "third_party",
            provider: "polyhaven",
            name: "Kloofendal 43d Clear (Pure Sky)",
            description: "",
            authors: ["Greg Zaal"],
          },
        },
      ],
      offset: 0,
      total: 2,
      next_offset: 1,
    },
  },
  tool: {
    name: "blender_search_polyhaven_assets",
    title: "Search Poly Haven",
    description:
      "Search Poly Haven's HDRIs, textures and models by type, categories and text, most downloaded first, one page " +
      "at a time (offset=next_offset for more). " +
      THIRD_PARTY_NOTE,
    annotations: QUERIES,
  },
});

export const downloadPolyhavenAsset = defineCommand({
  name: "download_polyhaven_asset",
  params: z.strictObject({
    asset_id: AssetId.describe("Id from blender_search_polyhaven_assets"),
    asset_type: AssetType,
    resolution: Resolution,
    file_format: z
      .enum(["hdr", "exr", "jpg", "png", "gltf", "fbx"])
      .optional()
      .describe("hdris: hdr (default) or exr; textures: jpg (default) or png; models: gltf (default) or fbx"),
  }),
  result: z.object({
    asset_id: z.string(),
    asset_type: AssetType,
    resolution: z.string(),
    file_format: z.string(),
    bytes: z.number().int().describe("Bytes downloaded"),
    world: z.string().nullable().describe("hdris: the world now lit by the HDRI"),
    image: z.string().nullable().describe("hdris: the environment image"),
    material: z.string().nullable().describe("textures: the new PBR material"),
    maps: z.array(z.string()).describe("textures: the maps wired into the material (diffuse, normal, roughness, ...)"),
    objects: z.array(ImportedObject).describe("models: the imported objects"),
  }),
  gate: "polyhaven",
  toolset: "polyhaven",
  timeout: DOWNLOAD_TIMEOUT,
  runsLong: true,
  example: {
    params: { asset_id: "kloofendal_43d_clear_puresky", asset_type: "hdris", resolution: "1k" },
    result: {
      asset_id: "kloofendal_43d_clear_puresky",
      asset_type: "hdris",
      resolution: "1k",
      file_format: "hdr",
      bytes: 1520000,
      world: "World",
      image: "kloofendal_43d_clear_puresky_1k.hdr",
      material: null,
      maps: [],
      objects: [],
    },
  },
  tool: {
    name: "blender_download_polyhaven_asset",
    title: "Download a Poly Haven asset",
    description:
      "Download a Poly Haven asset into Blender: an HDRI becomes the world's environment light, a texture becomes a " +
      "PBR material (diffuse, normal, roughness, ... maps), a model is imported. Runs in the background with " +
      "progress; Blender stays responsive. Apply a texture to an object with blender_set_texture.",
    // An HDRI replaces the world's node tree.
    annotations: { ...IMPORTS, destructiveHint: true },
  },
});

export const setTexture = defineCommand({
  name: "set_texture",
  params: z.strictObject({
    object_name: z.string().min(1).describe("Exact name of a mesh object"),
    texture_id: AssetId.describe("Id of a Poly Haven texture"),
    resolution: Resolution,
    file_format: z.enum(["jpg", "png"]).default("jpg"),
  }),
  result: z.object({
    object: z.string(),
    material: z.string(),
    maps: z.array(z.string()),
    downloaded: z.boolean().describe("False when the material from an earlier download was reused"),
  }),
  gate: "polyhaven",
  toolset: "polyhaven",
  timeout: DOWNLOAD_TIMEOUT,
  example: {
    params: { object_name: "Cube", texture_id: "brick_wall_001" },
    result: { object: "Cube", material: "brick_wall_001_1k", maps: ["diffuse", "normal", "roughness"], downloaded: true },
  },
  tool: {
    name: "blender_set_texture",
    title: "Apply a Poly Haven texture",
    description:
      "Make a Poly Haven texture the only material of a mesh object, downloading it first unless an earlier download " +
      "at that resolution is in the file.",
    // Replaces the object's materials; a repeat reuses the material it made, so it changes nothing more.
    annotations: { ...IMPORTS, destructiveHint: true, idempotentHint: true },
  },
});
