/**
 * One MCP server instance with every tool and resource, bound to its user's
 * bus. Every door makes them here, for either protocol era:
 * - legacy (2025-11-25): a session; its jobs' `_message_bus` log messages and
 *   the resources it subscribed to are pushed to it unasked;
 * - modern (2026-07-28): no session; change notifications go out only on the
 *   client's `subscriptions/listen` streams (the SDK routes and filters them).
 */
import { McpServer } from "@modelcontextprotocol/server";
import { PACKAGE_VERSION, type ToolDef } from "@blender-mcp/protocol";
import { CLIENTS_URI, JOBS_URI, type SessionSink, type UserBus } from "../bus/user-bus.js";
import type { Logger } from "../log.js";
import type { SessionContext } from "./context.js";
import { registerViewer } from "./app/index.js";
import { registerPrompts } from "./prompts.js";
import { jobUri, registerResources } from "./resources.js";
import { registerTasks } from "./tasks.js";
import { registerTools } from "./tools/index.js";

const INSTRUCTIONS = `Drive running Blender instances.
- Start with blender_get_scene_info; use blender_get_object_info and blender_browse_data for details.
- Run Python with blender_execute_code (returns stdout; put multi-step work in one call).
- Check results with blender_get_views (several viewpoints, one image) or blender_get_viewport_screenshot; render with blender_render_still.
- Each scene-changing job is one undo step: blender_undo takes it back.
- Several Blenders connected? blender_list_clients, then pass target_uuid.
- Every tool returns {status, command, target_uuid, job_id, result, error}; status is completed, failed, timeout, no_client, ambiguous_target or unknown_target.
- A job that outlives its timeout goes on: fetch it with blender_get_job.`;

export type Era = "legacy" | "modern";

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
  era?: Era;
  /**
   * Where this instance's change notifications go, when not to its own
   * connection: a per-request modern instance over HTTP publishes nothing
   * itself (its user's listen streams are fed by modern-http.ts).
   */
  sink?: "connection" | "none";
  /** Modern era: whether the client has a listen stream open (without one, every change notification would be dropped). */
  listening?: () => boolean;
}

export function createServer(bus: UserBus, sessionId: string, log: Logger, tools: readonly ToolDef[], era: Era): { server: McpServer; ctx: SessionContext } {
  const server = new McpServer(
    { name: "blender-mcp", title: "Blender MCP bus", version: PACKAGE_VERSION },
    {
      capabilities: { ...(era === "legacy" ? { logging: {} } : {}), resources: { subscribe: true, listChanged: true }, prompts: {} },
      instructions: INSTRUCTIONS,
      // Tool listings never change while the server runs (private: they follow the client's toolsets); scene and job resources do, and are not cacheable.
      cacheHints: { "tools/list": { ttlMs: 3_600_000, cacheScope: "private" }, "prompts/list": { ttlMs: 3_600_000, cacheScope: "private" } },
    },
  );
  const sender = () => {
    // Backfilled per request for 2026-07-28 clients, from initialize for 2025-11-25 ones.
    const client = server.server.getClientVersion();
    return client ? `${client.name} ${client.version}`.slice(0, 200) : null;
  };
  const ctx: SessionContext = { bus, sessionId, log: log.child({ session_id: sessionId }), era, sender };
  registerTools(server, ctx, tools);
  registerResources(server, ctx);
  registerViewer(server);
  registerPrompts(server, ctx, tools);
  registerTasks(server, ctx, tools);
  return { server, ctx };
}

export function createSession(bus: UserBus, sessionId: string, log: Logger, options: SessionOptions): Session {
  const { tools, holdUntilStream = false, era = "legacy", sink = "connection", listening = () => true } = options;
  const { server, ctx } = createServer(bus, sessionId, log, tools, era);
  const subscribed = new Set<string>();

  if (era === "legacy") {
    server.server.setRequestHandler("resources/subscribe", async (request) => {
      subscribed.add(request.params.uri);
      await bus.subscribe(sessionId, request.params.uri);
      return {};
    });
    server.server.setRequestHandler("resources/unsubscribe", async (request) => {
      subscribed.delete(request.params.uri);
      bus.unsubscribe(sessionId, request.params.uri);
      return {};
    });
  }

  // A transport that has gone away must not take the bus down with it.
  const quietly = (p: Promise<void>) => p.catch((e: Error) => ctx.log.debug("session.notify_failed", { error: e.message }));
  const held: (() => Promise<void>)[] = [];
  let streamOpen = !holdUntilStream;
  let closed = false;
  // Written after the work at hand (a dispatch's running and completed updates would otherwise go out
  // ahead of its answer, and delay it), in the order they were sent.
  const deliver = (send: () => Promise<void>) => {
    if (!server.isConnected()) return;
    if (streamOpen) return void setImmediate(() => server.isConnected() && void quietly(send()));
    held.push(send);
    if (held.length > MAX_HELD) held.shift();
  };
  const updated = (uri: string) => deliver(() => server.server.sendResourceUpdated({ uri }));
  const clientsChanged = () => {
    updated(CLIENTS_URI);
    // The templated per-Blender resources come and go with them.
    deliver(() => server.server.sendResourceListChanged());
  };

  const legacySink: SessionSink = {
    id: sessionId,
    notify: (logger, level, data) => {
      deliver(() => server.server.sendLoggingMessage({ level, logger, data }, sessionId));
      if (subscribed.has(JOBS_URI)) updated(JOBS_URI);
      const uri = jobUri(data.job_id);
      if (subscribed.has(uri)) updated(uri);
    },
    resourceUpdated: (uri) => (uri === CLIENTS_URI ? clientsChanged() : updated(uri)),
  };
  // The SDK drops what no listen stream asked for, so everything goes out and it filters.
  const modernSink: SessionSink = {
    id: sessionId,
    notify: (_logger, _level, data) => {
      if (!listening()) return;
      updated(jobUri(data.job_id));
      updated(JOBS_URI);
    },
    resourceUpdated: (uri) => listening() && (uri === CLIENTS_URI ? clientsChanged() : updated(uri)),
  };
  if (sink === "connection") {
    bus.addSession(era === "legacy" ? legacySink : modernSink);
    if (era === "modern") {
      void bus.subscribe(sessionId, JOBS_URI);
      void bus.subscribe(sessionId, CLIENTS_URI);
    }
  }
  const close = async () => {
    if (closed) return;
    closed = true;
    bus.removeSession(sessionId);
    await server.close();
  };
  // serveStdio builds (and drops) a probe instance before the era is known: it must not stay on the bus.
  server.server.onclose = () => void close();

  return {
    server,
    streamOpened: () => {
      streamOpen = true;
      for (const send of held.splice(0)) deliver(send);
    },
    streamClosed: () => {
      streamOpen = !holdUntilStream;
    },
    close,
  };
}
