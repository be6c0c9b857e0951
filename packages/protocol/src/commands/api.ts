import { z } from "zod";
import { defineCommand, READ_ONLY } from "./define.js";
import { Page, PageResult } from "./shared.js";

export const API_KINDS = ["type", "property", "function", "operator"] as const;

const EnumItem = z.object({ identifier: z.string(), name: z.string() });

/** A property, or a parameter of a function or operator, as the running Blender's RNA describes it. */
const PropertyInfo = z.object({
  name: z.string(),
  type: z.string().describe("BOOLEAN, INT, FLOAT, STRING, ENUM, POINTER or COLLECTION"),
  description: z.string(),
  array_length: z.number().int().describe("0 for a single value"),
  default: z.unknown().optional(),
  subtype: z.string().optional(),
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  readonly: z.boolean(),
  required: z.boolean().optional(),
  enum_items: z.array(EnumItem).optional().describe("For ENUM; items that depend on the file (engines) included"),
  enum_flag: z.boolean().optional().describe("The value is a set of items"),
  fixed_type: z.string().optional().describe("Type id of a POINTER or of a COLLECTION's items"),
});

export const searchApi = defineCommand({
  name: "search_api",
  params: z.strictObject({
    query: z.string().min(1).describe("Words or a dotted name, e.g. 'object location' or 'Action.slots'"),
    kind: z.enum(API_KINDS).optional(),
    offset: Page.offset,
    limit: z.number().int().min(1).max(200).default(20).describe("How many hits to return at most (1-200)"),
  }),
  result: z.object({
    blender_version: z.string(),
    hits: z.array(z.object({ id: z.string(), kind: z.enum(API_KINDS), description: z.string() })),
    ...PageResult,
  }),
  gate: null,
  toolset: "api",
  timeout: { defaultSeconds: 30, maxSeconds: 120 },
  example: {
    params: { query: "location", kind: "property", limit: 2 },
    result: {
      blender_version: "4.3.2",
      hits: [
        { id: "bpy.types.Object.location", kind: "property", description: "FLOAT[3] translation: Location of the object" },
        { id: "bpy.types.PoseBone.location", kind: "property", description: "FLOAT[3] translation: Location of the bone" },
      ],
      offset: 0,
      total: 120,
      next_offset: 2,
    },
  },
  tool: {
    name: "blender_search_api",
    title: "Search the Blender API",
    description:
      "Find bpy types, properties, functions and operators (and mathutils/bmesh) by words, in the connected " +
      "Blender's own version. Then blender_get_api for details.",
    annotations: READ_ONLY,
  },
});

export const getApi = defineCommand({
  name: "get_api",
  params: z.strictObject({
    id: z.string().min(1).describe("e.g. bpy.types.Object.location, bpy.ops.mesh.primitive_cube_add, mathutils.Vector"),
    offset: Page.offset,
    limit: z.number().int().min(1).max(500).default(100).describe("Members of a type to return at most"),
  }),
  result: z.object({
    blender_version: z.string(),
    id: z.string(),
    kind: z.enum(API_KINDS),
    description: z.string(),
    doc: z.string().describe("Python docstring or signature, where there is one"),
    property: PropertyInfo.nullable().describe("For a property"),
    parameters: z.array(PropertyInfo).describe("Of a function or operator"),
    returns: z.array(PropertyInfo).describe("Of a function"),
    base: z.string().nullable().describe("Id of a type's base type; its members are not repeated"),
    members: z
      .array(z.object({ id: z.string(), kind: z.enum(API_KINDS), description: z.string() }))
      .describe("One page of a type's own properties and functions"),
    ...PageResult,
  }),
  gate: null,
  toolset: "api",
  timeout: { defaultSeconds: 30, maxSeconds: 120 },
  example: {
    params: { id: "bpy.types.Object.location" },
    result: {
      blender_version: "4.3.2",
      id: "bpy.types.Object.location",
      kind: "property",
      description: "Location of the object",
      doc: "",
      property: {
        name: "location",
        type: "FLOAT",
        description: "Location of the object",
        array_length: 3,
        default: [0, 0, 0],
        subtype: "TRANSLATION",
        unit: "LENGTH",
        readonly: false,
      },
      parameters: [],
      returns: [],
      base: null,
      members: [],
      offset: 0,
      total: 0,
      next_offset: null,
    },
  },
  tool: {
    name: "blender_get_api",
    title: "Describe a Blender API entry",
    description:
      "One bpy/mathutils/bmesh entry by id, from the connected Blender: property type, default, enum items, " +
      "units; function and operator parameters; a type's base and members (paged).",
    annotations: READ_ONLY,
  },
});
