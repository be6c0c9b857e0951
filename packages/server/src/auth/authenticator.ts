/**
 * Who is asking: a bearer token maps to a user, whose bus is the only one
 * the request can reach. With auth "none" (loopback only) everyone is the
 * local user.
 */
import type { IncomingHttpHeaders } from "node:http";
import { LOCAL_USER } from "../config.js";
import { bearerToken, type TokenStore } from "./tokens.js";

export interface Identity {
  user: string;
  /** What rate limits are counted against: the token, or the user when there are none. */
  key: string;
}

export type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: string };

export class Authenticator {
  constructor(private readonly store: TokenStore | null) {}

  authenticate(headers: IncomingHttpHeaders): AuthResult {
    if (!this.store) return { ok: true, identity: { user: LOCAL_USER, key: LOCAL_USER } };
    const token = bearerToken(headers.authorization);
    if (!token) return { ok: false, reason: "missing bearer token: send Authorization: Bearer <token>" };
    const record = this.store.verify(token);
    // Unknown and revoked tokens get the same answer.
    if (!record) return { ok: false, reason: "invalid or revoked token" };
    return { ok: true, identity: { user: record.user, key: record.id } };
  }
}
