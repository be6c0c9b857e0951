/**
 * Who is looking at the live page. A one-time code (from the link `serve`
 * prints or `blender-mcp open` asks for) is exchanged once for a session
 * id that lives only in an HttpOnly cookie, so no secret stays in a URL,
 * a history entry or a Referer.
 */
import { randomBytes } from "node:crypto";

export const COOKIE_NAME = "bmcp_page";
/** Long enough to click a link printed in a terminal. */
const CODE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 3600_000;
/** Unused codes and old sessions are dropped past this many, oldest first, so minting links cannot grow memory without bound. */
const MAX_ENTRIES = 1000;

const secret = () => randomBytes(32).toString("base64url");

class Expiring {
  private readonly entries = new Map<string, { user: string; expires: number }>();

  add(key: string, user: string, ttlMs: number): void {
    this.entries.set(key, { user, expires: Date.now() + ttlMs });
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  get(key: string): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expires < Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.user;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class PageSessions {
  private readonly codes = new Expiring();
  private readonly sessions = new Expiring();

  /** A code that logs its user in once. */
  mintCode(user: string): string {
    const code = secret();
    this.codes.add(code, user, CODE_TTL_MS);
    return code;
  }

  /** The session id for a code, which is spent whether or not this succeeds; null for a used, expired or unknown code. */
  redeem(code: string): string | null {
    const user = this.codes.get(code);
    this.codes.delete(code);
    if (!user) return null;
    const id = secret();
    this.sessions.add(id, user, SESSION_TTL_MS);
    return id;
  }

  discard(code: string): void {
    this.codes.delete(code);
  }

  /** The user behind a request's cookie, or null. */
  userOf(cookieHeader: string | undefined): string | null {
    const id = readCookie(cookieHeader, COOKIE_NAME);
    return id ? this.sessions.get(id) : null;
  }

  static cookie(id: string, secure: boolean): string {
    return `${COOKIE_NAME}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure ? "; Secure" : ""}`;
  }
}

export function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
