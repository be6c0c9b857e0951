import { z } from "zod";
import { ClientUuid, JobId } from "./ids.js";
import { Priority } from "./priority.js";
import { Progress } from "./progress.js";

/**
 * A job moves forward only: queued, running, then exactly one terminal
 * state. lost: the server restarted and the job's Blender never reported
 * on it within the grace period.
 */
export const JOB_STATES = ["queued", "running", "completed", "failed", "timeout", "cancelled", "lost"] as const;
export const JobState = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobState>;
export const TERMINAL_JOB_STATES: readonly JobState[] = ["completed", "failed", "timeout", "cancelled", "lost"];

export const Job = z
  .object({
    job_id: JobId,
    kind: z.enum(["command", "script"]),
    command: z.string().describe("The addon command, or job_dispatch for scripts"),
    target_uuid: ClientUuid,
    priority: Priority,
    status: JobState,
    result: z.unknown().describe("The result once completed (or a late reply after a timeout)"),
    error: z.string(),
    progress: Progress.nullable(),
    late: z.boolean().describe("True when Blender replied after the job had timed out; result and error hold that reply"),
    parent_job_id: JobId.optional().describe("The job this one is part of: a chunk of a render spread over workers"),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .describe("A job on the caller's bus");
export type Job = z.infer<typeof Job>;

/** data of a notifications/message with logger "_message_bus". */
export const BusEvent = z.object({
  kind: z.literal("job_update"),
  job_id: JobId,
  command: z.string(),
  status: JobState,
  result: z.unknown(),
  error: z.string(),
  target_uuid: ClientUuid,
  progress: Progress.optional(),
  late: z.boolean().describe("A reply that arrived after the job timed out"),
  parent_job_id: JobId.optional().describe("The job this one is part of: a chunk of a render spread over workers"),
});
export type BusEvent = z.infer<typeof BusEvent>;
export const BUS_LOGGER = "_message_bus";

export const Health = z.object({
  status: z.literal("ok"),
  version: z.string(),
  protocol_version: z.number().int(),
  clients: z.number().int().describe("Blender clients connected, all users"),
  jobs_in_flight: z.number().int(),
  uptime_seconds: z.number(),
  pid: z.number().int().describe("The server's process id (stdio clients share a hub process)"),
});
export type Health = z.infer<typeof Health>;
