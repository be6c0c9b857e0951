/**
 * The 2026-07-28 leg of /mcp: stateless, one server instance per request from
 * the SDK's handler, one handler per user so that a user's
 * `subscriptions/listen` streams hear only that user's bus.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createMcpHandler, type McpHttpHandler } from "@modelcontextprotocol/server";
import { toNodeHandler, type NodeMcpRequestHandler } from "@modelcontextprotocol/node";
import type { Hub } from "../bus/hub.js";
import { CLIENTS_URI, JOBS_URI } from "../bus/user-bus.js";
import type { Logger } from "../log.js";
import { jobUri } from "./resources.js";
import { createSession } from "./session.js";
import { toolsForSpec } from "./toolsets.js";

interface UserLeg {
  handler: McpHttpHandler;
  serve: NodeMcpRequestHandler;
}

export class ModernHttpLeg {
  private readonly users = new Map<string, UserLeg>();

  constructor(
    private readonly hub: Hub,
    private readonly options: { maxBodyBytes: number; toolsets: string | null },
    private readonly log: Logger,
  ) {}

  /** body: the parsed JSON body of a POST, already read. */
  handle(req: IncomingMessage, res: ServerResponse, userId: string, body: unknown): Promise<void> {
    return this.leg(userId).serve(req, res, body);
  }

  private leg(userId: string): UserLeg {
    const existing = this.users.get(userId);
    if (existing) return existing;
    const bus = this.hub.bus(userId);
    const handler = createMcpHandler(
      ({ requestInfo }) => {
        // The toolsets were checked before the request got here (http.ts).
        const asked = requestInfo ? new URL(requestInfo.url).searchParams.get("toolsets") : null;
        const choice = toolsForSpec(asked ?? this.options.toolsets ?? undefined);
        if (!choice.ok) throw new Error(choice.error);
        const tools = choice.tools;
        return createSession(bus, randomUUID(), this.log, { tools, era: "modern", sink: "none" }).server;
      },
      {
        legacy: "reject",
        maxRequestBodySize: this.options.maxBodyBytes,
        onerror: (e) => this.log.debug("mcp.modern_request_error", { user_id: userId, error: e.message }),
      },
    );
    // The user's listen streams hear every job of the bus and every Blender coming or going; the SDK filters per stream.
    const sinkId = `modern-http:${randomUUID()}`;
    bus.addSession({
      id: sinkId,
      notify: (_logger, _level, event) => {
        handler.notify.resourceUpdated(jobUri(event.job_id));
        handler.notify.resourceUpdated(JOBS_URI);
      },
      resourceUpdated: (uri) => {
        handler.notify.resourceUpdated(uri);
        if (uri === CLIENTS_URI) handler.notify.resourcesChanged();
      },
    });
    void bus.subscribe(sinkId, JOBS_URI);
    void bus.subscribe(sinkId, CLIENTS_URI);
    const leg = { handler, serve: toNodeHandler(handler, { maxRequestBodySize: this.options.maxBodyBytes }) };
    this.users.set(userId, leg);
    return leg;
  }

  async close(): Promise<void> {
    await Promise.all([...this.users.values()].map((leg) => leg.handler.close()));
  }
}
