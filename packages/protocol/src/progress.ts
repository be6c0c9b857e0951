import { z } from "zod";

/** Mirrors MCP's progress notification so the server forwards it field for field. */
export const Progress = z
  .object({
    progress: z.number().describe("Work done so far; increases with each report"),
    total: z.number().optional().describe("Total work, when known"),
    message: z.string().optional().describe("Human-readable description of the current step"),
  })
  .describe("Progress of a long-running job");
export type Progress = z.infer<typeof Progress>;
