/**
 * The authentication handshake, the same on the addon socket and on the
 * /mcp WebSocket the stdio relay uses. The server proves first:
 *
 *   client: auth_begin {key_id, client_nonce}
 *   server: auth_challenge {server_nonce, server_proof}
 *   client: checks server_proof, and only then auth_proof {client_proof},
 *           followed by its hello (addon) or first JSON-RPC message (relay).
 *
 * The key is K = SHA-256(token), what the token store already keeps, so every
 * issued token works unchanged and the token itself never crosses the wire.
 * A proof is HMAC-SHA-256(K, transcript); the transcript names the direction,
 * the channel, the key and both nonces, so a recorded exchange fails on a new
 * connection (fresh server nonce), a client's proof cannot pose as the
 * server's, and a proof made on one channel is worth nothing on the other.
 * The Python side (core/handshake.py) computes the same bytes.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AuthChallenge, PROTOCOL_VERSION, Refused, type AuthBegin, type AuthProof } from "./messages.js";
import { CLOSE, MCP_CLOSE } from "./close-codes.js";

/**
 * Sent in the upgrade request by clients that speak the handshake: it names
 * the scheme and carries no secret. Its absence marks an addon from before
 * the handshake (refused, with "update the addon"), and on /mcp a client
 * that authenticates with a bearer header instead.
 */
export const AUTH_HEADER = "x-blender-mcp-auth";
export const AUTH_SCHEME = "hmac-sha256-v1";

const LABEL = "blender-mcp-auth-v1";
export type AuthChannel = "addon" | "mcp";

export const keyFromToken = (token: string): Buffer => createHash("sha256").update(token).digest();
/** 16 hex digits naming K; a different hash than K's own, so it reveals nothing usable. */
export const keyIdOf = (key: Buffer): string => createHash("sha256").update(`${LABEL}/key-id\n`).update(key).digest("hex").slice(0, 16);
export const newNonce = (): string => randomBytes(32).toString("base64url");

export function transcriptProof(
  key: Buffer,
  direction: "server" | "client",
  channel: AuthChannel,
  keyId: string,
  clientNonce: string,
  serverNonce: string,
): string {
  const transcript = [LABEL, direction, channel, keyId, clientNonce, serverNonce].join("\n");
  return createHmac("sha256", key).update(transcript).digest("base64url");
}

/** Constant-time: a near miss takes as long as a far one. */
export function proofMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What the user reads when the server on the port cannot prove it knows the token. */
export function impostorMessage(url: string, detail: string): string {
  let port = "";
  try {
    const parsed = new URL(url);
    port = parsed.port || (parsed.protocol === "wss:" || parsed.protocol === "https:" ? "443" : "80");
  } catch {}
  return (
    `the server at ${url} did not prove it knows this token (${detail}): something else may hold the port. ` +
    `Find it with: ss -ltnp 'sport = :${port}'  or  lsof -i :${port}. Nothing was sent to it.`
  );
}

export class AuthFailure extends Error {
  constructor(
    message: string,
    /** impostor: the peer failed the proof; outdated: a server from before the handshake; refused: the server said no. */
    readonly kind: "impostor" | "outdated" | "refused",
  ) {
    super(message);
    this.name = "AuthFailure";
  }
}

/** The client's side, as a value: begin(), then answer(challenge) gives the proof or throws AuthFailure. */
export class ClientAuth {
  private readonly key: Buffer;
  readonly keyId: string;
  private readonly clientNonce = newNonce();

  constructor(
    token: string,
    private readonly channel: AuthChannel,
    private readonly url: string,
  ) {
    this.key = keyFromToken(token);
    this.keyId = keyIdOf(this.key);
  }

  begin(): AuthBegin {
    return { message_type: "auth_begin", protocol_version: PROTOCOL_VERSION, key_id: this.keyId, client_nonce: this.clientNonce };
  }

  /** The server's first frame: a valid challenge gives our proof; anything else is refused. */
  answer(text: string): AuthProof {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AuthFailure(impostorMessage(this.url, "its first message is not JSON"), "impostor");
    }
    const refused = Refused.safeParse(value);
    if (refused.success) {
      if (refused.data.protocol_version < PROTOCOL_VERSION) {
        throw new AuthFailure(`the server at ${this.url} speaks protocol ${refused.data.protocol_version}, from before the auth handshake: update the server (it said: ${refused.data.reason})`, "outdated");
      }
      throw new AuthFailure(`the server at ${this.url} refused: ${refused.data.code}: ${refused.data.reason}`, "refused");
    }
    const challenge = AuthChallenge.safeParse(value);
    if (!challenge.success) {
      const type = (value as { message_type?: unknown } | null)?.message_type;
      throw new AuthFailure(impostorMessage(this.url, `it answered ${JSON.stringify(type ?? null)} instead of auth_challenge; an older server also does this: then update the server`), "impostor");
    }
    const { server_nonce, server_proof } = challenge.data;
    const expected = transcriptProof(this.key, "server", this.channel, this.keyId, this.clientNonce, server_nonce);
    if (!proofMatches(expected, server_proof)) throw new AuthFailure(impostorMessage(this.url, "its proof is wrong"), "impostor");
    return { message_type: "auth_proof", client_proof: transcriptProof(this.key, "client", this.channel, this.keyId, this.clientNonce, server_nonce) };
  }
}

/** The part of a `ws` WebSocket the handshake needs (structural, so this package does not depend on ws). */
export interface AuthSocket {
  send(text: string): void;
  once(event: "message", listener: (data: { toString(): string }) => void): unknown;
  once(event: "close", listener: (code: number, reason: { toString(): string }) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * Runs the client side on an open socket: resolves once our proof is sent
 * (the caller sends its hello or first message next), rejects with
 * AuthFailure. Nothing but auth_begin is sent before the server's proof checks out.
 */
export function authenticateSocket(ws: AuthSocket, token: string, channel: AuthChannel, url: string): Promise<void> {
  const auth = new ClientAuth(token, channel, url);
  return new Promise((resolve, reject) => {
    const onClose = (code: number, reason: { toString(): string }) => {
      const why = reason.toString();
      reject(
        new AuthFailure(
          code === CLOSE.refused || code === MCP_CLOSE.unauthorized
            ? `the server at ${url} refused: ${why}`
            : impostorMessage(url, `it closed the connection (${code}${why ? ` ${why}` : ""}) instead of answering; an older server also does this: then update the server`),
          code === CLOSE.refused || code === MCP_CLOSE.unauthorized ? "refused" : "impostor",
        ),
      );
    };
    ws.once("close", onClose);
    ws.once("message", (data) => {
      ws.off("close", onClose);
      try {
        ws.send(JSON.stringify(auth.answer(data.toString())));
        resolve();
      } catch (error) {
        reject(error);
      }
    });
    ws.send(JSON.stringify(auth.begin()));
  });
}
