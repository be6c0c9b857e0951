/**
 * The jobs routed through one user's bus, from start to their one terminal
 * state. Every path that ends a job goes through finish(), which settles a
 * job once and only once.
 */
import { randomUUID } from "node:crypto";
import {
  TERMINAL_JOB_STATES,
  type BusEvent,
  type CancelKind,
  type ClientSummary,
  type Job,
  type JobState,
  type JobUpdate,
  type Priority,
  type Progress,
  type ServerMessage,
  type TargetingFailure,
} from "@blender-mcp/protocol";
import type { Logger } from "../log.js";
import type { RemoteCancel, RemoteReach } from "./backplane.js";
import type { BusEvents } from "./bus-events.js";
import type { BlenderClient } from "./client.js";
import type { ClientDirectory } from "./client-directory.js";
import type { JobStore, StoredJob } from "./job-store.js";
import type { JobWaiter } from "./job-waiter.js";
import type { SessionFanout } from "./session-fanout.js";
import { chooseTarget } from "./targeting.js";

export interface BusOptions {
  /** Finished jobs are kept this long for blender_get_job. */
  jobTtlMs: number;
  /** ...and at most this many per user, oldest dropped first. */
  maxFinishedJobs: number;
  maxJobsPerUser: number;
  maxJobsPerClient: number;
  maxScriptBytes: number;
  /** Where renders spread over workers gather their frames, a folder per user (default: the system temp folder). */
  rendersDir?: string;
}

export type JobRequest = {
  targetUuid?: string;
  jobId?: string;
  priority: Priority;
  timeoutMs: number;
  origin: string | null;
  /** Who sent it, for people: the MCP client's name and version (the live page shows it). */
  sender?: string | null;
  /** The job it is part of (startParent), for blender_get_job and the live page. */
  parentJobId?: string;
} & ({ kind: "command"; command: string; params: Record<string, unknown> } | { kind: "script"; script: string; description?: string });

export type StartResult =
  | { ok: true; job: JobRecord; /** Settles once the job is on disk here and, with other server processes, in their shared record. */ recorded: Promise<void> }
  | { ok: false; status: TargetingFailure; error: string; candidates: ClientSummary[] }
  | { ok: false; status: "failed"; error: string; targetUuid: string | null };

export type UpdateResult = { accepted: true } | { accepted: false; code: "unknown_job" | "not_job_target" | "duplicate_job"; reason: string };

export interface JobRecord extends Job {
  origin: string | null;
  /** Resolves when the job reaches a terminal state (the JobWaiter's promise). */
  done: Promise<JobRecord>;
  timer: NodeJS.Timeout | null;
  progressListeners: Set<(p: Progress) => void>;
  /** What was asked for (params or script), for the live page's job detail; absent on jobs read back from the store. */
  request?: JobRequest;
}

/** The public view of a job (what blender_get_job returns). */
export function jobView(job: JobRecord): Job {
  const { origin: _o, done: _d, timer: _t, progressListeners: _p, request: _r, ...view } = job;
  return view;
}

const isTerminal = (s: JobState) => TERMINAL_JOB_STATES.includes(s);

/** j- and 12 hex digits. randomUUID draws from a buffered pool; randomBytes cost a system call per job (3 % of a busy server's CPU). */
function newJobId(): string {
  const uuid = randomUUID();
  return `j-${uuid.slice(0, 8)}${uuid.slice(9, 13)}`;
}

export class JobLifecycle {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly finishedOrder: string[] = [];

  constructor(
    private readonly userId: string,
    private readonly clients: ClientDirectory,
    private readonly sessions: SessionFanout,
    private readonly events: BusEvents,
    private readonly reach: RemoteReach | null,
    private readonly waiter: JobWaiter<JobRecord>,
    private readonly store: JobStore,
    private readonly options: BusOptions,
    private readonly log: Logger,
  ) {}

