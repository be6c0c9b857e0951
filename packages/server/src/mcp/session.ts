/**
 * One MCP session: an McpServer with every tool and resource, bound to its
 * user's bus as a notification sink. Every transport makes sessions here.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { PACKAGE_VERSION, type ToolDef } from "@blender-mcp/protocol";
import type { UserBus } from "../bus/user-bus.js";
import type { Logger } from "../log.js";
import type { SessionContext } from "./context.js";
import { registerResources } from "./resources.js";
import { registerTools } from "./tools/index.js";

const INSTRUCTIONS = `Drive running Blender instances.
- Start with blender_get_scene_info; use blender_get_object_info and blender_browse_data for details.
- Run Python with blender_execute_code (returns stdout; put multi-step work in one call).
- Check results with blender_get_views (several viewpoints, one image) or blender_get_viewport_screenshot; render with blender_render_still.
- Each scene-changing job is one undo step: blender_undo takes it back.
- Several Blenders connected? blender_list_clients, then pass target_uuid.
- Every tool returns {status, command, target_uuid, job_id, result, error}; status is completed, failed, timeout, no_client, ambiguous_target or unknown_target.
- A job that outlives its timeout goes on: fetch it with blender_get_job.`;

export interface Session {
  server: McpServer;
  /** The client's event stream for server-initiated messages opened: deliver what was held. */
  streamOpened(): void;
  streamClosed(): void;
  close(): Promise<void>;
}

/** Notifications held for a client with no event stream open; the oldest go first past this. */
const MAX_HELD = 1000;

/**
 * holdUntilStream: over Streamable HTTP, notifications that belong to no
 * request travel on the client's GET event stream, and one sent while it is
 * not open is dropped by the transport. A client that dispatches right after
 * initializing would miss its job's completion; so they wait for the stream.
 */
export interface SessionOptions {
  /** The tools this session advertises (see toolsets.ts). */
  tools: readonly ToolDef[];
  holdUntilStream?: boolean;
}

export function createSession(bus: UserBus, sessionId: string, log: Logger, options: SessionOptions): Session {
  const { tools, holdUntilStream = false } = options;
  const server = new McpServer(
    { name: "blender-mcp", title: "Blender MCP bus", version: PACKAGE_VERSION },
    { capabilities: { logging: {}, resources: { subscribe: true } }, instructions: INSTRUCTIONS },
  );
  const ctx: SessionContext = { bus, sessionId, log: log.child({ session_id: sessionId }) };
  registerTools(server, ctx, tools);
  registerResources(server, ctx);

  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    await bus.subscribe(sessionId, request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    bus.unsubscribe(sessionId, request.params.uri);
    return {};
  });

  // A transport that has gone away must not take the bus down with it.
  const quietly = (p: Promise<void>) => p.catch((e: Error) => ctx.log.debug("session.notify_failed", { error: e.message }));
  const held: (() => Promise<void>)[] = [];
  let streamOpen = !holdUntilStream;
  // Written after the work at hand (a dispatch's running and completed updates would otherwise go out
  // ahead of its answer, and delay it), in the order they were sent.
  const deliver = (send: () => Promise<void>) => {
    if (!server.isConnected()) return;
    if (streamOpen) return void setImmediate(() => server.isConnected() && void quietly(send()));
    held.push(send);
    if (held.length > MAX_HELD) held.shift();
  };
  bus.addSession({
    id: sessionId,
    notify: (logger, level, data) => deliver(() => server.server.sendLoggingMessage({ level, logger, data }, sessionId)),
    resourceUpdated: (uri) => deliver(() => server.server.sendResourceUpdated({ uri })),
  });

  return {
    server,
    streamOpened: () => {
      streamOpen = true;
      for (const send of held.splice(0)) deliver(send);
    },
    streamClosed: () => {
      streamOpen = !holdUntilStream;
    },
    close: async () => {
      bus.removeSession(sessionId);
      await server.close();
    },
  };
}
