/**
 * MCP over WebSocket at /mcp: subprotocol "mcp", one JSON-RPC message per
 * text frame, framed as stdio frames lines. Either era, chosen per
 * connection by its first message (the SDK's stdio entry decides). This is the
 * door `blender-mcp stdio` relays through: one socket per session rather
 * than an HTTP request (and an event stream) per message. A client either
 * sends a bearer header with the upgrade, or (the relay) runs the auth
 * handshake in its first frames, where the hub proves itself first.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { randomUUID } from "node:crypto";
import { WebSocketServer, WebSocket, type RawData } from "ws";
import { parseJSONRPCMessage, type JSONRPCMessage, type Transport } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { AuthBegin, AuthProof, MCP_CLOSE, PROTOCOL_VERSION, type ToolDef } from "@blender-mcp/protocol";
import type { HandshakeAuthority } from "../auth/handshake.js";
import type { Identity } from "../auth/authenticator.js";
import type { Hub } from "../bus/hub.js";
import { Heartbeat } from "../http/heartbeat.js";
import { sendBatched } from "../http/batched-send.js";
import type { Logger } from "../log.js";
import { createSession, type Session } from "./session.js";
import { chooseTools } from "./toolsets.js";
import type { SessionRegistry } from "./sessions.js";

export const MCP_SUBPROTOCOL = "mcp";


/** Asked before each message: null to let it through, or why not (fatal: the socket closes). */
export type Admit = () => { reason: string; fatal: boolean } | null;

