/**
 * The addon endpoint: a WebSocket per Blender. The first message must be a
 * hello; then the bus routes jobs out and job_updates in. A peer that stops
 * answering WebSocket pings is dropped.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { PACKAGE_VERSION, PROTOCOL_VERSION, type Hello, type Refused, type ServerMessage } from "@blender-mcp/protocol";
import type { AuthResult } from "../auth/authenticator.js";
import { RateLimiter } from "../auth/rate-limit.js";
import { Heartbeat } from "../http/heartbeat.js";
import type { BlenderClient } from "../bus/client.js";
import type { Hub } from "../bus/hub.js";
import type { Logger } from "../log.js";
import { decodeAddonFrame } from "./decode.js";

export interface AddonSocketOptions {
  heartbeatSeconds: number;
  helloTimeoutMs: number;
  maxMessageBytes: number;
  maxResultBytes: number;
  maxAddonsPerUser: number;
  framesPerSecond: number;
}

/** Close codes in the application range (4000-4999) so an addon can tell why it was dropped. */
export const CLOSE = {
  replaced: 4000,
  helloTimeout: 4001,
  refused: 4002,
  heartbeat: 4003,
  rateLimited: 4004,
  shutdown: 1001,
} as const;

interface Peer {
  id: number;
  ws: WebSocket;
  client: BlenderClient | null;
  userId: string;
}

export class AddonSocketServer {
  private readonly wss: WebSocketServer;
  private readonly peers = new Set<Peer>();
  private readonly perUser = new Map<string, number>();
  private readonly frames: RateLimiter;
  private nextPeerId = 0;
  private readonly heartbeat: Heartbeat;
  /** Called when a connection opens or closes. */
  onChange: (() => void) | null = null;