  /** Steps 1-3 of a dispatch: choose the target, register the waiter, route the job. */
  start(request: JobRequest): StartResult {
    const command = request.kind === "command" ? request.command : "job_dispatch";
    const choice = chooseTarget(this.clients.list(), request.targetUuid, (c) => c.canRun(command));
    if (!choice.ok) return choice;
    const client = choice.client;
    if (request.kind === "command" && !client.offers(command)) {
      return {
        ok: false,
        status: "failed",
        error: `Blender ${client.uuid} does not offer the command ${command} (addon ${client.hello.addon_version}); update the addon.`,
        targetUuid: client.uuid,
      };
    }
    const refusal = this.overLimit(client, request);
    if (refusal) return { ok: false, status: "failed", error: refusal, targetUuid: client.uuid };
    const jobId = request.jobId ?? newJobId();
    // Generated ids are random; only a caller's own id can collide with a job the store remembers.
    if (this.jobs.has(jobId) || (request.jobId !== undefined && this.store.get(this.userId, jobId))) {
      return { ok: false, status: "failed", error: `job_id ${jobId} is already in use on your bus`, targetUuid: client.uuid };
    }
    const now = new Date().toISOString();
    const job: JobRecord = {
      job_id: jobId,
      kind: request.kind,
      command,
      target_uuid: client.uuid,
      priority: request.priority,
      status: "queued",
      result: null,
      error: "",
      progress: null,
      late: false,
      ...(request.parentJobId ? { parent_job_id: request.parentJobId } : {}),
      created_at: now,
      updated_at: now,
      origin: request.origin,
      done: this.waiter.register(this.userId, jobId),
      timer: null,
      progressListeners: new Set(),
      request,
    };
    const shared = this.events.jobSaved(jobView(job));
    this.jobs.set(jobId, job);
    client.jobsInFlight.add(jobId);
    job.timer = setTimeout(() => this.expire(job), request.timeoutMs);
    const message: ServerMessage =
      request.kind === "command"
        ? { message_type: "command_dispatch", job_id: jobId, command, params: request.params, priority: request.priority }
        : {
            message_type: "job_dispatch",
            job_id: jobId,
            script: request.script,
            ...(request.description === undefined ? {} : { description: request.description }),
            priority: request.priority,
          };
    // On disk before any Blender hears of it: a reply can never find no record, even across a restart.
    const local = new Promise<void>((resolve) =>
      this.store.insertThen(this.userId, jobView(job), () => {
        resolve();
        // Cancelled, timed out or its Blender gone while the record was written: nothing to route.
        if (job.status !== "queued") return;
        this.log.debug("job.dispatched", { job_id: jobId, target_uuid: client.uuid, command, priority: request.priority });
        client.link.send(message);
      }),
    );
    this.sessions.jobQueued(job);
    this.events.jobQueued(job.priority, jobView(job));
    return { ok: true, job, recorded: Promise.all([local, shared]).then(() => undefined) };
  }

  /**
   * A job no one Blender runs: a render spread over workers, whose chunks are
   * jobs of their own naming it as their parent. It is running from the
   * start; its owner reports progress (parentProgress) and ends it (parentEnd).
   */
  startParent(request: Extract<JobRequest, { kind: "command" }>, targetUuid: string): JobRecord {
    const now = new Date().toISOString();
    const jobId = newJobId();
    const job: JobRecord = {
      job_id: jobId, kind: "command", command: request.command, target_uuid: targetUuid, priority: request.priority, status: "running",
      result: null, error: "", progress: null, late: false, created_at: now, updated_at: now,
      origin: request.origin, done: this.waiter.register(this.userId, jobId), timer: null, progressListeners: new Set(), request,
    };
    void this.events.jobSaved(jobView(job));
    this.jobs.set(jobId, job);
    this.store.insertThen(this.userId, jobView(job), () => {});
    this.sessions.jobQueued(job);
    this.emit(job);
    return job;
  }

  parentProgress(job: JobRecord, progress: Progress): void {
    if (isTerminal(job.status)) return;
    job.progress = progress;
    job.updated_at = new Date().toISOString();
    void this.events.jobSaved(jobView(job));
    this.emit(job);
  }

  /** Ends a parent job (once: false when it had already ended, say cancelled from the live page). */
  parentEnd(job: JobRecord, status: JobState, result: unknown, error: string): boolean {
    return this.finish(job, status, result, error);
  }

  /** Newest first, from the durable record. */
  recent(limit: number): Job[] {
    return this.store.recent(this.userId, limit).map(({ user_id: _, ...job }) => job);
  }

