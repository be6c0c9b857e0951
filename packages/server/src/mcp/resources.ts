/**
 * Read-only views: the caller's Blenders, its recent jobs, and the scene of
 * the only connected Blender (or of a named one, by template).
 */
import { McpServer, ResourceNotFoundError, ResourceTemplate } from "@modelcontextprotocol/server";
import { RESOURCES, getSceneInfo, type DispatchOutcome, type Job } from "@blender-mcp/protocol";
import { CLIENTS_URI, JOBS_URI, UserBus } from "../bus/user-bus.js";
import type { SessionContext } from "./context.js";
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
export const jobUri = (jobId: string) => `${JOBS_URI}/${jobId}`;

/** The store is not told when a job starts running; the live record is. */
function liveView(ctx: SessionContext, job: Job): Job {
  const live = ctx.bus.getJob(job.job_id);
  return live ? UserBus.view(live) : job;
}

const describe = (uri: string) => RESOURCES.find((r) => r.uri === uri)!;

export function registerResources(server: McpServer, ctx: SessionContext): void {
  const meta = (uri: string) => ({ description: describe(uri).description, mimeType: "application/json" });

  server.registerResource(describe(CLIENTS_URI).name, CLIENTS_URI, meta(CLIENTS_URI), async (uri) =>
    json(uri.href, { clients: ctx.bus.listClients().map((c) => c.info()) }),
  );
  server.registerResource(describe(JOBS_URI).name, JOBS_URI, meta(JOBS_URI), async (uri) =>
    json(uri.href, { jobs: ctx.bus.recentJobs(100).map((job) => (job.status === "queued" ? liveView(ctx, job) : job)) }),
  );
  server.registerResource(describe("blender://scene/info").name, "blender://scene/info", meta("blender://scene/info"), async (uri) =>
    json(uri.href, await sceneInfo(ctx, undefined, 0, 100)),
  );
  server.registerResource(describe("blender://scene/objects").name, "blender://scene/objects", meta("blender://scene/objects"), async (uri) =>
    json(uri.href, { objects: await allObjects(ctx, undefined) }),
  );

  server.registerResource(
    "job",
    new ResourceTemplate(`${JOBS_URI}/{job_id}`, {
      list: undefined,
      complete: { job_id: (value) => ctx.bus.recentJobs(100).map((j) => j.job_id).filter((id) => id.startsWith(value)) },
    }),
    { description: "One of your jobs: status, result and error (JSON); subscribe to follow it", mimeType: "application/json" },
    async (uri, { job_id }) => {
      const id = String(job_id);
      const job = ctx.bus.getJob(id);
      const view = job ? UserBus.view(job) : await ctx.bus.findShared(id, 0);
      // The same answer for ids that never existed, expired, or belong to someone else.
      if (!view) throw new ResourceNotFoundError(uri.href);
      return json(uri.href, view);
    },
  );

  const uuids = (value: string) => ctx.bus.listClients().map((c) => c.uuid).filter((uuid) => uuid.startsWith(value));
  const list = () => ({
    resources: ctx.bus.listClients().map((c) => ({
      uri: `blender://clients/${c.uuid}/scene/info`,
      name: `scene-info-${c.uuid}`,
      description: `Scene summary of ${c.hello.label || c.uuid}`,
      mimeType: "application/json",
    })),
  });
  server.registerResource(
    "client-scene-info",
    new ResourceTemplate("blender://clients/{uuid}/scene/info", { list, complete: { uuid: uuids } }),
    { description: "Scene summary of one connected Blender, by uuid (JSON)", mimeType: "application/json" },
    async (uri, { uuid }) => json(uri.href, await sceneInfo(ctx, String(uuid), 0, 100)),
  );
  server.registerResource(
    "client-scene-objects",
    new ResourceTemplate("blender://clients/{uuid}/scene/objects", { list: undefined, complete: { uuid: uuids } }),
    { description: "Every object in the active scene of one connected Blender, by uuid (JSON)", mimeType: "application/json" },
    async (uri, { uuid }) => json(uri.href, { objects: await allObjects(ctx, String(uuid)) }),
  );
}
