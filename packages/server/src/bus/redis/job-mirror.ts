/**
 * The shared job records (a hash per job) and job events (per-user
 * channels, subscribed only where someone listens). The process that
 * started a job (its origin) is the only writer of its record and the only
 * one that settles it, through the same bus path as a local job; so a job
 * still ends exactly once, whichever processes it crossed. The record names
 * that process (field proc), so a cancel asked for elsewhere reaches it.
 */
import { setTimeout as delay } from "node:timers/promises";
import { TERMINAL_JOB_STATES, type BusEvent, type Job, type Priority, type RemoteEvent } from "@blender-mcp/protocol";
import type { Logger } from "../../log.js";
import type { Hub } from "../hub.js";
import { isTerminal, K, member, publish, readOrDrop, Script, type RedisClient } from "./keys.js";

// Terminal states are final even if two writers ever race: the stored status wins once it has ended.
const SAVE_JOB = new Script(`
local terminal = {${TERMINAL_JOB_STATES.map((s) => `${s}=true`).join(",")}}
local stored = redis.call('HGET', KEYS[1], 'status')
local status = ARGV[2]
if stored and terminal[stored] then status = stored end
redis.call('HSET', KEYS[1], 'status', status, 'job', ARGV[1], 'proc', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if terminal[status] then redis.call('SREM', KEYS[2], ARGV[4]) else redis.call('SADD', KEYS[2], ARGV[4]) end
return status`);

export interface JobMirrorOptions {
  /** Job records expire this long after their last change. */
  jobTtlMs: number;
  /** A job adopted from a dead process is lost if its Blender does not report within this. */
  lostGraceMs: number;
}