  constructor(
    private readonly hub: Hub,
    private readonly options: AddonSocketOptions,
    private readonly log: Logger,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false });
    this.frames = new RateLimiter(options.framesPerSecond);
    // One timer for every peer: idle connections cost no timers of their own.
    this.heartbeat = new Heartbeat(options.heartbeatSeconds * 1000);
  }

  /**
   * Accepts the upgrade even when the token is wrong, so the addon can show
   * the refusal's reason rather than a bare handshake failure.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, auth: AuthResult): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (!auth.ok) return this.refuse(ws, "unauthorized", `${auth.reason}; set the token in the addon preferences`);
      const user = auth.identity.user;
      if ((this.perUser.get(user) ?? 0) >= this.options.maxAddonsPerUser) {
        return this.refuse(ws, "limit_reached", `${this.options.maxAddonsPerUser} Blenders are already connected for this user, the server's limit (--max-addons-per-user)`);
      }
      this.accept(ws, user);
    });
  }

  get connectionCount(): number {
    return this.peers.size;
  }

  private accept(ws: WebSocket, userId: string): void {
    const peer: Peer = { id: this.nextPeerId++, ws, client: null, userId };
    this.peers.add(peer);
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
    this.onChange?.();
    const helloTimer = setTimeout(() => ws.close(CLOSE.helloTimeout, "no hello in time"), this.options.helloTimeoutMs);
    this.heartbeat.watch(ws, () => this.log.warn("addon.heartbeat_missed", { target_uuid: peer.client?.uuid }));
    ws.on("pong", () => {
      this.heartbeat.heard(ws);
      if (peer.client) peer.client.lastSeen = new Date();
    });
    ws.on("message", (data, isBinary) => {
      this.heartbeat.heard(ws);
      // Counted before anything else, so no kind of frame (binary ones get an error reply) floods for free.
      if (this.frames.take(String(peer.id)) > 0) {
        this.log.warn("addon.rate_limited", { target_uuid: peer.client?.uuid });
        ws.close(CLOSE.rateLimited, "too many messages: over the server's --max-frames-per-second");
        return;
      }
      if (isBinary) {
        this.send(ws, { message_type: "protocol_error", code: "invalid_message", message: "frames must be JSON text", job_id: null });
        return;
      }
      this.onFrame(peer, data.toString(), helloTimer);
    });
    ws.on("close", (code, reason) => {
      this.heartbeat.forget(ws);
      clearTimeout(helloTimer);
      this.peers.delete(peer);
      this.frames.forget(String(peer.id));
      this.perUser.set(userId, (this.perUser.get(userId) ?? 1) - 1);
      if (peer.client) this.hub.bus(userId).detach(peer.client, `socket closed: ${code} ${reason.toString() || ""}`.trim());
      this.onChange?.();
    });
    ws.on("error", (error) => this.log.warn("addon.socket_error", { error: error.message, target_uuid: peer.client?.uuid }));
  }

  private onFrame(peer: Peer, text: string, helloTimer: NodeJS.Timeout): void {
    const decoded = decodeAddonFrame(text);
    if (!decoded.ok) {
      this.log.warn("addon.protocol_error", { code: decoded.error.code, error: decoded.error.message, target_uuid: peer.client?.uuid });
      this.send(peer.ws, decoded.error);
      return;
    }
    const message = decoded.message;
    if (peer.client) peer.client.lastSeen = new Date();
    switch (message.message_type) {
      case "hello":
        clearTimeout(helloTimer);
        this.onHello(peer, message);
        return;
      case "ping":
        this.send(peer.ws, { message_type: "pong", nonce: message.nonce });
        return;
      case "pong":
        return;
      case "protocol_error":
        this.log.warn("addon.reported_error", { code: message.code, error: message.message, job_id: message.job_id, target_uuid: peer.client?.uuid });
        return;
      case "job_update": {
        if (!peer.client) return this.notYetWelcomed(peer, message.job_id);
        const { message_type: _, ...update } = message;
        if (text.length > this.options.maxResultBytes && update.status !== "running") {
          // The job still ends, with a reason, rather than carrying a result nobody can take.
          Object.assign(update, { status: "failed", result: null, error: `the result is ${text.length} bytes, over the server's limit of ${this.options.maxResultBytes} (--max-result-bytes)` });
        }
        const outcome = this.hub.bus(peer.userId).update(peer.client.uuid, update);
        // A duplicate is harmless (an addon may resend after reconnecting): logged by the bus, not answered.
        if (!outcome.accepted && outcome.code !== "duplicate_job") {
          this.send(peer.ws, { message_type: "protocol_error", code: outcome.code, message: outcome.reason, job_id: message.job_id });
        }
        return;
      }
    }
  }

  private notYetWelcomed(peer: Peer, jobId: string | null): void {
    this.send(peer.ws, { message_type: "protocol_error", code: "unexpected_message", message: "send hello first", job_id: jobId });
  }

  private onHello(peer: Peer, hello: Hello): void {
    if (peer.client) {
      this.send(peer.ws, { message_type: "protocol_error", code: "unexpected_message", message: "hello was already received", job_id: null });
      return;
    }
    if (hello.protocol_version !== PROTOCOL_VERSION) {
      const newer = hello.protocol_version > PROTOCOL_VERSION ? "server" : "addon";
      this.refuse(peer.ws, "incompatible_protocol", `the addon speaks protocol ${hello.protocol_version} and the server ${PROTOCOL_VERSION}: update the ${newer}`);
      return;
    }
    const ws = peer.ws;
    peer.client = this.hub.bus(peer.userId).attach(hello, {
      send: (message) => this.send(ws, message),
      close: (code, reason) => ws.close(code, reason),
    });
    this.send(ws, {
      message_type: "welcome",
      server_version: PACKAGE_VERSION,
      protocol_version: PROTOCOL_VERSION,
      client_uuid: hello.client_uuid,
      heartbeat_seconds: this.options.heartbeatSeconds,
    });
  }

  private refuse(ws: WebSocket, code: Refused["code"], reason: string): void {
    this.log.warn("addon.refused", { code, reason });
    this.send(ws, { message_type: "refused", code, reason, protocol_version: PROTOCOL_VERSION });
    ws.close(CLOSE.refused, code);
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    this.heartbeat.stop();
    for (const peer of this.peers) peer.ws.close(CLOSE.shutdown, "server shutting down");
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
