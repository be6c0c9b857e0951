/**
 * MCP tasks for the long tools: the io.modelcontextprotocol/tasks extension
 * (SEP-2663) of the 2026-07-28 revision. A client that declares the extension
 * in a request's capabilities gets, for a tools/call of a tool whose command
 * runs long (the protocol's CommandDef.runsLong), a task instead of a held-open
 * request; tasks/get, tasks/update and tasks/cancel work on it.
 *
 * A task is its job: the task id is the job id, looked up on the caller's own
 * bus (jobs are keyed by user), read from the job store, so a task lives as
 * long as its job's record, across restarts; tasks/cancel ends the job through
 * the one path every cancel takes. Job states map onto task states thus:
 * queued and running are working; cancelled is cancelled; every other end
 * (completed, failed, timeout, lost) is completed, its result exactly the
 * CallToolResult the call would have returned (a failed job is a tool error,
 * isError, not a JSON-RPC error, so never the task status failed).
 *
 * SEP-2663 says the extension does not apply to 2025-11-25; that revision's
 * own experimental tasks, over the same jobs, are in tasks-legacy.ts.
 */
import { z } from "zod";
import {
  CLIENT_CAPABILITIES_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type McpServer,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { COMMANDS, TERMINAL_JOB_STATES, type Job, type ToolDef } from "@blender-mcp/protocol";
import { spreadOver } from "../bus/targeting.js";
import type { UserBus } from "../bus/user-bus.js";
import type { SessionContext } from "./context.js";
import { jobRequestOf, outcomeOf, type DispatchRequest } from "./dispatch.js";
import { registerLegacyTasks } from "./tasks-legacy.js";
import { outcomeResult } from "./tools/outcome-result.js";

export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/** What the server advertises (server/discover) in the 2026-07-28 era. */
const TASKS_CAPABILITY = { extensions: { [TASKS_EXTENSION]: {} } };

/** Blender jobs take seconds to minutes: a poll a second is prompt without being busy. */
const POLL_INTERVAL_MS = 1000;

type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

export interface TaskView {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
  pollIntervalMs?: number;
  result?: CallToolResult;
}

/** Whether this request's client declared the extension (2026-07-28 carries capabilities on every request). */
export function declaresTasks(ctx: SessionContext, extra: ServerContext): boolean {
  if (ctx.era !== "modern") return false;
  const envelope = extra.mcpReq.envelope as Record<string, { extensions?: Record<string, unknown> } | undefined> | undefined;
  const declared = envelope?.[CLIENT_CAPABILITIES_META_KEY]?.extensions?.[TASKS_EXTENSION];
  return declared !== undefined && declared !== null && typeof declared === "object";
}

/**
 * tools/call of a long tool as a task: the job is started and on disk (so
 * tasks/get finds it, as both revisions require before answering). The request
 * ending no longer ends the job: only a cancel of the job (tasks/cancel among
 * them) does. Null when there is no one job to follow: the call is then
 * answered whole, as without tasks.
 */
async function startTask(bus: UserBus, request: DispatchRequest): Promise<TaskView | null> {
  // An animation spread over workers is several jobs, not one.
  if (request.command === "render_animation" && spreadOver(request.targetUuid) !== null) return null;
  const started = bus.start(jobRequestOf(request));
  // Refused (no Blender, ambiguous target, a limit): nothing to follow. Dispatching it again whole costs nothing
  // (a refusal has no side effects) and reports it the same way.
  if (!started.ok) return null;
  await started.recorded;
  return taskOf(started.job, bus.options.jobTtlMs, request.timeoutMs);
}

export interface StoredRequest {
  params?: { name?: unknown; arguments?: unknown; task?: unknown };
}
type StoredHandler = (request: StoredRequest, extra: ServerContext) => Promise<unknown>;

/**
 * The SDK's own handler map, where tasks wrap its tools/call (and, in 2025-11-25, its tools/list): an internal of
 * the SDK, so undefined when a release no longer has it, and then no tasks are advertised or served.
 */
export function sdkRequestHandlers<Handler>(server: McpServer): Map<string, Handler> | undefined {
  const handlers = (server.server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  return handlers instanceof Map ? (handlers as Map<string, Handler>) : undefined;
}

/** How an era asks for a task and answers with one. */
export interface TaskCalls {
  /** Whether this call is to be a task; `long` is its tool when the tool runs long. May throw a protocol error. */
  wanted(request: StoredRequest, extra: ServerContext, long: ToolDef | undefined): boolean;
  answer(task: TaskView): Record<string, unknown>;
}

/**
 * The SDK's McpServer would check a task answer against the tool's
 * outputSchema and turn it into an error, so a long tool's task call is
 * answered ahead of it: its tools/call handler is wrapped, and every other call
 * passes straight through. (An internal of the SDK; without it, no tasks are
 * advertised and every call is answered whole.)
 */
export function interceptToolsCall(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[], calls: TaskCalls): boolean {
  const handlers = sdkRequestHandlers<StoredHandler>(server);
  const original = handlers?.get("tools/call");
  if (!original) {
    ctx.log.warn("tasks.unavailable", { reason: "the MCP SDK's tools/call handler was not found" });
    return false;
  }
  const long = new Map(tools.filter((t) => t.runsLong && t.command !== null).map((t) => [t.name, t]));
  handlers!.set("tools/call", async (request, extra) => {
    const tool = typeof request.params?.name === "string" ? long.get(request.params.name) : undefined;
    if (!calls.wanted(request, extra, tool) || !tool) return original(request, extra);
    const parsed = tool.input.safeParse(request.params?.arguments ?? {});
    // Bad arguments are reported by the SDK's own path, as for every other call.
    if (!parsed.success) return original(request, extra);
    const { target_uuid, timeout_seconds, ...params } = parsed.data as { target_uuid?: string; timeout_seconds: number };
    const task = await startTask(ctx.bus, {
      command: tool.command!,
      params,
      targetUuid: target_uuid,
      timeoutMs: timeout_seconds * 1000,
      origin: ctx.sessionId,
      sender: ctx.sender(),
    });
    return task ? calls.answer(task) : original(request, extra);
  });
  return true;
}

/** The task of a job, as tasks/get reports it. */
export function taskOf(job: Job, jobTtlMs: number, timeoutMs?: number): TaskView {
  const ended = TERMINAL_JOB_STATES.includes(job.status);
  const created = Date.parse(job.created_at);
  // Kept jobTtl past its end (job-store.ts). A job still going ends by its timeout at the latest; when that is not
  // known (a job adopted after a restart), jobTtl from its start is the least it is kept.
  const ttlMs = ended ? Date.parse(job.updated_at) - created + jobTtlMs : (timeoutMs ?? 0) + jobTtlMs;
  const base = { taskId: job.job_id, createdAt: job.created_at, lastUpdatedAt: job.updated_at, ttlMs, pollIntervalMs: POLL_INTERVAL_MS };
  switch (job.status) {
    case "queued":
      return { ...base, status: "working", statusMessage: `queued on Blender ${job.target_uuid}` };
    case "running":
      return { ...base, status: "working", statusMessage: job.progress?.message ?? `running on Blender ${job.target_uuid}` };
    case "cancelled":
      // A late reply takes the job's error field: the task still says what happened to it.
      return { ...base, status: "cancelled", statusMessage: job.late ? "cancelled; Blender finished it afterwards (blender_get_job has its late reply)" : job.error };
    default: {
      const outcome = outcomeOf(job as Parameters<typeof outcomeOf>[0]);
      const statusMessage = outcome.status === "completed" ? "the job completed" : `the job ended ${outcome.status}: ${outcome.error}`;
      return { ...base, status: "completed", statusMessage, result: outcomeResult(outcome) };
    }
  }
}

/** Every tasks/* method takes one taskId; a clear -32602 says what a good one is. */
export function taskIdOf(method: string, params: { taskId?: unknown }): string {
  if (typeof params.taskId === "string" && params.taskId !== "") return params.taskId;
  throw new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `${method} needs params.taskId, a non-empty string: the taskId a tools/call answered with (resultType "task")`,
  );
}

function requireExtension(ctx: SessionContext, extra: ServerContext, method: string): void {
  if (declaresTasks(ctx, extra)) return;
  throw new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
    `${method} is part of the ${TASKS_EXTENSION} extension: declare it in the request's clientCapabilities.extensions`,
  );
}

