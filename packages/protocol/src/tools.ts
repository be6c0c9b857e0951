/**
 * The registry of MCP tools: the bus tools written here, and one flat
 * dispatch tool per addon command, derived from the command registry.
 */
import { z } from "zod";
import { ClientInfo, ClientSummary } from "./clients.js";
import { COMMAND_LIST } from "./commands/index.js";
import { TOOLSETS, resolveToolsets, type CommandDef, type Timeout, type ToolAnnotations, type Toolset } from "./commands/define.js";
import { ClientUuid, JobId } from "./ids.js";
import { JOB_STATES, Job } from "./jobs.js";
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
  toolset: Toolset;
  /** For tools that wait: the default and the cap. */
  timeout: Timeout | null;
  /** The addon command a dispatch tool sends, or null for bus tools. */
  command: string | null;
  /** Its command runs long (CommandDef.runsLong): a tools/call may answer with an MCP task. */
  runsLong?: boolean;
}

// Only a lookup key (no match is unknown_target), so a bound is enough; blender_list_clients says when to pass it.
const targetUuid = z.string().max(128).optional();

/** The wait as JSON Schema says it: the default and the cap, no prose. */
function timeoutField(timeout: Timeout) {
  return z.number().min(0.1).max(timeout.maxSeconds).default(timeout.defaultSeconds);
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
    toolset: command.toolset,
    timeout: command.timeout,
    command: command.name,
    runsLong: command.runsLong === true,
  };
}

// ---- bus tools --------------------------------------------------------------

export const listClients: ToolDef = {
  name: "blender_list_clients",
  title: "List connected Blenders",
  description:
    "Connected Blenders: uuid, label, version, open file, commands and which are switched off. Pass a uuid as " +
    "target_uuid when several are connected, or \"worker\" for the least loaded headless worker.",
  input: z.strictObject({}),
  output: z.object({ clients: z.array(ClientInfo) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  toolset: "jobs",
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
  toolset: "bus",
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
  toolset: "bus",
  timeout: null,
  command: null,
};

export const GET_JOB_WAIT: Timeout = { defaultSeconds: 0, maxSeconds: 60 };

/**
 * blender_get_job's structured answer: the job, or for an id the caller's bus
 * does not know (never existed, expired, or someone else's) only job_id,
 * status not_found and error, so that answer matches the outputSchema too.
 */
export const JobLookup = Job.partial()
  .extend({
    job_id: Job.shape.job_id,
    status: z.enum([...JOB_STATES, "not_found"]).describe("not_found: no such job on your bus; the other fields are then absent"),
    error: Job.shape.error,
  })
  .describe("A job on the caller's bus, or status not_found");

/** The not-found answer, the same for ids that never existed, expired, or belong to someone else. */
export function jobNotFound(jobId: string): z.infer<typeof JobLookup> {
  return { job_id: jobId, status: "not_found", error: `No job ${jobId} on your bus (unknown, or expired).` };
}

export const getJob: ToolDef = {
  name: "blender_get_job",
  title: "Get a job",
  description:
    "A job's status and result, such as a render that outlived its timeout; wait_seconds waits for its end.",
  input: z.strictObject({
    job_id: JobId.describe("From a tool result"),
    wait_seconds: z
      .number()
      .min(0)
      .max(GET_JOB_WAIT.maxSeconds)
      .default(GET_JOB_WAIT.defaultSeconds),
  }),
  output: JobLookup,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  toolset: "jobs",
  timeout: GET_JOB_WAIT,
  command: null,
};

export const BUS_TOOLS: readonly ToolDef[] = [listClients, sendMessage, jobUpdate, getJob];
export const DISPATCH_TOOLS: readonly ToolDef[] = COMMAND_LIST.map((c) => dispatchTool(c as unknown as CommandDef));
/** Every tool, grouped by toolset in TOOLSETS order (the default core first). */
export const TOOLS: readonly ToolDef[] = [...BUS_TOOLS, ...DISPATCH_TOOLS].sort(
  (a, b) => TOOLSETS.indexOf(a.toolset) - TOOLSETS.indexOf(b.toolset),
);

/** A tool as `tools/list` advertises it (MCP's Tool). */
export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: ToolAnnotations;
}

const listings = new WeakMap<ToolDef, ToolListing>();

/**
 * JSON Schema of a tool's input ("input": what a caller may send, defaults
 * optional) or output ("output": what the server emits), as advertised: no
 * `$schema` tag, which every conversation would pay for, so MCP reads it as
 * its default dialect, 2020-12, which is what it is written in.
 */
export function toolJsonSchema(schema: z.ZodObject, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as Record<string, unknown>;
  return rest;
}

/** The listing of a tool, computed once: a session's tools/list is answered from these. */
export function toolListing(tool: ToolDef): ToolListing {
  let listing = listings.get(tool);
  if (listing === undefined) {
    listing = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toolJsonSchema(tool.input, "input"),
      outputSchema: toolJsonSchema(tool.output, "output"),
      annotations: tool.annotations,
    };
    listings.set(tool, listing);
  }
  return listing;
}

/** The tools a server advertises for a `--toolsets` value (see resolveToolsets). */
export function toolsFor(spec?: string | readonly string[]): readonly ToolDef[] {
  const chosen = resolveToolsets(spec);
  return TOOLS.filter((t) => chosen.has(t.toolset));
}
