import { z } from "zod";
import { ClientSummary } from "./clients.js";

/** How a dispatch ends. Part of the contract: callers branch on these. */
export const DISPATCH_STATUSES = [
  "completed",
  "failed",
  "timeout",
  "no_client",
  "ambiguous_target",
  "unknown_target",
] as const;
export const DispatchStatus = z.enum(DISPATCH_STATUSES).describe(
  "completed: the handler returned; failed: it raised or is gated off; timeout: no reply in time; " +
    "no_client: no Blender connected; ambiguous_target: several connected, pass target_uuid; " +
    "unknown_target: target_uuid matches no connected Blender",
);
export type DispatchStatus = z.infer<typeof DispatchStatus>;

/** Statuses decided before anything reaches an addon. */
export const TARGETING_FAILURES = ["no_client", "ambiguous_target", "unknown_target"] as const;
export type TargetingFailure = (typeof TARGETING_FAILURES)[number];

const outcomeFields = {
  command: z.string().describe("The addon command, or job_dispatch for scripts"),
  target_uuid: z.string().nullable().describe("The Blender that ran the job, when one was chosen"),
  job_id: z.string().nullable().describe("The job's id, when one was dispatched"),
  error: z.string().describe("Why the dispatch did not complete; empty on completed"),
  candidates: z
    .array(ClientSummary)
    .optional()
    .describe("On ambiguous_target or unknown_target: the Blenders that could be chosen"),
};

/** The wire body every dispatch tool returns, with its command's result type. */
export function dispatchOutcome<R extends z.ZodType>(result: R) {
  return z.object({
    status: DispatchStatus,
    ...outcomeFields,
    result: result.nullable().describe("The command's result on completed, or partial output, or null"),
  });
}

export const DispatchOutcome = dispatchOutcome(z.unknown());
export type DispatchOutcome = z.infer<typeof DispatchOutcome>;
