/**
 * The live page's codes and sessions in Redis, shared by every server
 * process: a link minted by one opens on another, and a code is spent
 * once across all of them (GETDEL is one atomic step). Each record expires
 * with its own TTL.
 */
import type { PageSessionRecord } from "@blender-mcp/protocol";
import type { Logger } from "../../log.js";
import type { RecordKind, SessionRecords } from "../../page/sessions.js";
import { K, readOrDrop, type RedisClient } from "./keys.js";

export class RedisPageRecords implements SessionRecords {
  constructor(
    private readonly cmd: RedisClient,
    private readonly log: Logger,
  ) {}

  async put(kind: RecordKind, key: string, user: string, ttlMs: number): Promise<void> {
    await this.cmd.set(K.page(kind, key), JSON.stringify({ user } satisfies PageSessionRecord), { expiration: { type: "PX", value: ttlMs } });
  }

  get(kind: RecordKind, key: string): Promise<string | null> {
    return this.cmd.get(K.page(kind, key)).then((raw) => this.userIn(kind, key, raw));
  }

  take(kind: RecordKind, key: string): Promise<string | null> {
    return this.cmd.getDel(K.page(kind, key)).then((raw) => this.userIn(kind, key, raw));
  }

  private userIn(kind: RecordKind, key: string, raw: string | null): string | null {
    if (raw === null) return null;
    return readOrDrop(this.log, "page_session", raw, `page ${kind} ${key.slice(0, 8)}`)?.user ?? null;
  }
}