  /** Why a job may not start now, in words that name the setting to change; null when it may. */
  private overLimit(client: BlenderClient, request: JobRequest): string | null {
    const o = this.options;
    const size = request.kind === "script" ? Buffer.byteLength(request.script) : Buffer.byteLength(JSON.stringify(request.params));
    if (size > o.maxScriptBytes) {
      return `the ${request.kind === "script" ? "script" : "command's parameters"} take ${size} bytes, over the server's limit of ${o.maxScriptBytes} (--max-script-bytes)`;
    }
    if (this.clients.jobsInFlight >= o.maxJobsPerUser) {
      return `you already have ${o.maxJobsPerUser} jobs in flight, the server's limit (--max-jobs-per-user); wait for some to finish`;
    }
    if (client.jobsInFlight.size >= o.maxJobsPerClient) {
      return `Blender ${client.uuid} already has ${o.maxJobsPerClient} jobs in flight, the server's limit (--max-jobs-per-client)`;
    }
    return null;
  }

  /** A live job, or one only the store remembers (ended, possibly before a restart). */
  get(jobId: string): JobRecord | undefined {
    const live = this.jobs.get(jobId);
    if (live) return live;
    const stored = this.store.get(this.userId, jobId);
    if (!stored) return undefined;
    const { user_id: _, ...job } = stored;
    const record: JobRecord = { ...job, origin: null, done: Promise.resolve(undefined as unknown as JobRecord), timer: null, progressListeners: new Set() };
    record.done = Promise.resolve(record);
    return record;
  }

  /**
   * Takes over a job a previous server process left unfinished: its Blender
   * may still report it (the addon keeps replies while the server is away);
   * if it has not within the grace period, the job is lost.
   */
  adopt(stored: StoredJob, graceMs: number, why: string): void {
    const { user_id: _, ...job } = stored;
    const record: JobRecord = { ...job, origin: null, done: this.waiter.register(this.userId, job.job_id), timer: null, progressListeners: new Set() };
    this.jobs.set(job.job_id, record);
    record.timer = setTimeout(() => {
      const reason = `${why} while the job was ${job.status}, and Blender ${job.target_uuid} did not report on it within ${graceMs / 1000} s`;
      this.finish(record, "lost", null, reason);
    }, graceMs);
    this.log.info("job.adopted", { job_id: job.job_id, target_uuid: job.target_uuid, status: job.status });
  }

  /** A Blender went away: its jobs fail at once, nobody is left to answer them. */
  failInFlight(client: BlenderClient, error: string): void {
    for (const jobId of [...client.jobsInFlight]) {
      const job = this.jobs.get(jobId);
      if (job) this.finish(job, "failed", null, error);
    }
  }

  /** The caller stopped waiting (MCP cancellation), or a person pressed cancel on the live page (failed): end the job and tell the addon. */
  cancel(job: JobRecord, reason: string, status: "cancelled" | "failed" = "cancelled"): void {
    if (this.finish(job, status, null, reason)) this.sendCancel(job, reason, "requested");
  }

  private expire(job: JobRecord): void {
    const reason = "no reply from Blender before the timeout";
    if (this.finish(job, "timeout", null, reason)) this.sendCancel(job, reason, "timeout");
  }

  private sendCancel(job: JobRecord, reason: string, kind: CancelKind): void {
    // The addon drops the job if it has not started; a running job finishes and its reply is kept as late.
    this.clients.get(job.target_uuid)?.link.send({ message_type: "cancel", job_id: job.job_id, reason, kind });
  }

