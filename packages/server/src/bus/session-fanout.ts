/**
 * The MCP sessions on one user's bus and what each subscribed to: who hears
 * a job event (its origin and blender://jobs subscribers, nobody else) and
 * a resource change.
 */
import { BUS_LOGGER, RESOURCE_URIS, type BusEvent, type Job, type Priority } from "@blender-mcp/protocol";
import type { BusEvents } from "./bus-events.js";
import type { JobRecord } from "./job-lifecycle.js";

/** Where a session hears about the bus. Implemented by each MCP session. */
export interface SessionSink {
  readonly id: string;
  notify(logger: typeof BUS_LOGGER, level: Priority, data: BusEvent): void;
  resourceUpdated(uri: string): void;
  /** A job entered the queue, here or (a Job, from the backplane) on another process; MCP sessions hear of it at its first update, the live page shows it at once. */
  jobQueued?(job: JobRecord | Job): void;
}

const JOBS_URI = RESOURCE_URIS.jobs;

export class SessionFanout {
  private readonly sessions = new Map<string, SessionSink>();
  private readonly subscriptions = new Map<string, Set<string>>();

  constructor(private readonly events: BusEvents) {}

  add(sink: SessionSink): void {
    this.sessions.set(sink.id, sink);
  }

  remove(id: string): void {
    this.sessions.delete(id);
    for (const uri of this.subscriptions.keys()) this.unsubscribe(id, uri);
  }

  /** Resolves once the subscription holds on every process: job events from other processes included. */
  async subscribe(sessionId: string, uri: string): Promise<void> {
    let set = this.subscriptions.get(uri);
    if (!set) this.subscriptions.set(uri, (set = new Set()));
    if (set.has(sessionId)) return;
    set.add(sessionId);
    if (uri === JOBS_URI && set.size === 1) await this.events.watchEvents(true);
  }

  unsubscribe(sessionId: string, uri: string): void {
    const set = this.subscriptions.get(uri);
    if (!set?.delete(sessionId)) return;
    if (uri === JOBS_URI && set.size === 0) void this.events.watchEvents(false);
  }

  resourceChanged(uri: string): void {
    for (const id of this.subscriptions.get(uri) ?? []) this.sessions.get(id)?.resourceUpdated(uri);
  }

  jobQueued(job: JobRecord | Job): void {
    for (const id of this.subscriptions.get(JOBS_URI) ?? []) this.sessions.get(id)?.jobQueued?.(job);
  }

  /** A job event here: to the session that sent the job and the user's bus subscribers, then to other processes. */
  jobEvent(origin: string | null, priority: Priority, event: BusEvent): void {
    const audience = new Set(this.subscriptions.get(JOBS_URI) ?? []);
    if (origin) audience.add(origin);
    for (const id of audience) this.sessions.get(id)?.notify(BUS_LOGGER, priority, event);
    this.events.eventEmitted(priority, event);
  }

  /** A job event from another server process: its origin session is there, so only this user's subscribers here hear it. */
  remoteJobEvent(priority: Priority, event: BusEvent): void {
    for (const id of this.subscriptions.get(JOBS_URI) ?? []) this.sessions.get(id)?.notify(BUS_LOGGER, priority, event);
  }
}
