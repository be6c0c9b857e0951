/**
 * Tasks of the 2025-11-25 revision (its experimental `tasks` capability, the
 * feature SEP-2663 later moved into the extension): the client asks for a task
 * per call with `params.task` on a tools/call of a tool whose listing says
 * `execution.taskSupport: "optional"` (the long tools, listed so to a client
 * that declared the tasks capability); tasks/get and
 * tasks/cancel report the task, tasks/result waits for it and returns what the
 * call would have returned. The same jobs as the extension's (tasks.ts); no
 * tasks/list (the capability is optional, and the jobs resources list them).
 */
import {
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type ListToolsResult,
  type McpServer,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { TERMINAL_JOB_STATES, type Job, type ToolDef } from "@blender-mcp/protocol";
import type { SessionContext } from "./context.js";
import { outcomeOf } from "./dispatch.js";
import { findTask, interceptToolsCall, sdkRequestHandlers, TaskParams, taskIdOf, taskOf, type StoredRequest, type TaskView } from "./tasks.js";
import { outcomeResult } from "./tools/outcome-result.js";

/** The 2025-11-25 Task: the same as the extension's but for the names of two fields, and no inlined result. */
function legacyTask(task: TaskView) {
  const { result: _, ttlMs, pollIntervalMs, ...rest } = task;
  return { ...rest, ttl: ttlMs, ...(pollIntervalMs === undefined ? {} : { pollInterval: pollIntervalMs }) };
}

type ListHandler = (request: unknown, extra: ServerContext) => Promise<ListToolsResult>;

/**
 * tools/list as the tools module answers it, with the long tools marked as
 * callable as tasks for a client that declared the tasks capability in
 * initialize: the marks would cost every other conversation tokens (the
 * default listing's budget), and only a client that knows tasks reads them.
 */
function advertiseTaskSupport(server: McpServer, long: ReadonlySet<string>): boolean {
  const handlers = sdkRequestHandlers<ListHandler>(server);
  const original = handlers?.get("tools/list");
  if (!original) return false;
  // The tools module hands out one of two fixed listings (with and without the viewer link): mark each once.
  const marked = new WeakMap<ListToolsResult, ListToolsResult>();
  handlers!.set("tools/list", async (request, extra) => {
    const listing = await original(request, extra);
    if (server.server.getClientCapabilities()?.tasks === undefined) return listing;
    let withTasks = marked.get(listing);
    if (!withTasks) {
      withTasks = { ...listing, tools: listing.tools.map((t) => (long.has(t.name) ? { ...t, execution: { taskSupport: "optional" as const } } : t)) };
      marked.set(listing, withTasks);
    }
    return withTasks;
  });
  return true;
}

async function ended(ctx: SessionContext, taskId: string, job: Job, signal: AbortSignal): Promise<Job> {
  const live = ctx.bus.getJob(taskId);
  if (live) {
    await Promise.race([live.done, new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }))]);
    return live;
  }
  // Held by another server process (--redis): its shared record, until it has ended.
  let seen = job;
  while (!TERMINAL_JOB_STATES.includes(seen.status) && !signal.aborted) seen = (await ctx.bus.findShared(taskId, 60_000, signal)) ?? seen;
  return seen;
}

export function registerLegacyTasks(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[]): void {
  const names = new Set(tools.map((t) => t.name));
  const long = new Set(tools.filter((t) => t.runsLong).map((t) => t.name));
  const intercepted = interceptToolsCall(server, ctx, tools, {
    wanted: (request: StoredRequest, _extra, longTool) => {
      const asked = request.params?.task;
      if (asked === undefined || asked === null || typeof asked !== "object") return false;
      const name = request.params?.name;
      // The spec's answer for a task asked of a tool that does not offer one (an unknown tool gets the SDK's own error).
      if (longTool === undefined && typeof name === "string" && names.has(name)) {
        throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `${name} does not run as a task (tools/list gives it no execution.taskSupport): call it without params.task`);
      }
      return true;
    },
    answer: (task) => ({ task: legacyTask(task) }),
  });
  if (!intercepted || !advertiseTaskSupport(server, long)) return;
  server.server.registerCapabilities({ tasks: { cancel: {}, requests: { tools: { call: {} } } } });
  const ttl = ctx.bus.options.jobTtlMs;

  server.server.setRequestHandler("tasks/get", { params: TaskParams }, async (params) => {
    const taskId = taskIdOf("tasks/get", params);
    const { job, live } = await findTask(ctx, "tasks/get", taskId);
    return legacyTask(taskOf(job, ttl, live?.request?.timeoutMs));
  });

  // Waits for the end, then answers exactly what the tools/call would have (a cancelled job's call reports it failed).
  server.server.setRequestHandler("tasks/result", { params: TaskParams }, async (params, extra) => {
    const taskId = taskIdOf("tasks/result", params);
    const { job } = await findTask(ctx, "tasks/result", taskId);
    const last = await ended(ctx, taskId, job, extra.mcpReq.signal);
    if (!TERMINAL_JOB_STATES.includes(last.status)) throw new ProtocolError(ProtocolErrorCode.InternalError, `task ${taskId} had not ended when the request was cancelled`);
    const result = outcomeResult(outcomeOf(last as Parameters<typeof outcomeOf>[0]));
    return { ...result, _meta: { [RELATED_TASK_META_KEY]: { taskId } } };
  });

  server.server.setRequestHandler("tasks/cancel", { params: TaskParams }, async (params) => {
    const taskId = taskIdOf("tasks/cancel", params);
    const { job, live } = await findTask(ctx, "tasks/cancel", taskId);
    if (TERMINAL_JOB_STATES.includes(job.status)) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `task ${taskId} already ended (${job.status}): there is nothing to cancel; tasks/result returns its result`);
    }
    if (!live) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `task ${taskId} was started through another server process: cancel it there`);
    }
    ctx.bus.cancel(live, "the MCP client cancelled the task (tasks/cancel)");
    return legacyTask(taskOf(live, ttl, live.request?.timeoutMs));
  });
}
