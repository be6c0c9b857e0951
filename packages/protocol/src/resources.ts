/**
 * MCP resources: read-only views a client can attach as context. Each field
 * is MCP's own (Resource, ResourceTemplate), so a server lists them as they are.
 */
import { z } from "zod";

/** Every fixed resource URI; the server registers these and nothing else. */
export const RESOURCE_URIS = {
  clients: "blender://clients",
  jobs: "blender://jobs",
  sceneInfo: "blender://scene/info",
  sceneObjects: "blender://scene/objects",
} as const;

/** The MCP App's view (SEP-1865): the image tools link it for clients that render apps. */
export const VIEWER_URI = "ui://blender/viewer";

/** Per-Blender resources (RFC 6570 templates); clientResourceUri fills one in. */
export const TEMPLATE_URIS = {
  job: "blender://jobs/{job_id}",
  clientSceneInfo: "blender://clients/{uuid}/scene/info",
  clientSceneObjects: "blender://clients/{uuid}/scene/objects",
} as const;

export const ResourceUri = z.enum(Object.values(RESOURCE_URIS)).describe("A fixed MCP resource URI");
export type ResourceUri = z.infer<typeof ResourceUri>;
export type TemplateUri = (typeof TEMPLATE_URIS)[keyof typeof TEMPLATE_URIS];

export function clientResourceUri(template: TemplateUri, uuid: string): string {
  // Client uuids are ID_PATTERN characters only, all of them safe in a URI path.
  return template.replace("{uuid}", uuid);
}

/** A job's own resource; job ids are ID_PATTERN characters too. */
export const jobResourceUri = (jobId: string): string => TEMPLATE_URIS.job.replace("{job_id}", jobId);

export interface ResourceDef {
  uri: ResourceUri;
  /** Identifier; clients show title where they can. */
  name: string;
  title: string;
  description: string;
  mimeType: "application/json";
}

export interface ResourceTemplateDef {
  /** An RFC 6570 template; its variables complete with completeResourceArgument. */
  uriTemplate: TemplateUri;
  name: string;
  title: string;
  description: string;
  mimeType: "application/json";
}

export const RESOURCES: readonly ResourceDef[] = [
  {
    uri: RESOURCE_URIS.clients,
    name: "clients",
    title: "Connected Blenders",
    description: "The Blender instances connected to your bus (JSON)",
    mimeType: "application/json",
  },
  {
    uri: RESOURCE_URIS.jobs,
    name: "jobs",
    title: "Recent jobs",
    description:
      "Your most recent jobs (JSON). Subscribe to it to receive every job event on your bus as a " +
      "_message_bus log notification, not only those of jobs this session sent",
    mimeType: "application/json",
  },
  {
    uri: RESOURCE_URIS.sceneInfo,
    name: "scene-info",
    title: "Scene summary",
    description: "Summary of the active scene in the only connected Blender (JSON, first page of objects)",
    mimeType: "application/json",
  },
  {
    uri: RESOURCE_URIS.sceneObjects,
    name: "scene-objects",
    title: "Scene objects",
    description: "Every object in the active scene of the only connected Blender (JSON, all pages)",
    mimeType: "application/json",
  },
];

/** A job by its id, and per-Blender views by the uuid blender_list_clients gives. */
export const RESOURCE_TEMPLATES: readonly ResourceTemplateDef[] = [
  {
    uriTemplate: TEMPLATE_URIS.job,
    name: "job",
    title: "One job",
    description: "One of your jobs: status, result and error (JSON); subscribe to follow it",
    mimeType: "application/json",
  },
  {
    uriTemplate: TEMPLATE_URIS.clientSceneInfo,
    name: "client-scene-info",
    title: "Scene summary of one Blender",
    description: "Scene summary of one connected Blender, by uuid (JSON)",
    mimeType: "application/json",
  },
  {
    uriTemplate: TEMPLATE_URIS.clientSceneObjects,
    name: "client-scene-objects",
    title: "Scene objects of one Blender",
    description: "Every object in the active scene of one connected Blender, by uuid (JSON)",
    mimeType: "application/json",
  },
];
