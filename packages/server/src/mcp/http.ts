/**
 * Streamable HTTP at /mcp, both protocol eras at once:
 * - 2025-11-25 (legacy): one transport and one server per MCP session, as
 *   before; a session idle past --session-idle is closed and frees its place;
 * - 2026-07-28 (modern): stateless, per request (modern-http.ts).
 * The SDK's own classifier (isLegacyRequest) picks the leg of a request that
 * names no session.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isInitializeRequest, isLegacyRequest } from "@modelcontextprotocol/server";
import { NodeStreamableHTTPServerTransport, toWebRequest } from "@modelcontextprotocol/node";
import type { Hub } from "../bus/hub.js";
import { BodyTooLarge, readJsonBody } from "../http/body.js";
import type { Logger } from "../log.js";
import { ModernHttpLeg } from "./modern-http.js";
import { createSession, type Session } from "./session.js";
import type { SessionRegistry } from "./sessions.js";
import { chooseTools } from "./toolsets.js";

interface Entry {
  transport: NodeStreamableHTTPServerTransport;
  session: Session;
  userId: string;
  lastSeen: number;
  /** Open requests and event streams: a session busy with one is not idle. */
  open: number;
}

export interface McpHttpOptions {
  maxBodyBytes: number;
  toolsets: string | null;
  /** A legacy session with no request and no open stream for this long is closed; 0 keeps them for ever. */
  sessionIdleSeconds: number;
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

/**
 * A request that names a 2026-era revision in its header is no legacy one, whatever its body says: the
 * modern leg answers it, errors included, as the SDK's own routing would, without a second parse.
 */
function claimsModern(req: IncomingMessage): boolean {
  const version = req.headers["mcp-protocol-version"];
  return typeof version === "string" && version >= "2026-";
}

/** isInitializeRequest parses the whole body with its schema: only a body that says "initialize" is worth it. */
const isInitialize = (body: unknown) =>
  typeof body === "object" && body !== null && (body as { method?: unknown }).method === "initialize" && isInitializeRequest(body);

export class McpHttpEndpoint {
  private readonly sessions = new Map<string, Entry>();
  private readonly modern: ModernHttpLeg;
  private readonly sweeper: NodeJS.Timeout | null;

  constructor(
    private readonly hub: Hub,
    private readonly registry: SessionRegistry,
    private readonly options: McpHttpOptions,
    private readonly log: Logger,
  ) {
    this.modern = new ModernHttpLeg(hub, options, log);
    const idleMs = options.sessionIdleSeconds * 1000;
    // Checked a few times per idle period, so a session goes at most a quarter late.
    this.sweeper = idleMs > 0 ? setInterval(() => this.expireIdle(idleMs), Math.max(250, idleMs / 4)).unref() : null;
  }

  /** Closes legacy sessions idle since before now - idleMs (exported for tests through the timer only). */
  private expireIdle(idleMs: number): void {
    const cutoff = Date.now() - idleMs;
    for (const [id, entry] of this.sessions) {
      if (entry.open > 0 || entry.lastSeen > cutoff) continue;
      this.log.info("mcp.session_expired", { session_id: id, idle_seconds: this.options.sessionIdleSeconds });
      void entry.transport.close();
    }
  }

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
      entry.open++;
      res.once("close", () => {
        entry.open--;
        entry.lastSeen = Date.now();
      });
      if (req.method === "GET") watchEventStream(res, entry.session);
      return entry.transport.handleRequest(req, res, body);
    }
    const choice = chooseTools(req, this.options.toolsets);
    if (!choice.ok) return jsonRpcError(res, 400, -32602, choice.error);
    if (!(req.method === "POST" && isInitialize(body))) {
      if (req.method === "POST" && (claimsModern(req) || !(await isLegacyRequest(await toWebRequest(req, body), { parsedBody: body })))) {
        return this.modern.handle(req, res, userId, body);
      }
      if (req.method === "POST" || req.method === "GET" || req.method === "DELETE") {
        return jsonRpcError(res, 400, -32000, "Bad Request: no valid session ID; send initialize first (2025-11-25), or the per-request _meta of 2026-07-28");
      }
      return this.modern.handle(req, res, userId, body);
    }
    const refusal = this.registry.refusal(userId);
    if (refusal) return jsonRpcError(res, 429, -32000, refusal);
    const id = randomUUID();
    const session = createSession(this.hub.bus(userId), id, this.log, { tools: choice.tools, holdUntilStream: true });
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => {
        this.sessions.set(id, { transport, session, userId, lastSeen: Date.now(), open: 0 });
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

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.modern.close();
  }
}
