import { z } from "zod";

/**
 * Job priorities are the eight MCP log levels (RFC 5424 severities), most
 * urgent first. The addon drains its queue in this order, and a job's
 * notifications are sent at its level, so one vocabulary serves both.
 */
export const PRIORITIES = ["emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"] as const;

export const Priority = z
  .enum(PRIORITIES)
  .describe("Job priority, one of the eight MCP log levels; emergency runs first, debug last.");
export type Priority = z.infer<typeof Priority>;

export const DEFAULT_PRIORITY: Priority = "info";

/** Lower rank runs first. */
export function priorityRank(priority: Priority): number {
  return PRIORITIES.indexOf(priority);
}
