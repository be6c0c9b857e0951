/**
 * What the live page's JSON endpoints and event stream carry: plain shapes
 * that any view (the page, or later an MCP App view) can render. Images
 * never travel inline; they are fetched by URL once per job.
 */
import { TERMINAL_JOB_STATES, type BusEvent, type Job, type JobState, type Progress } from "@blender-mcp/protocol";
import type { BlenderClient } from "../bus/client.js";
import type { JobRecord } from "../bus/user-bus.js";

export interface PageClient {
  uuid: string;
  label: string;
  client_type: string;
  blender_version: string;
  blend_file: string;
  addon_version: string;
  /** busy while one of its jobs runs, as far as this page has seen. */
  state: "busy" | "idle";
  /** Jobs sent to it and not yet ended (queued or running). */
  queue_depth: number;
  connected_since: string;
}

export interface PageJob {
  job_id: string;
  kind: "command" | "script";
  command: string;
  target_uuid: string;
  /** Who sent it: an MCP session id, or null when another server process (or one before a restart) did. */
  sent_by: string | null;
  /** The MCP client that sent it (name and version), when it said. */
  client: string | null;
  status: JobState;
  progress: Progress | null;
  error: string;
  late: boolean;
  created_at: string;
  updated_at: string;
  /** True when the result holds an image, served at /page/api/jobs/<id>/image. */
  has_image: boolean;
}

export interface PageJobDetail extends PageJob {
  /** The command's params, or {script, description} for a script; null when this process did not send it. */
  params: unknown;
  /** The result with any image left out (see has_image). */
  result: unknown;
  stdout: string | null;
  /** The error of a failed job, which carries Blender's trimmed traceback when it raised. */
  traceback: string | null;
}

export const isTerminal = (status: JobState) => TERMINAL_JOB_STATES.includes(status);

export function pngOf(result: unknown): string | null {
  const png = (result as { png_base64?: unknown } | null)?.png_base64;
  return typeof png === "string" && png.length > 0 ? png : null;
}

export function pageClient(client: BlenderClient, busy: boolean): PageClient {
  const info = client.info();
  return {
    uuid: info.uuid,
    label: info.label,
    client_type: info.client_type,
    blender_version: info.blender_version,
    blend_file: info.blend_file,
    addon_version: info.addon_version,
    state: busy ? "busy" : "idle",
    queue_depth: info.jobs_in_flight,
    connected_since: info.connected_since,
  };
}

export function pageJob(job: Job | JobRecord): PageJob {
  return {
    job_id: job.job_id,
    kind: job.kind,
    command: job.command,
    target_uuid: job.target_uuid,
    sent_by: "origin" in job ? job.origin : null,
    client: ("request" in job && job.request?.sender) || null,
    status: job.status,
    progress: job.status === "running" ? job.progress : null,
    error: job.error,
    late: job.late,
    created_at: job.created_at,
    updated_at: job.updated_at,
    has_image: pngOf(job.result) !== null,
  };
}

/** A job heard of only through its event (sent through another server process): what the event says. */
export function pageJobFromEvent(event: BusEvent, previous: PageJob | undefined): PageJob {
  const now = new Date().toISOString();
  return {
    job_id: event.job_id,
    kind: previous?.kind ?? (event.command === "job_dispatch" ? "script" : "command"),
    command: event.command,
    target_uuid: event.target_uuid,
    sent_by: previous?.sent_by ?? null,
    client: previous?.client ?? null,
    status: event.status,
    progress: event.status === "running" ? (event.progress ?? previous?.progress ?? null) : null,
    error: event.error,
    late: event.late,
    created_at: previous?.created_at ?? now,
    updated_at: now,
    has_image: pngOf(event.result) !== null,
  };
}

export function pageJobDetail(job: Job | JobRecord): PageJobDetail {
  const request = "request" in job ? job.request : undefined;
  const params =
    request === undefined ? null : request.kind === "command" ? request.params : { script: request.script, description: request.description ?? null };
  let result = job.result;
  if (pngOf(result) !== null) result = { ...(result as object), png_base64: "(image: see has_image)" };
  const stdout = (job.result as { stdout?: unknown } | null)?.stdout;
  return {
    ...pageJob(job),
    params,
    result,
    stdout: typeof stdout === "string" ? stdout : null,
    traceback: job.status === "failed" && job.error ? job.error : null,
  };
}
