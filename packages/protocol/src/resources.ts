/** MCP resources: read-only views a client can attach as context. */
export interface ResourceDef {
  uri: string;
  name: string;
  description: string;
}

export const RESOURCES: readonly ResourceDef[] = [
  {
    uri: "blender://clients",
    name: "clients",
    description: "The Blender instances connected to your bus (JSON)",
  },
  {
    uri: "blender://jobs",
    name: "jobs",
    description:
      "Your most recent jobs (JSON). Subscribe to it to receive every job event on your bus as a " +
      "_message_bus log notification, not only those of jobs this session sent",
  },
  {
    uri: "blender://scene/info",
    name: "scene-info",
    description: "Summary of the active scene in the only connected Blender (JSON, first page of objects)",
  },
  {
    uri: "blender://scene/objects",
    name: "scene-objects",
    description: "Every object in the active scene of the only connected Blender (JSON, all pages)",
  },
];