export class WebSocketServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  /** Open subscriptions/listen requests by id: with none, change notifications need not be made at all. */
  private readonly listens = new Set<string | number>();

  get listening(): boolean {
    return this.listens.size > 0;
  }

  /** Frames that came before the SDK started the transport (a client writes right behind the auth proof). */
  private early: { data: RawData; isBinary: boolean }[] | null = [];

  constructor(
    private readonly ws: WebSocket,
    /** The upgraded socket under ws, which sendBatched corks. */
    private readonly socket: Duplex,
    readonly sessionId: string,
    private readonly admit: Admit,
  ) {
    ws.on("message", (data, isBinary) => (this.early ? this.early.push({ data, isBinary }) : this.receive(data, isBinary)));
    ws.on("close", () => this.onclose?.());
    ws.on("error", (error) => this.onerror?.(error));
  }

  async start(): Promise<void> {
    const early = this.early ?? [];
    this.early = null;
    for (const { data, isBinary } of early) this.receive(data, isBinary);
  }

  private receive(data: RawData, isBinary: boolean): void {
    let message: JSONRPCMessage;
    try {
      if (isBinary) throw new Error("binary frame");
      message = parseJSONRPCMessage(JSON.parse(data.toString()));
    } catch {
      return this.write({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: each frame must be one JSON-RPC message as JSON text" } });
    }
    const refusal = this.admit();
    if (refusal?.fatal) return void this.ws.close(MCP_CLOSE.unauthorized, refusal.reason);
    if (refusal) {
      if ("method" in message && "id" in message) this.write({ jsonrpc: "2.0", id: message.id, error: { code: -32000, message: refusal.reason } });
      return;
    }
    if ("method" in message) {
      if (message.method === "subscriptions/listen" && "id" in message) this.listens.add(message.id);
      else if (message.method === "notifications/cancelled") this.listens.delete((message.params as { requestId?: string | number } | undefined)?.requestId ?? "");
    }
    this.onmessage?.(message);
  }

  private write(message: unknown): void {
    // An answer and its job's notification, sent in one turn, share a write: see batched-send.ts.
    if (this.ws.readyState === WebSocket.OPEN) sendBatched(this.ws, this.socket, JSON.stringify(message));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.write(message);
  }

  async close(): Promise<void> {
    this.ws.close(MCP_CLOSE.shutdown, "server shutting down");
  }
}

export class McpWebSocketEndpoint {
  private readonly wss: WebSocketServer;
  /** A client gone without a close (a crash, a lost network) must not hold a session, and a place under the limit, for ever. */
  private readonly heartbeat: Heartbeat;

  constructor(
    private readonly hub: Hub,
    private readonly registry: SessionRegistry,
    private readonly options: { maxBodyBytes: number; heartbeatSeconds: number; toolsets: string | null },
    private readonly log: Logger,
  ) {
    this.heartbeat = new Heartbeat(options.heartbeatSeconds * 1000);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxBodyBytes,
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false),
    });
  }

  /** For a request that has passed the gate (browser checks, token, limits) as userId. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, userId: string, admit: Admit): void {
    const tools = this.toolsOrRefuse(request, socket);
    if (tools === null) return;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws, socket, userId, admit, tools));
  }

  /**
   * For a request that passed the browser checks and carries no token: the
   * first frames must be the handshake, and only then does a session exist.
   * admitFor gives the per-message gate for the identity proved.
   */
  handleHandshakeUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    authority: HandshakeAuthority,
    timeoutMs: number,
    admitFor: (identity: Identity, tokenId: string) => { refusal: string | null; admit: Admit },
  ): void {
    const tools = this.toolsOrRefuse(request, socket);
    if (tools === null) return;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const auth = authority.start("mcp");
      const fail = (reason: string) => {
        this.log.warn("mcp.auth_refused", { reason });
        ws.send(JSON.stringify({ message_type: "refused", code: "unauthorized", reason, protocol_version: PROTOCOL_VERSION }));
        ws.close(MCP_CLOSE.unauthorized, reason.slice(0, 120));
      };
      const timer = setTimeout(() => fail(`the auth handshake did not complete within ${timeoutMs / 1000} s (--handshake-timeout)`), timeoutMs);
      const onFrame = (data: RawData) => {
        let value: unknown;
        try {
          value = JSON.parse(data.toString());
        } catch {
          value = null;
        }
        const begin = AuthBegin.safeParse(value);
        if (begin.success) {
          const begun = auth.begin(begin.data);
          if (!begun.ok) return fail(begun.reason.replace("update the addon", "update blender-mcp"));
          return ws.send(JSON.stringify(begun.challenge));
        }
        const proof = AuthProof.safeParse(value);
        if (!proof.success) return fail("authenticate first: send auth_begin and auth_proof, or an Authorization: Bearer header with the upgrade");
        const proved = auth.proof(proof.data);
        if (!proved.ok) return fail(proved.reason);
        const { refusal, admit } = admitFor(proved.identity, proved.tokenId);
        if (refusal) return fail(refusal);
        clearTimeout(timer);
        ws.off("message", onFrame).off("close", onClose);
        // Synchronously: a JSON-RPC frame right behind the proof reaches the session's own listener.
        this.open(ws, socket, proved.identity.user, admit, tools);
      };
      const onClose = () => clearTimeout(timer);
      ws.on("message", onFrame).on("close", onClose);
    });
  }

  /** The session's tools from the upgrade request, or null once it is refused (see toolsets.ts). */
  private toolsOrRefuse(request: IncomingMessage, socket: Duplex): readonly ToolDef[] | null {
    const choice = chooseTools(request, this.options.toolsets);
    if (choice.ok) return choice.tools;
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${choice.error}\n`);
    return null;
  }

  private open(ws: WebSocket, socket: Duplex, userId: string, admit: Admit, tools: readonly ToolDef[]): void {
    const id = randomUUID();
    const bus = this.hub.bus(userId);
    const transport = new WebSocketServerTransport(ws, socket, id, admit);
    // The SDK may build a throw-away instance to answer a server/discover probe first: each instance is its own bus session.
    const sessions: Session[] = [];
    const handle = serveStdio(
      ({ era }) => {
        const session = createSession(bus, sessions.length === 0 ? id : randomUUID(), this.log, { tools, era, listening: () => transport.listening });
        sessions.push(session);
        return session.server;
      },
      { transport, onerror: (e) => this.log.debug("mcp.websocket_error", { session_id: id, error: e.message }) },
    );
    this.heartbeat.watch(ws, () => this.log.warn("mcp.heartbeat_missed", { session_id: id }));
    const heard = () => this.heartbeat.heard(ws);
    ws.on("pong", heard).on("message", heard);
    ws.on("close", () => {
      this.heartbeat.forget(ws);
      if (this.registry.delete(id)) this.log.info("mcp.session_closed", { session_id: id });
      void handle.close().catch(() => {});
      for (const session of sessions) void session.close();
    });
    this.registry.add(id, userId, () => transport.close());
    this.log.info("mcp.session_opened", { session_id: id, user_id: userId, transport: "websocket" });
  }

  close(): void {
    this.heartbeat.stop();
  }
}
