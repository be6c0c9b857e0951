import type { UserBus } from "../bus/user-bus.js";
import type { Logger } from "../log.js";

/** What every tool and resource handler of one MCP session works with. */
export interface SessionContext {
  bus: UserBus;
  /** Identifies the session as the origin of its jobs, for notifications. */
  sessionId: string;
  log: Logger;
}
