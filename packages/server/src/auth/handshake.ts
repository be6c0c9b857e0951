/**
 * The server's side of the authentication handshake (see protocol/src/auth.ts):
 * answer auth_begin with a proof of the key, then check the client's. One
 * ServerHandshake per connection; it holds that connection's nonces, so a
 * proof recorded on another connection never matches.
 */
import { newNonce, PROTOCOL_VERSION, proofMatches, transcriptProof, type AuthBegin, type AuthChallenge, type AuthChannel, type AuthProof } from "@blender-mcp/protocol";
import { LOCAL_USER } from "../config.js";
import type { Identity } from "./authenticator.js";
import type { TokenStore } from "./tokens.js";

export type BeginResult = { ok: true; challenge: AuthChallenge } | { ok: false; reason: string; outdatedClient?: boolean };
export type ProofResult = { ok: true; identity: Identity; tokenId: string } | { ok: false; reason: string };

export class ServerHandshake {
  private pending: { key: Buffer; keyId: string; clientNonce: string; serverNonce: string; tokenId: string; user: string } | null = null;
  private finished = false;

  constructor(
    private readonly store: TokenStore,
    private readonly channel: AuthChannel,
    /** With --auth none everyone who completes the handshake is the local user. */
    private readonly everyoneIsLocal: boolean,
  ) {}

  begin(message: AuthBegin): BeginResult {
    if (this.pending || this.finished) return { ok: false, reason: "auth_begin was already received" };
    if (message.protocol_version < PROTOCOL_VERSION) {
      return { ok: false, outdatedClient: true, reason: `the client speaks protocol ${message.protocol_version} and the server ${PROTOCOL_VERSION}: update the addon` };
    }
    const found = this.store.keyFor(message.key_id);
    // Unknown and revoked tokens get the same answer.
    if (!found) return { ok: false, reason: "invalid or revoked token; set the token in the addon preferences, or let it find the local token file" };
    const serverNonce = newNonce();
    this.pending = { key: found.key, keyId: message.key_id, clientNonce: message.client_nonce, serverNonce, tokenId: found.record.id, user: found.record.user };
    const server_proof = transcriptProof(found.key, "server", this.channel, message.key_id, message.client_nonce, serverNonce);
    return { ok: true, challenge: { message_type: "auth_challenge", protocol_version: PROTOCOL_VERSION, server_nonce: serverNonce, server_proof } };
  }

  proof(message: AuthProof): ProofResult {
    const p = this.pending;
    if (!p || this.finished) return { ok: false, reason: "auth_proof before auth_begin" };
    this.finished = true;
    const expected = transcriptProof(p.key, "client", this.channel, p.keyId, p.clientNonce, p.serverNonce);
    if (!proofMatches(expected, message.client_proof)) return { ok: false, reason: "the client's proof is wrong" };
    const identity = this.everyoneIsLocal ? { user: LOCAL_USER, key: LOCAL_USER } : { user: p.user, key: p.tokenId };
    return { ok: true, identity, tokenId: p.tokenId };
  }
}

/** Makes one ServerHandshake per connection. */
export class HandshakeAuthority {
  constructor(
    private readonly store: TokenStore,
    private readonly everyoneIsLocal: boolean,
  ) {}

  start(channel: AuthChannel): ServerHandshake {
    return new ServerHandshake(this.store, channel, this.everyoneIsLocal);
  }

  /** Still valid: a revoked token ends what it opened. */
  stillValid(tokenId: string): boolean {
    return this.everyoneIsLocal || this.store.has(tokenId);
  }
}
