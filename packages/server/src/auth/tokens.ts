/**
 * Bearer tokens. A token is 32 random bytes; only its SHA-256 is stored
 * (a token has too much entropy to brute-force, so a slow hash buys
 * nothing), in a JSON file written atomically with owner-only permissions.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { keyIdOf } from "@blender-mcp/protocol";
import { LOCAL_TOKEN_FILE, TOKEN_STORE_FILE } from "./data-dir.js";

const TOKEN_PREFIX = "bmcp_";
const USER_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const TokenRecord = z.object({
  id: z.string(),
  user: z.string(),
  hash: z.string(),
  created_at: z.string(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;
const StoreFile = z.object({ version: z.literal(1), tokens: z.array(TokenRecord) });

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function writePrivate(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export class TokenStore {
  private tokens: TokenRecord[] = [];
  /** hash -> record, for the check on every request. */
  private byHash = new Map<string, TokenRecord>();
  /** key id -> record, for the handshake, where the token never arrives. */
  private byKeyId = new Map<string, TokenRecord>();
  private loadedMtime = -1;

  constructor(readonly dataDir: string) {
    this.reload();
  }

  private get path(): string {
    return join(this.dataDir, TOKEN_STORE_FILE);
  }

  /** Re-reads the file: `blender-mcp token revoke` in another process takes effect on the next check. */
  reload(): void {
    let text: string;
    try {
      this.loadedMtime = statSync(this.path).mtimeMs;
      text = readFileSync(this.path, "utf8");
    } catch {
      this.tokens = [];
      this.byHash = new Map();
      this.byKeyId = new Map();
      return;
    }
    this.tokens = StoreFile.parse(JSON.parse(text)).tokens;
    this.byHash = new Map(this.tokens.map((t) => [t.hash, t]));
    this.byKeyId = new Map(this.tokens.map((t) => [keyIdOf(Buffer.from(t.hash, "hex")), t]));
  }

  /** A stat per check: cheap, and a revoke from the CLI takes effect at once. */
  private reloadIfChanged(): void {
    let mtime = -1;
    try {
      mtime = statSync(this.path).mtimeMs;
    } catch {}
    if (mtime !== this.loadedMtime) this.reload();
  }

  private save(): void {
    writePrivate(this.path, `${JSON.stringify({ version: 1, tokens: this.tokens }, null, 2)}\n`);
  }

  /** Issues a token for a user; the token itself is returned once and never stored. */
  create(user: string): { token: string; record: TokenRecord } {
    if (!USER_PATTERN.test(user)) throw new Error(`user names are 1-64 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(user)}`);
    this.reload();
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    const record: TokenRecord = { id: randomBytes(4).toString("hex"), user, hash: sha256(token), created_at: new Date().toISOString() };
    this.tokens.push(record);
    this.save();
    this.reload();
    return { token, record };
  }

  list(): TokenRecord[] {
    this.reload();
    return [...this.tokens];
  }

  revoke(id: string): boolean {
    this.reload();
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t.id !== id);
    if (this.tokens.length === before) return false;
    this.save();
    this.reload();
    return true;
  }

  /** The record a presented token belongs to, or null. */
  verify(token: string): TokenRecord | null {
    this.reloadIfChanged();
    const hash = sha256(token);
    const record = this.byHash.get(hash);
    // The map lookup already matched; compare again in constant time so timing says nothing about near misses.
    if (!record || !timingSafeEqual(Buffer.from(record.hash), Buffer.from(hash))) return null;
    return record;
  }

  /**
   * The record and handshake key (the stored SHA-256 itself) a key id names, or null.
   * This makes the store password-equivalent: it stays owner-only (0600).
   */
  keyFor(keyId: string): { record: TokenRecord; key: Buffer } | null {
    this.reloadIfChanged();
    const record = this.byKeyId.get(keyId);
    return record ? { record, key: Buffer.from(record.hash, "hex") } : null;
  }

  /** Whether a record is still there: a revoke ends sessions that authenticated by handshake too. */
  has(id: string): boolean {
    this.reloadIfChanged();
    return this.tokens.some((t) => t.id === id);
  }

  /**
   * The local user's token, in a file only this OS user can read, so an
   * addon or stdio relay on the same machine pairs with no copying. Reuses
   * the file's token while it is still valid.
   */
  ensureLocalToken(user: string): string {
    const path = join(this.dataDir, LOCAL_TOKEN_FILE);
    try {
      const existing = readFileSync(path, "utf8").trim();
      if (this.verify(existing)?.user === user) return existing;
    } catch {}
    const { token } = this.create(user);
    writePrivate(path, `${token}\n`);
    return token;
  }
}

/** "Bearer <token>" from an Authorization header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

export function readLocalToken(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, LOCAL_TOKEN_FILE), "utf8").trim() || null;
  } catch {
    return null;
  }
}
