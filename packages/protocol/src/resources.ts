/** MCP resources: read-only views a client can attach as context. */
import { z } from "zod";

/** Every fixed resource URI; the server registers these and nothing else. */
export const RESOURCE_URIS = {
  clients: "blender://clients",
  jobs: "blender://jobs",
  sceneInfo: "blender://scene/info",
  sceneObjects: "blender://scene/objects",
} as const;

/** Per-Blender resources (RFC 6570 templates); clientResourceUri fills one in. */
export const RESOURCE_TEMPLATES = {
  clientSceneInfo: "blender://clients/{uuid}/scene/info",
  clientSceneObjects: "blender://clients/{uuid}/scene/objects",
} as const;

export const ResourceUri = z.enum(Object.values(RESOURCE_URIS)).describe("A fixed MCP resource URI");
export type ResourceUri = z.infer<typeof ResourceUri>;
export type ResourceTemplate = (typeof RESOURCE_TEMPLATES)[keyof typeof RESOURCE_TEMPLATES];

export function clientResourceUri(template: ResourceTemplate, uuid: string): string {
  // Client uuids are ID_PATTERN characters only, all of them safe in a URI path.
  return template.replace("{uuid}", uuid);
}

export interface ResourceDef {
  uri: ResourceUri;
  name: string;
  description: string;
}

export const RESOURCES: readonly ResourceDef[] = [
  {
    uri: RESOURCE_URIS.clients,
    name: "clients",
    description: "The Blender instances connected to your bus (JSON)",
  },
  {
    uri: RESOURCE_URIS.jobs,
    name: "jobs",
    description:
      "Your most recent jobs (JSON). Subscribe to it to receive every job event on your bus as a " +
      "_message_bus log notification, not only those of jobs this session sent",
  },
  {
    uri: RESOURCE_URIS.sceneInfo,
    name: "scene-info",
    description: "Summary of the active scene in the only connected Blender (JSON, first page of objects)",
  },
  {
    uri: RESOURCE_URIS.sceneObjects,
    name: "scene-objects",
    description: "Every object in the active scene of the only connected Blender (JSON, all pages)",
  },
];
