import { z } from "zod";
import { defineCommand, READ_ONLY } from "./define.js";
import { Page, PageResult, Vector3 } from "./shared.js";

const ObjectSummary = z.object({
  name: z.string(),
  type: z.string().describe("Blender object type: MESH, CAMERA, LIGHT, EMPTY, ..."),
  location: Vector3,
  visible: z.boolean().describe("Visible in the viewport"),
  parent: z.string().nullable().describe("Name of the parent object, if any"),
});

export const getSceneInfo = defineCommand({
  name: "get_scene_info",
  params: z.strictObject({ ...Page }),
  result: z.object({
    scene: z.string().describe("Name of the active scene"),
    blend_file: z.string().describe("Path of the open .blend file; empty when unsaved"),
    frame_current: z.number().int(),
    frame_start: z.number().int(),
    frame_end: z.number().int(),
    render_engine: z.string(),
    unit_system: z.string(),
    collections: z.array(z.string()).describe("Names of the scene's collections"),
    materials_count: z.number().int(),
    objects: z.array(ObjectSummary).describe("One page of the scene's objects, in name order"),
    ...PageResult,
  }),
  gate: null,
  toolset: "scene",
  timeout: { defaultSeconds: 15, maxSeconds: 120 },
  example: {
    params: {},
    result: {
      scene: "Scene",
      blend_file: "",
      frame_current: 1,
      frame_start: 1,
      frame_end: 250,
      render_engine: "BLENDER_EEVEE",
      unit_system: "METRIC",
      collections: ["Collection"],
      materials_count: 1,
      objects: [
        { name: "Camera", type: "CAMERA", location: [7.36, -6.93, 4.96], visible: true, parent: null },
        { name: "Cube", type: "MESH", location: [0, 0, 0], visible: true, parent: null },
        { name: "Light", type: "LIGHT", location: [4.08, 1.01, 5.9], visible: true, parent: null },
      ],
      offset: 0,
      total: 3,
      next_offset: null,
    },
  },
  tool: {
    name: "blender_get_scene_info",
    title: "Get scene info",
    description:
      "The active scene: frame range, engine, collections and a page of objects; continue with " +
      "offset=next_offset. Start here.",
    annotations: READ_ONLY,
  },
});

export const getObjectInfo = defineCommand({
  name: "get_object_info",
  params: z.strictObject({
    name: z.string().min(1).describe("Exact object name"),
  }),
  result: z.object({
    name: z.string(),
    type: z.string(),
    location: Vector3,
    rotation_euler: Vector3.describe("Rotation in radians, x, y, z"),
    scale: Vector3,
    dimensions: Vector3.describe("Size of the bounding box in scene units"),
    visible: z.boolean(),
    parent: z.string().nullable(),
    collections: z.array(z.string()),
    materials: z.array(z.string()).describe("Material slots, in order; empty slots are omitted"),
    modifiers: z.array(z.object({ name: z.string(), type: z.string() })),
    mesh: z
      .object({ vertices: z.number().int(), edges: z.number().int(), polygons: z.number().int() })
      .nullable()
      .describe("Mesh statistics for MESH objects, otherwise null"),
    bounding_box_world: z
      .object({ min: Vector3, max: Vector3 })
      .describe("Axis-aligned bounding box in world space"),
  }),
  gate: null,
  toolset: "scene",
  timeout: { defaultSeconds: 15, maxSeconds: 120 },
  example: {
    params: { name: "Cube" },
    result: {
      name: "Cube",
      type: "MESH",
      location: [0, 0, 0],
      rotation_euler: [0, 0, 0],
      scale: [1, 1, 1],
      dimensions: [2, 2, 2],
      visible: true,
      parent: null,
      collections: ["Collection"],
      materials: ["Material"],
      modifiers: [],
      mesh: { vertices: 8, edges: 12, polygons: 6 },
      bounding_box_world: { min: [-1, -1, -1], max: [1, 1, 1] },
    },
  },
  tool: {
    name: "blender_get_object_info",
    title: "Get object info",
    description:
      "One object in detail: transform, dimensions, parent, collections, materials, modifiers, mesh counts, bounds.",
    annotations: READ_ONLY,
  },
});

export const browseData = defineCommand({
  name: "browse_data",
  params: z.strictObject({
    collection: z
      .string()
      .regex(/^[a-z_]+$/)
      .describe("bpy.data attribute, e.g. materials"),
    detail: z
      .enum(["names", "summary", "full"])
      .default("summary")
      .describe("summary: key properties; full: every simple one"),
    name_contains: z.string().optional().describe("Case-insensitive name filter"),
    ...Page,
  }),
  result: z.object({
    collection: z.string(),
    items: z
      .array(z.record(z.string(), z.unknown()))
      .describe("One page of items; each has at least 'name', plus properties by detail level"),
    ...PageResult,
  }),
  gate: null,
  toolset: "scene",
  timeout: { defaultSeconds: 15, maxSeconds: 120 },
  example: {
    params: { collection: "materials", detail: "summary" },
    result: {
      collection: "materials",
      items: [{ name: "Material", users: 1, use_nodes: true }],
      offset: 0,
      total: 1,
      next_offset: null,
    },
  },
  tool: {
    name: "blender_browse_data",
    title: "Browse Blender data",
    description:
      "Page through any bpy.data collection, filtered by name, to find data blocks that are not scene objects.",
    annotations: READ_ONLY,
  },
});
