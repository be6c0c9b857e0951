import type { McpServer } from "@modelcontextprotocol/server";
import type { z } from "zod";
import { sendMessage, type Priority, type SendPayload } from "@blender-mcp/protocol";
import type { SessionContext } from "../context.js";
import { toolResult } from "../result.js";
import { registerToolDef } from "./register.js";

interface Args {
  payload: z.infer<typeof SendPayload>;
  target_uuid?: string;
  priority: Priority;
  timeout_seconds: number;
}

/** The escape hatch: route a raw job and return its id at once; the reply comes as a notification and via get_job. */
export function registerSendMessage(server: McpServer, ctx: SessionContext): void {
  registerToolDef<Args>(server, sendMessage, async ({ payload, target_uuid, priority, timeout_seconds }) => {
    const common = {
      targetUuid: target_uuid,
      jobId: payload.job_id,
      priority,
      timeoutMs: timeout_seconds * 1000,
      origin: ctx.sessionId,
      sender: ctx.sender(),
    };
    const started =
      payload.message_type === "command_dispatch"
        ? ctx.bus.start({ ...common, kind: "command", command: payload.command, params: payload.params })
        : ctx.bus.start({ ...common, kind: "script", script: payload.script, description: payload.description });
    if (started.ok) {
      // The id goes back only once any server process could answer for it, even if this one dies next.
      await started.recorded;
      return toolResult({ status: "queued", job_id: started.job.job_id, target_uuid: started.job.target_uuid, error: "" }, false);
    }
    const candidates = "candidates" in started && started.candidates.length > 0 ? { candidates: started.candidates } : {};
    const targetUuid = "targetUuid" in started ? started.targetUuid : null;
    return toolResult({ status: started.status, job_id: null, target_uuid: targetUuid, error: started.error, ...candidates }, true);
  });
}