  /**
   * A job_update, from the addon socket or the blender_job_update tool: the
   * same handler for both. Only the job's target may report on it.
   */
  update(senderUuid: string, update: Omit<JobUpdate, "message_type">): UpdateResult {
    const job = this.jobs.get(update.job_id);
    const fields = { job_id: update.job_id, target_uuid: senderUuid, status: update.status };
    if (!job) {
      if (this.reach?.relay(this.userId, senderUuid, update)) return { accepted: true };
      this.log.warn("job_update.unknown", fields);
      return { accepted: false, code: "unknown_job", reason: `no job ${update.job_id} on this bus` };
    }
    if (job.target_uuid !== senderUuid) {
      this.log.warn("job_update.not_target", { ...fields, job_target: job.target_uuid });
      return { accepted: false, code: "not_job_target", reason: `job ${update.job_id} was not dispatched to ${senderUuid}` };
    }
    this.clients.get(senderUuid)?.lastSeen.setTime(Date.now());
    if (isTerminal(job.status)) {
      if ((job.status === "timeout" || job.status === "cancelled") && update.status !== "running" && !job.late) {
        job.late = true;
        job.result = update.result ?? null;
        job.error = update.error ?? "";
        job.updated_at = new Date().toISOString();
        this.save(job);
        this.log.info("job.late_reply", { ...fields, job_status: job.status });
        this.emit(job);
        return { accepted: true };
      }
      this.log.warn("job_update.duplicate", { ...fields, job_status: job.status });
      return { accepted: false, code: "duplicate_job", reason: `job ${update.job_id} already ended as ${job.status}` };
    }
    if (update.status === "running") {
      job.status = "running";
      job.updated_at = new Date().toISOString();
      if (update.progress) {
        job.progress = update.progress;
        for (const listener of job.progressListeners) listener(update.progress);
      }
      // Not written to the local store: after a restart a queued and a running job are adopted alike, and
      // progress is momentary. Other server processes still see it running through the backplane.
      void this.events.jobSaved(jobView(job));
      this.emit(job);
      return { accepted: true };
    }
    this.finish(job, update.status, update.result ?? null, update.error ?? "");
    return { accepted: true };
  }

  /** The one place a job ends. Returns false when it had already ended. */
  private finish(job: JobRecord, status: JobState, result: unknown, error: string): boolean {
    if (isTerminal(job.status)) return false;
    job.status = status;
    job.result = result;
    job.error = error;
    job.updated_at = new Date().toISOString();
    if (job.timer) clearTimeout(job.timer);
    job.timer = null;
    job.progressListeners.clear();
    this.clients.get(job.target_uuid)?.jobsInFlight.delete(job.job_id);
    this.save(job);
    this.waiter.deliver(this.userId, job.job_id, job);
    const log = status === "completed" ? this.log.debug : this.log.info;
    log("job.finished", { job_id: job.job_id, target_uuid: job.target_uuid, command: job.command, status, error: error || undefined });
    this.emit(job);
    this.remember(job);
    return true;
  }

  private save(job: JobRecord): void {
    this.store.update(this.userId, job);
    void this.events.jobSaved(jobView(job));
  }

  /** A job this process does not hold, from the record shared by all server processes (none without a backplane). */
  async findShared(jobId: string, waitMs: number, signal?: AbortSignal): Promise<Job | undefined> {
    return this.reach?.findJob(this.userId, jobId, waitMs, signal);
  }

  /** Unfinished jobs other processes hold on this bus (none without a backplane). */
  async unfinishedElsewhere(): Promise<Job[]> {
    return this.reach ? this.reach.unfinishedJobs(this.userId) : [];
  }

  /** A job another process holds: that process is asked to end it (none without a backplane). */
  async cancelShared(jobId: string, reason: string, status: "cancelled" | "failed"): Promise<RemoteCancel> {
    return this.reach ? this.reach.cancelJob(this.userId, jobId, reason, status) : "unknown";
  }

  private remember(job: JobRecord): void {
    this.finishedOrder.push(job.job_id);
    const cutoff = Date.now() - this.options.jobTtlMs;
    while (this.finishedOrder.length > 0) {
      const oldest = this.jobs.get(this.finishedOrder[0]!);
      const expired = !oldest || Date.parse(oldest.updated_at) < cutoff;
      if (this.finishedOrder.length <= this.options.maxFinishedJobs && !expired) break;
      this.jobs.delete(this.finishedOrder.shift()!);
    }
  }

  private emit(job: JobRecord): void {
    const event: BusEvent = {
      kind: "job_update",
      job_id: job.job_id,
      command: job.command,
      status: job.status,
      result: job.result,
      error: job.error,
      target_uuid: job.target_uuid,
      ...(job.progress && job.status === "running" ? { progress: job.progress } : {}),
      late: job.late,
      ...(job.parent_job_id ? { parent_job_id: job.parent_job_id } : {}),
    };
    this.sessions.jobEvent(job.origin, job.priority, event);
  }
}
