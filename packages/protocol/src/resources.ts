/**
 * MCP resources: read-only views a client can attach as context. Each field
 * is MCP's own (Resource, ResourceTemplate), so a server lists them as they are.
 */
export interface ResourceDef {
  uri: string;
  /** Identifier; clients show title where they can. */
  name: string;
  title: string;
  description: string;
  mimeType: "application/json";
}

export interface ResourceTemplateDef {
  /** An RFC 6570 template; its variables complete with completeResourceArgument. */
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType: "application/json";
}

export const RESOURCES: readonly ResourceDef[] = [
  {
    uri: "blender://clients",
    name: "clients",
    title: "Connected Blenders",
    description: "The Blender instances connected to your bus (JSON)",
    mimeType: "application/json",
  },
  {
    uri: "blender://jobs",
    name: "jobs",
    title: "Recent jobs",
    description:
      "Your most recent jobs (JSON). Subscribe to it to receive every job event on your bus as a " +
      "_message_bus log notification, not only those of jobs this session sent",
    mimeType: "application/json",
  },
  {
    uri: "blender://scene/info",
    name: "scene-info",
    title: "Scene summary",
    description: "Summary of the active scene in the only connected Blender (JSON, first page of objects)",
    mimeType: "application/json",
  },
  {
    uri: "blender://scene/objects",
    name: "scene-objects",
    title: "Scene objects",
    description: "Every object in the active scene of the only connected Blender (JSON, all pages)",
    mimeType: "application/json",
  },
];

/** Per-Blender views, by the uuid blender_list_clients gives. */
export const RESOURCE_TEMPLATES: readonly ResourceTemplateDef[] = [
  {
    uriTemplate: "blender://clients/{uuid}/scene/info",
    name: "client-scene-info",
    title: "Scene summary of one Blender",
    description: "Scene summary of one connected Blender, by uuid (JSON)",
    mimeType: "application/json",
  },
  {
    uriTemplate: "blender://clients/{uuid}/scene/objects",
    name: "client-scene-objects",
    title: "Scene objects of one Blender",
    description: "Every object in the active scene of one connected Blender, by uuid (JSON)",
    mimeType: "application/json",
  },
];
