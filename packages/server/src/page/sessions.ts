/**
 * Who is looking at the live page. A one-time code (from the link `serve`
 * prints or `blender-mcp open` asks for) is exchanged once for a session
 * id that lives only in an HttpOnly cookie, so no secret stays in a URL,
 * a history entry or a Referer. Records are keyed by the secret's SHA-256:
 * whoever reads the store (Redis, with --redis) learns no usable secret.
 */
import { createHash, randomBytes } from "node:crypto";

export const COOKIE_NAME = "bmcp_page";
/** Long enough to click a link printed in a terminal. */
const CODE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 3600_000;
/** Unused codes and old sessions are dropped past this many, oldest first, so minting links cannot grow memory without bound. */
const MAX_ENTRIES = 1000;

export type RecordKind = "code" | "session";

/**
 * Where codes and sessions live: this process's memory, or Redis shared by
 * every server process (bus/redis/page-records.ts), so a link minted by one
 * process opens on another behind the same load balancer.
 */
export interface SessionRecords {
  put(kind: RecordKind, key: string, user: string, ttlMs: number): Promise<void>;
  get(kind: RecordKind, key: string): Promise<string | null>;
  /** Reads and deletes at once: of two takers, on any processes, only one gets the user. */
  take(kind: RecordKind, key: string): Promise<string | null>;
}

const secret = () => randomBytes(32).toString("base64url");
const hashOf = (value: string) => createHash("sha256").update(value).digest("base64url");

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

/** One process's records (without --redis). */
export class MemoryRecords implements SessionRecords {
  private readonly kinds = { code: new Expiring(), session: new Expiring() };

  put(kind: RecordKind, key: string, user: string, ttlMs: number): Promise<void> {
    this.kinds[kind].add(key, user, ttlMs);
    return Promise.resolve();
  }

  get(kind: RecordKind, key: string): Promise<string | null> {
    return Promise.resolve(this.kinds[kind].get(key));
  }

  take(kind: RecordKind, key: string): Promise<string | null> {
    const user = this.kinds[kind].get(key);
    this.kinds[kind].delete(key);
    return Promise.resolve(user);
  }
}

export class PageSessions {
  constructor(private readonly records: SessionRecords = new MemoryRecords()) {}

  /** A code that logs its user in once. */
  async mintCode(user: string): Promise<string> {
    const code = secret();
    await this.records.put("code", hashOf(code), user, CODE_TTL_MS);
    return code;
  }

  /** The session id for a code, which is spent whether or not this succeeds; null for a used, expired or unknown code. */
  async redeem(code: string): Promise<string | null> {
    if (!code) return null;
    const user = await this.records.take("code", hashOf(code));
    if (!user) return null;
    const id = secret();
    await this.records.put("session", hashOf(id), user, SESSION_TTL_MS);
    return id;
  }

  async discard(code: string): Promise<void> {
    if (code) await this.records.take("code", hashOf(code));
  }

  /** The user behind a request's cookie, or null. */
  async userOf(cookieHeader: string | undefined): Promise<string | null> {
    const id = readCookie(cookieHeader, COOKIE_NAME);
    return id ? this.records.get("session", hashOf(id)) : null;
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
