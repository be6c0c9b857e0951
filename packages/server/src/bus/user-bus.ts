/**
 * One user's bus: the Blenders registered on it (ClientDirectory), the jobs
 * routed through it (JobLifecycle) and the MCP sessions that hear about
 * them (SessionFanout), announcing what happens through BusEvents to
 * whoever listens (the backplane). This class only wires them together and
 * keeps the one API the MCP and addon endpoints use.
 */
import { RESOURCE_URIS, type BusEvent, type Hello, type Job, type JobState, type JobUpdate, type Priority, type Progress } from "@blender-mcp/protocol";
import type { Logger } from "../log.js";
import type { BusListener, RemoteCancel, RemoteReach } from "./backplane.js";
import { BusEvents } from "./bus-events.js";
import type { AddonLink, BlenderClient } from "./client.js";
import { ClientDirectory } from "./client-directory.js";
import { JobLifecycle, jobView, type BusOptions, type JobRecord, type JobRequest, type StartResult, type UpdateResult } from "./job-lifecycle.js";
import type { JobStore, StoredJob } from "./job-store.js";
import type { JobWaiter } from "./job-waiter.js";
import { SessionFanout, type SessionSink } from "./session-fanout.js";

export type { BusOptions, JobRecord, JobRequest, StartResult, UpdateResult } from "./job-lifecycle.js";
export type { SessionSink } from "./session-fanout.js";

export const CLIENTS_URI = RESOURCE_URIS.clients;
export const JOBS_URI = RESOURCE_URIS.jobs;

/** How a bus reaches beyond this process: who listens to it, and what it may ask. */
export interface BusLinks {
  listeners: readonly BusListener[];
  reach: RemoteReach | null;
}

export class UserBus {
  private readonly clients: ClientDirectory;
  private readonly jobs: JobLifecycle;
  private readonly sessions: SessionFanout;

  constructor(
    readonly userId: string,
    waiter: JobWaiter<JobRecord>,
    store: JobStore,
    readonly options: BusOptions,
    log: Logger,
    links: BusLinks = { listeners: [], reach: null },
  ) {
    const events = new BusEvents(userId, links.listeners);
    this.sessions = new SessionFanout(events);
    this.clients = new ClientDirectory(
      userId,
      events,
      links.reach,
      { gone: (client, error) => this.jobs.failInFlight(client, error), changed: () => this.sessions.resourceChanged(CLIENTS_URI) },
      log,
    );
    this.jobs = new JobLifecycle(userId, this.clients, this.sessions, events, links.reach, waiter, store, options, log);
  }

  // ---- clients (client-directory.ts) ---------------------------------------------

  attach(hello: Hello, link: AddonLink): BlenderClient {
    return this.clients.attach(hello, link);
  }

  attachRemote(hello: Hello, processId: string, connectedSince: Date): void {
    this.clients.attachRemote(hello, processId, connectedSince);
  }

  detachRemote(uuid: string, processId: string, reason: string): void {
    this.clients.detachRemote(uuid, processId, reason);
  }

  dropProcess(processId: string, reason: string): void {
    this.clients.dropProcess(processId, reason);
  }

  localClient(uuid: string): BlenderClient | undefined {
    return this.clients.localClient(uuid);
  }

  detach(client: BlenderClient, reason: string): void {
    this.clients.detach(client, reason);
  }

  listClients(): BlenderClient[] {
    return this.clients.list();
  }

  get clientCount(): number {
    return this.clients.localCount;
  }

  // ---- jobs (job-lifecycle.ts) -------------------------------------------------------

  start(request: JobRequest): StartResult {
    return this.jobs.start(request);
  }

  /** A job run by the server itself over other jobs (a render spread over workers): see JobLifecycle.startParent. */
  startParent(request: Extract<JobRequest, { kind: "command" }>, targetUuid: string): JobRecord {
    return this.jobs.startParent(request, targetUuid);
  }

  parentProgress(job: JobRecord, progress: Progress): void {
    this.jobs.parentProgress(job, progress);
  }

  parentEnd(job: JobRecord, status: JobState, result: unknown, error: string): boolean {
    return this.jobs.parentEnd(job, status, result, error);
  }

  recentJobs(limit: number): Job[] {
    return this.jobs.recent(limit);
  }

  getJob(jobId: string): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  adopt(stored: StoredJob, graceMs: number, why = "the server restarted"): void {
    this.jobs.adopt(stored, graceMs, why);
  }

  get jobsInFlight(): number {
    return this.clients.jobsInFlight;
  }

  cancel(job: JobRecord, reason: string, status: "cancelled" | "failed" = "cancelled"): void {
    this.jobs.cancel(job, reason, status);
  }

  update(senderUuid: string, update: Omit<JobUpdate, "message_type">): UpdateResult {
    return this.jobs.update(senderUuid, update);
  }

  findShared(jobId: string, waitMs: number, signal?: AbortSignal): Promise<Job | undefined> {
    return this.jobs.findShared(jobId, waitMs, signal);
  }

  unfinishedElsewhere(): Promise<Job[]> {
    return this.jobs.unfinishedElsewhere();
  }

  cancelShared(jobId: string, reason: string, status: "cancelled" | "failed"): Promise<RemoteCancel> {
    return this.jobs.cancelShared(jobId, reason, status);
  }

  // ---- sessions (session-fanout.ts) ------------------------------------------------------

  addSession(sink: SessionSink): void {
    this.sessions.add(sink);
  }

  removeSession(id: string): void {
    this.sessions.remove(id);
  }

  subscribe(sessionId: string, uri: string): Promise<void> {
    return this.sessions.subscribe(sessionId, uri);
  }

  unsubscribe(sessionId: string, uri: string): void {
    this.sessions.unsubscribe(sessionId, uri);
  }

  deliverRemote(priority: Priority, event: BusEvent): void {
    this.sessions.remoteJobEvent(priority, event);
  }

  /** A job queued on another server process: this user's subscribers here that show queued jobs (the live page) hear of it. */
  deliverRemoteQueued(job: Job): void {
    this.sessions.jobQueued(job);
  }

  /** The public view of a job (what blender_get_job returns). */
  static view(job: JobRecord): Job {
    return jobView(job);
  }
}
