import type { CompletionContext } from "@blender-mcp/protocol";
import type { UserBus } from "../bus/user-bus.js";
import type { Logger } from "../log.js";

/** What every tool and resource handler of one MCP session works with. */
export interface SessionContext {
  bus: UserBus;
  /** Identifies the session (or, in the modern era, the request's server instance) as the origin of its jobs. */
  sessionId: string;
  log: Logger;
  era: "legacy" | "modern";
  /** The MCP client's name and version, for the people watching its jobs (the live page), when it said them. */
  sender(): string | null;
}

/** What completions know of the caller: its Blenders and its recent jobs. */
export function completionContext(ctx: Pick<SessionContext, "bus">): CompletionContext {
  return {
    clients: ctx.bus.listClients().map((c) => ({ uuid: c.uuid, label: c.hello.label })),
    jobIds: ctx.bus.recentJobs(100).map((j) => j.job_id),
  };
}
