/**
 * The addon endpoint: a WebSocket per Blender. First the auth handshake
 * (the server proves it knows the token, then the addon does), then a
 * hello; then the bus routes jobs out and job_updates in. A peer that stops
 * answering WebSocket pings is dropped.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { AUTH_HEADER, AUTH_SCHEME, CLOSE, PACKAGE_VERSION, PROTOCOL_VERSION, type AddonMessage, type Hello, type Refused, type ServerMessage } from "@blender-mcp/protocol";
import type { HandshakeAuthority, ServerHandshake } from "../auth/handshake.js";
import { RateLimiter } from "../auth/rate-limit.js";
import { Heartbeat } from "../http/heartbeat.js";
import type { BlenderClient } from "../bus/client.js";
import type { Hub } from "../bus/hub.js";
import type { Logger } from "../log.js";
import { decodeAddonFrame } from "./decode.js";
import { sendBatched } from "../http/batched-send.js";

export interface AddonSocketOptions {
  heartbeatSeconds: number;
  helloTimeoutMs: number;
  /** From the upgrade to a checked auth_proof. */
  authTimeoutMs: number;
  maxMessageBytes: number;
  maxResultBytes: number;
  maxAddonsPerUser: number;
  framesPerSecond: number;
}

/** The addon socket's close codes live in the protocol; re-exported for older imports. */
export { CLOSE };

interface Peer {
  id: number;
  ws: WebSocket;
  /** The upgraded socket under ws, which sendBatched corks. */
  socket: Duplex;
  client: BlenderClient | null;
  /** Null until the handshake completes. */
  userId: string | null;
  auth: ServerHandshake;
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
    private readonly authority: HandshakeAuthority,
    private readonly log: Logger,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes, perMessageDeflate: false });
    this.frames = new RateLimiter(options.framesPerSecond);
    // One timer for every peer: idle connections cost no timers of their own.
    this.heartbeat = new Heartbeat(options.heartbeatSeconds * 1000);
  }

  /**
   * Accepts the upgrade even from an addon that predates the handshake, so
   * it can show the refusal's reason rather than a bare handshake failure.
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const speaksHandshake = request.headers[AUTH_HEADER] === AUTH_SCHEME;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (!speaksHandshake) {
        return this.refuse(ws, "incompatible_protocol", `this addon is older than the server (it sent a bearer token and no auth handshake; the server speaks protocol ${PROTOCOL_VERSION}): update the addon`);
      }
      this.accept(ws, socket);
    });
  }

  get connectionCount(): number {
    return this.peers.size;
  }

  private accept(ws: WebSocket, socket: Duplex): void {
    const peer: Peer = { id: this.nextPeerId++, ws, socket, client: null, userId: null, auth: this.authority.start("addon") };
    this.peers.add(peer);
    this.onChange?.();
    const helloTimer = setTimeout(() => ws.close(CLOSE.helloTimeout, "no hello in time"), this.options.helloTimeoutMs);
    const authTimer = setTimeout(() => {
      if (peer.userId === null) this.refuse(ws, "auth_timeout", `the auth handshake did not complete within ${this.options.authTimeoutMs / 1000} s (--handshake-timeout)`);
    }, this.options.authTimeoutMs);
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
      // Before the handshake completes, anything but its messages ends the connection.
      if (isBinary && peer.userId === null) return this.refuse(ws, "unauthorized", "authenticate first: send auth_begin");
      if (isBinary) {
        this.send(ws, { message_type: "protocol_error", code: "invalid_message", message: "frames must be JSON text", job_id: null });
        return;
      }
      this.onFrame(peer, data.toString(), helloTimer);
    });
    ws.on("close", (code, reason) => {
      this.heartbeat.forget(ws);
      clearTimeout(helloTimer);
      clearTimeout(authTimer);
      this.peers.delete(peer);
      this.frames.forget(String(peer.id));
      const userId = peer.userId;
      if (userId !== null) this.perUser.set(userId, (this.perUser.get(userId) ?? 1) - 1);
      if (peer.client && userId !== null) this.hub.bus(userId).detach(peer.client, `socket closed: ${code} ${reason.toString() || ""}`.trim());
      this.onChange?.();
    });
    ws.on("error", (error) => this.log.warn("addon.socket_error", { error: error.message, target_uuid: peer.client?.uuid }));
  }

  private onFrame(peer: Peer, text: string, helloTimer: NodeJS.Timeout): void {
    const decoded = decodeAddonFrame(text);
    if (!decoded.ok && peer.userId === null) return this.refuse(peer.ws, "unauthorized", `authenticate first: send auth_begin (${decoded.error.message})`);
    if (!decoded.ok) {
      this.log.warn("addon.protocol_error", { code: decoded.error.code, error: decoded.error.message, target_uuid: peer.client?.uuid });
      this.send(peer.ws, decoded.error);
      return;
    }
    const message = decoded.message;
    if (peer.userId === null) return this.onAuthFrame(peer, message);
    if (peer.client) peer.client.lastSeen = new Date();
    switch (message.message_type) {
      case "auth_begin":
      case "auth_proof":
        this.send(peer.ws, { message_type: "protocol_error", code: "unexpected_message", message: "already authenticated", job_id: null });
        return;
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

  /** Before the handshake completes, nothing but its two messages is read: no hello, no job_update. */
  private onAuthFrame(peer: Peer, message: AddonMessage): void {
    if (message.message_type === "auth_begin") {
      const begun = peer.auth.begin(message);
      if (!begun.ok) return this.refuse(peer.ws, begun.outdatedClient ? "incompatible_protocol" : "unauthorized", begun.reason);
      return this.send(peer.ws, begun.challenge);
    }
    if (message.message_type === "auth_proof") {
      const proved = peer.auth.proof(message);
      if (!proved.ok) return this.refuse(peer.ws, "unauthorized", proved.reason);
      const user = proved.identity.user;
      if ((this.perUser.get(user) ?? 0) >= this.options.maxAddonsPerUser) {
        return this.refuse(peer.ws, "limit_reached", `${this.options.maxAddonsPerUser} Blenders are already connected for this user, the server's limit (--max-addons-per-user)`);
      }
      peer.userId = user;
      this.perUser.set(user, (this.perUser.get(user) ?? 0) + 1);
      return;
    }
    if (message.message_type === "hello") {
      return this.refuse(peer.ws, "incompatible_protocol", `hello before the auth handshake: this addon is older than the server (protocol ${PROTOCOL_VERSION}): update the addon`);
    }
    this.refuse(peer.ws, "unauthorized", `authenticate first: send auth_begin, not ${message.message_type}`);
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
    const { ws, socket } = peer;
    peer.client = this.hub.bus(peer.userId!).attach(hello, {
      // The bus's frames (dispatches, cancels) go out batched per turn: see batched-send.ts.
      send: (message) => ws.readyState === ws.OPEN && sendBatched(ws, socket, JSON.stringify(message)),
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
