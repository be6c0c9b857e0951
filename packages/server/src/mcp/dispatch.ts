/**
 * The round trip under every dispatch tool and scene resource: steps 1-7 of
 * the seed, ending in the wire body {status, command, target_uuid, job_id,
 * result, error}.
 */
import { COMMANDS, DEFAULT_PRIORITY, type DispatchOutcome, type Priority, type Progress } from "@blender-mcp/protocol";
import { spreadOver } from "../bus/targeting.js";
import { UserBus, type JobRecord, type JobRequest } from "../bus/user-bus.js";
import { renderOnWorkers } from "../worker/spread-render.js";

export interface DispatchRequest {
  command: string;
  params: Record<string, unknown>;
  targetUuid?: string;
  timeoutMs: number;
  priority?: Priority;
  origin: string | null;
  /** Who sent it, for people (see SessionContext.sender). */
  sender?: string | null;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** The job this one is part of (a chunk of a render spread over workers). */
  parentJobId?: string;
}

/** The bus's job for a dispatch (a tools/call answered with a task starts the same one). */
export function jobRequestOf(request: DispatchRequest): JobRequest {
  return {
    kind: "command",
    command: request.command,
    params: request.params,
    targetUuid: request.targetUuid,
    priority: request.priority ?? DEFAULT_PRIORITY,
    timeoutMs: request.timeoutMs,
    origin: request.origin,
    sender: request.sender ?? null,
    ...(request.parentJobId ? { parentJobId: request.parentJobId } : {}),
  };
}

export async function dispatchCommand(bus: UserBus, request: DispatchRequest): Promise<DispatchOutcome> {
  // target_uuid "workers" / "workers:N": one animation over the user's headless workers.
  const spread = request.command === "render_animation" ? spreadOver(request.targetUuid) : null;
  if (spread !== null) return renderOnWorkers(bus, request, spread, dispatchCommand);
  const started = bus.start(jobRequestOf(request));
  if (!started.ok) {
    return {
      status: started.status,
      command: request.command,
      target_uuid: "targetUuid" in started ? started.targetUuid : null,
      job_id: null,
      result: null,
      error: started.error,
      ...("candidates" in started && started.candidates.length > 0 ? { candidates: started.candidates } : {}),
    };
  }
  const job = started.job;
  if (request.onProgress) job.progressListeners.add(request.onProgress);
  const onAbort = () => bus.cancel(job, "the MCP client cancelled the request");
  request.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await job.done;
  } finally {
    request.signal?.removeEventListener("abort", onAbort);
  }
  return outcomeOf(job);
}

/** A finished job as the dispatch contract reports it; a result off its schema is a failure, not a pass-through. */
export function outcomeOf(job: JobRecord): DispatchOutcome {
  const base = { command: job.command, target_uuid: job.target_uuid, job_id: job.job_id };
  switch (job.status) {
    case "completed": {
      const schema = COMMANDS.get(job.command)?.result;
      const parsed = schema ? schema.safeParse(job.result) : { success: true as const, data: job.result };
      if (!parsed.success) {
        return { ...base, status: "failed", result: null, error: `Blender's result does not match the ${job.command} contract: ${parsed.error.message}` };
      }
      return { ...base, status: "completed", result: parsed.data, error: "" };
    }
    case "timeout":
      return { ...base, status: "timeout", result: null, error: job.error };
    case "failed":
    case "cancelled":
    case "lost": {
      // Partial output (say, what a script printed before it raised) is kept when it fits the contract.
      const parsed = COMMANDS.get(job.command)?.result.safeParse(job.result);
      return { ...base, status: "failed", result: parsed?.success ? parsed.data : null, error: job.error };
    }
    default:
      throw new Error(`job ${job.job_id} is still ${job.status}`);
  }
}
