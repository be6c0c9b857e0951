/**
 * Streamable HTTP at /mcp: one transport and one McpServer per MCP session,
 * all sessions of a user sharing that user's bus.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Hub } from "../bus/hub.js";
import { BodyTooLarge, readJsonBody } from "../http/body.js";
import type { Logger } from "../log.js";
import { createSession, type Session } from "./session.js";
import type { SessionRegistry } from "./sessions.js";
import { chooseTools } from "./toolsets.js";

interface Entry {
  transport: StreamableHTTPServerTransport;
  session: Session;
  userId: string;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

/**
 * Tells the session when its GET event stream opens and closes. The SDK has
 * no event for it; the stream is registered in the transport by the time the
 * 200 status goes out, so the status line is the signal.
 */
function watchEventStream(res: ServerResponse, session: Session): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((...args: unknown[]) => {
    const result = writeHead(...args);
    if (res.statusCode === 200) {
      session.streamOpened();
      res.once("close", () => session.streamClosed());
    }
    return result;
  }) as ServerResponse["writeHead"];
}

export class McpHttpEndpoint {
  private readonly sessions = new Map<string, Entry>();

  constructor(
    private readonly hub: Hub,
    private readonly registry: SessionRegistry,
    private readonly options: { maxBodyBytes: number; toolsets: string | null },
    private readonly log: Logger,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, userId: string): Promise<void> {
    let body: unknown;
    if (req.method === "POST") {
      try {
        body = await readJsonBody(req, this.options.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) return jsonRpcError(res, 413, -32600, e.message);
        return jsonRpcError(res, 400, -32700, "Parse error: body is not JSON");
      }
    }
    const sessionId = req.headers["mcp-session-id"];
    if (typeof sessionId === "string") {
      const entry = this.sessions.get(sessionId);
      // A session belongs to the user who opened it.
      if (!entry || entry.userId !== userId) return jsonRpcError(res, 404, -32001, "Session not found");
      if (req.method === "GET") watchEventStream(res, entry.session);
      return entry.transport.handleRequest(req, res, body);
    }
    if (req.method !== "POST" || !isInitializeRequest(body)) {
      return jsonRpcError(res, 400, -32000, "Bad Request: no valid session ID; send initialize first");
    }
    const refusal = this.registry.refusal(userId);
    if (refusal) return jsonRpcError(res, 429, -32000, refusal);
    const choice = chooseTools(req, this.options.toolsets);
    if (!choice.ok) return jsonRpcError(res, 400, -32602, choice.error);
    const id = randomUUID();
    const session = createSession(this.hub.bus(userId), id, this.log, { tools: choice.tools, holdUntilStream: true });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => {
        this.sessions.set(id, { transport, session, userId });
        this.registry.add(id, userId, () => transport.close());
        this.log.info("mcp.session_opened", { session_id: id, user_id: userId, transport: "http" });
      },
    });
    transport.onclose = () => {
      this.sessions.delete(id);
      if (this.registry.delete(id)) this.log.info("mcp.session_closed", { session_id: id });
      void session.close();
    };
    await session.server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
}
