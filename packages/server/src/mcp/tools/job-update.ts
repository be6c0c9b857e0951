import type { McpServer } from "@modelcontextprotocol/server";
import { jobUpdate, type JobUpdate } from "@blender-mcp/protocol";
import type { SessionContext } from "../context.js";
import { toolResult } from "../result.js";
import { registerToolDef } from "./register.js";

type Args = Omit<JobUpdate, "message_type"> & { client_uuid: string };

/** The reply path for bus peers that speak MCP: the same handler as the addon socket's job_update. */
export function registerJobUpdate(server: McpServer, ctx: SessionContext): void {
  registerToolDef<Args>(server, jobUpdate, async ({ client_uuid, ...update }) => {
    const outcome = ctx.bus.update(client_uuid, update);
    const reason = outcome.accepted ? "" : outcome.reason;
    return toolResult({ accepted: outcome.accepted, job_id: update.job_id, reason }, !outcome.accepted);
  });
}
