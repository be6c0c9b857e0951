import type { McpServer } from "@modelcontextprotocol/server";
import { getJob, jobNotFound, TERMINAL_JOB_STATES } from "@blender-mcp/protocol";
import { UserBus } from "../../bus/user-bus.js";
import type { SessionContext } from "../context.js";
import { toolResult } from "../result.js";
import { registerToolDef } from "./register.js";

export function registerGetJob(server: McpServer, ctx: SessionContext): void {
  registerToolDef<{ job_id: string; wait_seconds: number }>(server, getJob, async ({ job_id, wait_seconds }, extra) => {
    const job = ctx.bus.getJob(job_id);
    if (!job) {
      // Started through another server process: its shared record answers.
      const shared = await ctx.bus.findShared(job_id, wait_seconds * 1000, extra.mcpReq.signal);
      if (shared) return toolResult(shared as unknown as Record<string, unknown>, false);
      return toolResult(jobNotFound(job_id), true);
    }
    if (wait_seconds > 0 && !TERMINAL_JOB_STATES.includes(job.status)) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, wait_seconds * 1000);
        extra.mcpReq.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await Promise.race([job.done, gaveUp]);
      clearTimeout(timer);
    }
    return toolResult(UserBus.view(job) as unknown as Record<string, unknown>, false);
  });
}
