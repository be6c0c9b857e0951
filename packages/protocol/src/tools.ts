/**
 * The registry of MCP tools: the bus tools written here, and one flat
 * dispatch tool per addon command, derived from the command registry.
 */
import { z } from "zod";
import { ClientInfo, ClientSummary } from "./clients.js";
import { COMMAND_LIST } from "./commands/index.js";
import type { CommandDef, Timeout, ToolAnnotations } from "./commands/define.js";
import { ClientUuid, JobId } from "./ids.js";
import { Job } from "./jobs.js";
import { CommandDispatch, JobDispatch, JobUpdate } from "./messages.js";
import { dispatchOutcome } from "./outcome.js";
import { DEFAULT_PRIORITY, Priority } from "./priority.js";

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  input: z.ZodObject;
  output: z.ZodObject;
  annotations: ToolAnnotations;
  /** For tools that wait: the default and the cap. */
  timeout: Timeout | null;
  /** The addon command a dispatch tool sends, or null for bus tools. */
  command: string | null;
}

const targetUuid = ClientUuid.optional().describe(
  "Which Blender to use (see blender_list_clients); needed only when several are connected",
);

function timeoutField(timeout: Timeout) {
  return z
    .number()
    .positive()
    .max(timeout.maxSeconds)
    .optional()
    .describe(`Seconds to wait for Blender; default ${timeout.defaultSeconds}, at most ${timeout.maxSeconds}`);
}

/** The tool's own result: the addon's, less the fields that travel as MCP content instead. */
export function toolResultSchema(command: CommandDef): z.ZodObject {
  const omit: Record<string, true> = {};
  for (const key of command.omitFromToolResult ?? []) omit[key] = true;
  return command.result.omit(omit as Parameters<z.ZodObject["omit"]>[0]);
}

export function dispatchTool(command: CommandDef): ToolDef {
  return {
    ...command.tool,
    input: command.params.extend({ target_uuid: targetUuid, timeout_seconds: timeoutField(command.timeout) }),
    output: dispatchOutcome(toolResultSchema(command)),
    timeout: command.timeout,
    command: command.name,
  };
}

// ---- bus tools --------------------------------------------------------------

export const listClients: ToolDef = {
  name: "blender_list_clients",
  title: "List connected Blenders",
  description:
    "List the Blender instances connected to your bus: uuid, label, Blender version, open file, the commands each " +
    "offers and which are switched off. Pass a uuid as target_uuid to other tools when more than one is connected.",
  input: z.strictObject({}),
  output: z.object({ clients: z.array(ClientInfo) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  timeout: null,
  command: null,
};

const optionalJobId = JobId.optional().describe("Your own id for the job; one is generated when omitted");

export const SendPayload = z.discriminatedUnion("message_type", [
  CommandDispatch.omit({ job_id: true, priority: true }).extend({
    job_id: optionalJobId,
    params: CommandDispatch.shape.params.default({}),
  }),
  JobDispatch.omit({ job_id: true, priority: true }).extend({ job_id: optionalJobId }),
]);

export const SEND_TIMEOUT: Timeout = { defaultSeconds: 300, maxSeconds: 3600 };

export const sendMessage: ToolDef = {
  name: "blender_send_message",
  title: "Send a raw bus message",
  description:
    "Escape hatch: queue a raw job on a Blender and return its job_id at once, without waiting. payload is either " +
    "{message_type: 'job_dispatch', script} (a multi-step Python script run in one go; script-level variables " +
    "persist across its statements) or {message_type: 'command_dispatch', command, params}. The result arrives as a " +
    "_message_bus log notification and through blender_get_job. Prefer the flat tools and blender_execute_code.",
  input: z.strictObject({
    payload: SendPayload,
    target_uuid: targetUuid,
    priority: Priority.default(DEFAULT_PRIORITY),
    timeout_seconds: timeoutField(SEND_TIMEOUT),
  }),
  output: z.object({
    status: z.enum(["queued", "failed", "no_client", "ambiguous_target", "unknown_target"]),
    job_id: z.string().nullable(),
    target_uuid: z.string().nullable(),
    error: z.string(),
    candidates: z.array(ClientSummary).optional(),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  timeout: SEND_TIMEOUT,
  command: null,
};

export const jobUpdate: ToolDef = {
  name: "blender_job_update",
  title: "Report a job's progress or result",
  description:
    "For bus peers that run jobs and speak MCP: report progress (status running) or the outcome (completed or " +
    "failed) of a job dispatched to you. Accepted only from the job's target client. Not needed by ordinary callers.",
  input: JobUpdate.omit({ message_type: true })
    .extend({
      client_uuid: ClientUuid.describe("Your client uuid: must be the job's target"),
      result: JobUpdate.shape.result.default(null),
      error: JobUpdate.shape.error.default(""),
    })
    .strict(),
  output: z.object({
    accepted: z.boolean(),
    job_id: z.string(),
    reason: z.string().describe("Why the update was ignored; empty when accepted"),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  timeout: null,
  command: null,
};

export const GET_JOB_WAIT: Timeout = { defaultSeconds: 0, maxSeconds: 60 };

export const getJob: ToolDef = {
  name: "blender_get_job",
  title: "Get a job's status and result",
  description:
    "Status and result of one of your jobs (from blender_send_message, or a dispatch that timed out and replied " +
    "later). Pass wait_seconds to wait for it to finish, up to 60.",
  input: z.strictObject({
    job_id: JobId,
    wait_seconds: z
      .number()
      .min(0)
      .max(GET_JOB_WAIT.maxSeconds)
      .default(GET_JOB_WAIT.defaultSeconds)
      .describe(`Wait up to this many seconds for the job to end; at most ${GET_JOB_WAIT.maxSeconds}`),
  }),
  output: Job,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  timeout: GET_JOB_WAIT,
  command: null,
};

export const BUS_TOOLS: readonly ToolDef[] = [listClients, sendMessage, jobUpdate, getJob];
export const DISPATCH_TOOLS: readonly ToolDef[] = COMMAND_LIST.map((c) => dispatchTool(c as unknown as CommandDef));
export const TOOLS: readonly ToolDef[] = [...BUS_TOOLS, ...DISPATCH_TOOLS];
