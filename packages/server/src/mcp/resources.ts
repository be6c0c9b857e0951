/**
 * Read-only views: the caller's Blenders, its recent jobs, and the scene of
 * the only connected Blender (or of a named one, by template).
 */
import { McpServer, ResourceNotFoundError, ResourceTemplate } from "@modelcontextprotocol/server";
import {
  RESOURCES,
  RESOURCE_TEMPLATES,
  RESOURCE_URIS,
  TEMPLATE_URIS,
  clientResourceUri,
  completeResourceArgument,
  getSceneInfo,
  jobResourceUri,
  type DispatchOutcome,
  type Job,
} from "@blender-mcp/protocol";
import { CLIENTS_URI, JOBS_URI, UserBus } from "../bus/user-bus.js";
import { completionContext, type SessionContext } from "./context.js";
import { dispatchCommand } from "./dispatch.js";

const json = (uri: string, value: unknown) => ({ contents: [{ uri, mimeType: "application/json", text: JSON.stringify(value, null, 2) }] });

interface ScenePage {
  objects: unknown[];
  next_offset: number | null;
}

async function sceneInfo(ctx: SessionContext, targetUuid: string | undefined, offset: number, limit: number): Promise<ScenePage & Record<string, unknown>> {
  const outcome: DispatchOutcome = await dispatchCommand(ctx.bus, {
    command: getSceneInfo.name,
    params: { offset, limit },
    targetUuid,
    timeoutMs: getSceneInfo.timeout.defaultSeconds * 1000,
    origin: ctx.sessionId,
  });
  if (outcome.status !== "completed") throw new Error(`${outcome.status}: ${outcome.error}`);
  return outcome.result as ScenePage & Record<string, unknown>;
}

async function allObjects(ctx: SessionContext, targetUuid: string | undefined): Promise<unknown[]> {
  const objects: unknown[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page: ScenePage = await sceneInfo(ctx, targetUuid, offset, 1000);
    objects.push(...page.objects);
    offset = page.next_offset;
  }
  return objects;
}

/** Every job is a resource of its own: its status, result and error as it moves. */
export const jobUri = jobResourceUri;

/** The store is not told when a job starts running; the live record is. */
function liveView(ctx: SessionContext, job: Job): Job {
  const live = ctx.bus.getJob(job.job_id);
  return live ? UserBus.view(live) : job;
}

const fixed = (uri: string) => RESOURCES.find((r) => r.uri === uri)!;
const template = (uriTemplate: string) => RESOURCE_TEMPLATES.find((t) => t.uriTemplate === uriTemplate)!;
const meta = ({ title, description, mimeType }: { title: string; description: string; mimeType: string }) => ({ title, description, mimeType });

export function registerResources(server: McpServer, ctx: SessionContext): void {
  const fixedResource = (uri: string, read: (href: string) => Promise<ReturnType<typeof json>>) =>
    server.registerResource(fixed(uri).name, uri, meta(fixed(uri)), async (url) => read(url.href));
  fixedResource(CLIENTS_URI, async (href) => json(href, { clients: ctx.bus.listClients().map((c) => c.info()) }));
  fixedResource(JOBS_URI, async (href) => json(href, { jobs: ctx.bus.recentJobs(100).map((job) => (job.status === "queued" ? liveView(ctx, job) : job)) }));
  fixedResource(RESOURCE_URIS.sceneInfo, async (href) => json(href, await sceneInfo(ctx, undefined, 0, 100)));
  fixedResource(RESOURCE_URIS.sceneObjects, async (href) => json(href, { objects: await allObjects(ctx, undefined) }));

  // Every template variable completes the same way (protocol completions.ts): uuids and labels, job ids.
  const completer = (uriTemplate: string, variable: string) => (typed: string) =>
    completeResourceArgument(uriTemplate, variable, typed, completionContext(ctx)).values;
  const templated = (uriTemplate: string, variable: string, list: (() => { resources: { uri: string; name: string; description: string; mimeType: string }[] }) | undefined) =>
    new ResourceTemplate(uriTemplate, { list, complete: { [variable]: completer(uriTemplate, variable) } });

  const jobTemplate = template(TEMPLATE_URIS.job);
  server.registerResource(jobTemplate.name, templated(jobTemplate.uriTemplate, "job_id", undefined), meta(jobTemplate), async (uri, { job_id }) => {
    const id = String(job_id);
    const job = ctx.bus.getJob(id);
    const view = job ? UserBus.view(job) : await ctx.bus.findShared(id, 0);
    // The same answer for ids that never existed, expired, or belong to someone else.
    if (!view) throw new ResourceNotFoundError(uri.href);
    return json(uri.href, view);
  });

  const list = () => ({
    resources: ctx.bus.listClients().map((c) => ({
      uri: clientResourceUri(TEMPLATE_URIS.clientSceneInfo, c.uuid),
      name: `scene-info-${c.uuid}`,
      description: `Scene summary of ${c.hello.label || c.uuid}`,
      mimeType: "application/json",
    })),
  });
  const info = template(TEMPLATE_URIS.clientSceneInfo);
  server.registerResource(info.name, templated(info.uriTemplate, "uuid", list), meta(info), async (uri, { uuid }) =>
    json(uri.href, await sceneInfo(ctx, String(uuid), 0, 100)),
  );
  const objects = template(TEMPLATE_URIS.clientSceneObjects);
  server.registerResource(objects.name, templated(objects.uriTemplate, "uuid", undefined), meta(objects), async (uri, { uuid }) =>
    json(uri.href, { objects: await allObjects(ctx, String(uuid)) }),
  );
}