/** A job of the caller's bus that is a task (a command job; raw scripts from blender_send_message have no tool result). */
export async function findTask(ctx: SessionContext, method: string, taskId: string) {
  const live = ctx.bus.getJob(taskId);
  // Sent through another server process (--redis): its shared record answers.
  const job: Job | undefined = live ?? (await ctx.bus.findShared(taskId, 0));
  if (!job || job.kind !== "command" || !COMMANDS.has(job.command)) {
    // Another user's job gets the same answer as one that never existed.
    const kept = Math.round(ctx.bus.options.jobTtlMs / 1000);
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Failed to retrieve task: no task ${taskId} on your bus (${method} takes the taskId a tools/call answered with; ended tasks are kept ${kept} s)`,
    );
  }
  return { job, live };
}

export const TaskParams = z.looseObject({ taskId: z.unknown().optional() });

/** After the tools: answers the long tools' calls with tasks and serves tasks/*, each revision its own way. */
export function registerTasks(server: McpServer, ctx: SessionContext, tools: readonly ToolDef[]): void {
  if (ctx.era === "legacy") return registerLegacyTasks(server, ctx, tools);
  const calls: TaskCalls = { wanted: (_request, extra, long) => long !== undefined && declaresTasks(ctx, extra), answer: (task) => ({ resultType: "task", ...task }) };
  if (!interceptToolsCall(server, ctx, tools, calls)) return;
  server.server.registerCapabilities(TASKS_CAPABILITY);
  const ttl = ctx.bus.options.jobTtlMs;

  server.server.setRequestHandler("tasks/get", { params: TaskParams }, async (params, extra) => {
    requireExtension(ctx, extra, "tasks/get");
    const { job, live } = await findTask(ctx, "tasks/get", taskIdOf("tasks/get", params));
    return taskOf(job, ttl, live?.request?.timeoutMs) as unknown as Record<string, unknown>;
  });

  // No task of this server ever waits for input, so there is never an outstanding request to answer.
  server.server.setRequestHandler("tasks/update", { params: TaskParams }, async (params, extra) => {
    requireExtension(ctx, extra, "tasks/update");
    await findTask(ctx, "tasks/update", taskIdOf("tasks/update", params));
    return {};
  });

  server.server.setRequestHandler("tasks/cancel", { params: TaskParams }, async (params, extra) => {
    requireExtension(ctx, extra, "tasks/cancel");
    const taskId = taskIdOf("tasks/cancel", params);
    const { job, live } = await findTask(ctx, "tasks/cancel", taskId);
    // Cooperative (SEP-2663): an ended job stays as it ended; one held by another server process is not reachable from here.
    if (live && !TERMINAL_JOB_STATES.includes(live.status)) ctx.bus.cancel(live, "the MCP client cancelled the task (tasks/cancel)");
    else if (!live && !TERMINAL_JOB_STATES.includes(job.status)) ctx.log.info("task.cancel_elsewhere", { job_id: taskId });
    return {};
  });
}
