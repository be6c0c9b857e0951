/**
 * The durable record of every job: written before a job is routed and on
 * every change after, so blender_get_job answers for jobs from before a
 * restart. SQLite (better-sqlite3: synchronous, so a record is on disk
 * before the dispatch leaves this process), WAL mode for cheap writes.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { TERMINAL_JOB_STATES, type Job } from "@blender-mcp/protocol";

export const MEMORY = ":memory:";

export interface StoredJob extends Job {
  user_id: string;
}

interface Row {
  user_id: string;
  job_id: string;
  kind: Job["kind"];
  command: string;
  target_uuid: string;
  priority: Job["priority"];
  status: Job["status"];
  result: string;
  error: string;
  progress: string | null;
  late: number;
  created_at: string;
  updated_at: string;
  parent_job_id: string | null;
}

const TERMINAL = TERMINAL_JOB_STATES.map((s) => `'${s}'`).join(", ");

function fromRow(row: Row): StoredJob {
  return {
    user_id: row.user_id,
    job_id: row.job_id,
    kind: row.kind,
    command: row.command,
    target_uuid: row.target_uuid,
    priority: row.priority,
    status: row.status,
    result: JSON.parse(row.result),
    error: row.error,
    progress: row.progress === null ? null : JSON.parse(row.progress),
    late: row.late === 1,
    ...(row.parent_job_id ? { parent_job_id: row.parent_job_id } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class JobStore {
  private readonly db: Database.Database;
  private readonly statements;
  /** Inserts waiting for the end of this turn of the event loop, each with what to do once it is on disk. */
  private readonly inserts: { userId: string; job: Job; then: () => void }[] = [];
  /** Updates waiting likewise, newest per job. */
  private readonly pending = new Map<string, { userId: string; job: Job }>();
  private readonly commitPending: () => void;
  private endOfTurnScheduled = false;
  /** Jobs created in this turn of the event loop, and in the last turn that created any. */
  private jobsThisTurn = 0;
  private jobsLastTurn = 0;

  constructor(path: string) {
    if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a crash of this process loses nothing; a power cut may lose the last moments.
    this.db.pragma("synchronous = NORMAL");
    // One index only: each costs every dispatch a write, and the scans that could use more (unfinished
    // jobs at startup, pruning once a minute) run over a table the TTL keeps small.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        user_id TEXT NOT NULL, job_id TEXT NOT NULL, kind TEXT NOT NULL, command TEXT NOT NULL,
        target_uuid TEXT NOT NULL, priority TEXT NOT NULL, status TEXT NOT NULL, result TEXT NOT NULL,
        error TEXT NOT NULL, progress TEXT, late INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (user_id, job_id)
      );
      CREATE INDEX IF NOT EXISTS jobs_by_user_created ON jobs (user_id, created_at);
    `);
    // Added after the first release: a store written before it gains the column, empty for its old rows.
    const columns = this.db.prepare(`PRAGMA table_info(jobs)`).all() as { name: string }[];
    if (!columns.some((c) => c.name === "parent_job_id")) this.db.exec(`ALTER TABLE jobs ADD COLUMN parent_job_id TEXT`);
    this.statements = {
      insert: this.db.prepare(
        `INSERT INTO jobs (user_id, job_id, kind, command, target_uuid, priority, status, result, error, progress, late, created_at, updated_at, parent_job_id)
         VALUES (@user_id, @job_id, @kind, @command, @target_uuid, @priority, @status, @result, @error, @progress, @late, @created_at, @updated_at, @parent_job_id)`,
      ),
      // Terminal states are final: a row that has ended only takes a late reply's result, never a new status.
      update: this.db.prepare(
        `UPDATE jobs SET status = CASE WHEN status IN (${TERMINAL}) THEN status ELSE @status END,
           result = @result, error = @error, progress = @progress, late = @late, updated_at = @updated_at
         WHERE user_id = @user_id AND job_id = @job_id`,
      ),
      get: this.db.prepare(`SELECT * FROM jobs WHERE user_id = ? AND job_id = ?`),
      recent: this.db.prepare(`SELECT * FROM jobs WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`),
      unfinished: this.db.prepare(`SELECT * FROM jobs WHERE status NOT IN (${TERMINAL})`),
      prune: this.db.prepare(
        `DELETE FROM jobs WHERE rowid IN (SELECT rowid FROM jobs WHERE status IN (${TERMINAL}) AND updated_at < ? LIMIT ?)`,
      ),
    };
    this.commitPending = this.db.transaction(() => {
      for (const { userId, job } of this.inserts) this.statements.insert.run(this.params(userId, job));
      for (const { userId, job } of this.pending.values()) this.statements.update.run(this.params(userId, job));
      this.pending.clear();
    });
  }

  private static key(userId: string, jobId: string): string {
    return `${userId}\u0000${jobId}`;
  }

  private params(userId: string, job: Job) {
    return {
      user_id: userId,
      job_id: job.job_id,
      kind: job.kind,
      command: job.command,
      target_uuid: job.target_uuid,
      priority: job.priority,
      status: job.status,
      result: JSON.stringify(job.result ?? null),
      error: job.error,
      progress: job.progress === null ? null : JSON.stringify(job.progress),
      late: job.late ? 1 : 0,
      created_at: job.created_at,
      updated_at: job.updated_at,
      parent_job_id: job.parent_job_id ?? null,
    };
  }

  /**
   * A job is on disk before any Blender hears of it: `then` (its route) runs
   * only after the commit that holds it. Under load, the jobs created in one
   * turn of the event loop share one commit at its end. A job that is alone
   * in its turn so far, after a turn that created only one, is committed at
   * once: nothing is likely to share its commit, and waiting would only delay
   * its route.
   */
  insertThen(userId: string, job: Job, then: () => void): void {
    this.inserts.push({ userId, job: { ...job }, then });
    this.jobsThisTurn++;
    this.schedule();
    if (this.jobsThisTurn === 1 && this.jobsLastTurn <= 1) this.flush();
  }

  private schedule(): void {
    if (this.endOfTurnScheduled) return;
    this.endOfTurnScheduled = true;
    setImmediate(() => {
      this.endOfTurnScheduled = false;
      if (this.jobsThisTurn > 0) [this.jobsLastTurn, this.jobsThisTurn] = [this.jobsThisTurn, 0];
      this.flush();
    });
  }

  /**
   * Written at the end of this turn of the event loop, in one transaction
   * with every other write of the turn: the caller's answer goes out first,
   * and under load many jobs share one commit. A crash in between leaves the
   * job unfinished on disk, to be adopted after the restart.
   */
  update(userId: string, job: Job): void {
    this.schedule();
    const key = JobStore.key(userId, job.job_id);
    const earlier = this.pending.get(key)?.job.status;
    // Coalescing must not let a later status replace a terminal one waiting here.
    const status = earlier !== undefined && TERMINAL_JOB_STATES.includes(earlier) ? earlier : job.status;
    this.pending.set(key, { userId, job: { ...job, status } });
  }

  /** Reads must see the jobs created this turn, so they commit (and are routed) now. */
  private flushInserts(): void {
    if (this.inserts.length > 0) this.flush();
  }

  flush(): void {
    if (this.inserts.length === 0 && this.pending.size === 0) return;
    const routes = this.inserts.map((i) => i.then);
    this.commitPending();
    this.inserts.length = 0;
    for (const route of routes) route();
  }

  get(userId: string, jobId: string): StoredJob | undefined {
    this.flushInserts();
    const waiting = this.pending.get(JobStore.key(userId, jobId));
    const row = this.statements.get.get(userId, jobId) as Row | undefined;
    if (!row) return undefined;
    const stored = fromRow(row);
    // A waiting update is newer, but a terminal status already on disk stays (as in SQL).
    if (!waiting) return stored;
    const final = TERMINAL_JOB_STATES.includes(stored.status);
    return { ...stored, ...waiting.job, status: final ? stored.status : waiting.job.status, user_id: userId };
  }

  /** Newest first. */
  recent(userId: string, limit: number): StoredJob[] {
    this.flush();
    return (this.statements.recent.all(userId, limit) as Row[]).map(fromRow);
  }

  /** Jobs a previous process left queued or running. */
  unfinished(): StoredJob[] {
    this.flush();
    return (this.statements.unfinished.all() as Row[]).map(fromRow);
  }

  /** Deletes at most `limit` ended jobs older than `before`, so one pass never stalls the server. */
  prune(before: Date, limit: number): number {
    this.flush();
    return this.statements.prune.run(before.toISOString(), limit).changes;
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}