export class JobMirror {
  /** Users whose job events are listened to here, with how many listeners, and the subscription. */
  private readonly listening = new Map<string, { count: number; subscribed: Promise<void> }>();
  /** blender_get_job calls waiting here for a job another process settles. */
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly processId: string,
    private readonly cmd: RedisClient,
    private readonly sub: RedisClient,
    private readonly hub: () => Hub,
    private readonly options: JobMirrorOptions,
    private readonly log: Logger,
  ) {}

  /** One listener for every user's channel: unsubscribing by it tells the client which subscription ends. */
  private readonly received = (text: string, channel: string) => {
    const event = readOrDrop(this.log, "remote_event", text, channel);
    if (event) this.onEvent(event);
  };

  jobSaved(userId: string, job: Job): Promise<void> {
    return SAVE_JOB.run(this.cmd, {
      keys: [K.job(userId, job.job_id), K.unfinished(this.processId)],
      arguments: [JSON.stringify(job), job.status, String(this.options.jobTtlMs), member(userId, job.job_id), this.processId],
    }).then(
      () => {},
      (e: Error) => this.log.warn("redis.job_save_failed", { job_id: job.job_id, error: e.message }),
    );
  }

  /** Announced on the user's channel like an event, carrying the whole job: what a page elsewhere shows of a queued job. */
  jobQueued(userId: string, priority: Priority, job: Job): void {
    const event: BusEvent = { kind: "job_update", job_id: job.job_id, command: job.command, status: "queued", result: null, error: "", target_uuid: job.target_uuid, late: false };
    void publish(this.log, this.cmd, K.events(userId), { proc: this.processId, user: userId, priority, event, queued: job } satisfies RemoteEvent);
  }

  /** Published on the user's channel: Redis passes it only to processes that listen to that user. */
  eventEmitted(userId: string, priority: Priority, event: BusEvent): void {
    void publish(this.log, this.cmd, K.events(userId), { proc: this.processId, user: userId, priority, event } satisfies RemoteEvent);
  }

  watchEvents(userId: string, watching: boolean): Promise<void> {
    if (watching) return this.listen(userId);
    this.unlisten(userId);
    return Promise.resolve();
  }

  /** Resolves once the subscription is in place, so nothing published after that is missed. */
  private listen(userId: string): Promise<void> {
    const current = this.listening.get(userId);
    if (current) {
      current.count++;
      return current.subscribed;
    }
    const subscribed = this.sub.subscribe(K.events(userId), this.received).catch((e: Error) => this.log.warn("redis.subscribe_failed", { error: e.message }));
    this.listening.set(userId, { count: 1, subscribed });
    return subscribed;
  }

  private unlisten(userId: string): void {
    const current = this.listening.get(userId);
    if (!current || --current.count > 0) return;
    this.listening.delete(userId);
    // By its listener: the client then knows a SUBSCRIBE sent before this one's reply is a new subscription.
    void this.sub.unsubscribe(K.events(userId), this.received).catch((e: Error) => this.log.warn("redis.unsubscribe_failed", { error: e.message }));
  }

  private onEvent({ proc, user, priority, event, queued }: RemoteEvent): void {
    if (proc === this.processId) return;
    if (queued) return this.hub().existing(user)?.deliverRemoteQueued(queued);
    this.hub().existing(user)?.deliverRemote(priority, event);
    if (event.kind === "job_update" && event.job_id && isTerminal(event.status ?? "")) {
      for (const wake of this.watchers.get(member(user, event.job_id)) ?? []) wake();
    }
  }

  private async readJob(userId: string, jobId: string): Promise<Job | undefined> {
    const [status, raw] = await this.cmd.hmGet(K.job(userId, jobId), ["status", "job"]);
    if (!status || !raw) return undefined;
    const job = readOrDrop(this.log, "job_record", raw, K.job(userId, jobId));
    // The status field is authoritative: a terminal one is never overwritten (SAVE_JOB).
    return job && { ...job, status: status as Job["status"] };
  }

  /** The process that holds a job (the last to write its record) and the job's status; undefined when no record is shared. */
  async holderOf(userId: string, jobId: string): Promise<{ proc: string | null; status: string } | undefined> {
    const [status, proc] = await this.cmd.hmGet(K.job(userId, jobId), ["status", "proc"]);
    return status ? { proc: proc ?? null, status } : undefined;
  }

  async findJob(userId: string, jobId: string, waitMs: number, signal?: AbortSignal): Promise<Job | undefined> {
    const key = member(userId, jobId);
    let wake = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    // Watch before the first read: an end that lands between the two is not missed.
    const set = this.watchers.get(key) ?? new Set();
    this.watchers.set(key, set.add(wake));
    await this.listen(userId);
    try {
      const job = await this.readJob(userId, jobId);
      if (!job || isTerminal(job.status) || waitMs <= 0) return job;
      const gaveUp = new AbortController();
      const stop = () => gaveUp.abort();
      signal?.addEventListener("abort", stop, { once: true });
      await Promise.race([woken, delay(waitMs, undefined, { signal: gaveUp.signal }).catch(() => {})]);
      stop();
      signal?.removeEventListener("abort", stop);
      return await this.readJob(userId, jobId);
    } finally {
      set.delete(wake);
      if (set.size === 0) this.watchers.delete(key);
      this.unlisten(userId);
    }
  }

  /** The user's unfinished jobs held by other processes: what a live page opened here shows before their next event. */
  async unfinishedOf(userId: string): Promise<Job[]> {
    const jobs: Job[] = [];
    for (const proc of await this.cmd.sMembers(K.procs)) {
      if (proc === this.processId) continue;
      for (const m of await this.cmd.sMembers(K.unfinished(proc))) {
        const named = readOrDrop(this.log, "unfinished_member", m, K.unfinished(proc));
        const job = named?.[0] === userId ? await this.readJob(userId, named[1]) : undefined;
        if (job && !isTerminal(job.status)) jobs.push(job);
      }
    }
    return jobs;
  }

  /** A dead process's unfinished jobs, moved to this process and adopted by their users' buses; returns how many. */
  async adoptFrom(dead: string): Promise<number> {
    let adopted = 0;
    for (const m of await this.cmd.sMembers(K.unfinished(dead))) {
      await this.cmd.sMove(K.unfinished(dead), K.unfinished(this.processId), m);
      const named = readOrDrop(this.log, "unfinished_member", m, K.unfinished(dead));
      if (!named) continue;
      const [user, jobId] = named;
      const job = await this.readJob(user, jobId);
      if (!job || isTerminal(job.status)) continue;
      this.hub().bus(user).adopt({ ...job, user_id: user }, this.options.lostGraceMs, `server process ${dead} died`);
      adopted++;
    }
    return adopted;
  }
}
