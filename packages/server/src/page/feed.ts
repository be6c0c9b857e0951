/**
 * One user's live feed for the page. It listens to the user's bus the way an
 * MCP session subscribed to blender://jobs and blender://clients does
 * (SessionSink), so job events from other server processes (--redis)
 * arrive too, through the bus's own mirroring; nothing in the bus knows the
 * page exists. It listens while at least one event stream is open.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { BusEvent, Job } from "@blender-mcp/protocol";
import { CLIENTS_URI, JOBS_URI, type JobRecord, type SessionSink, type UserBus } from "../bus/user-bus.js";
import { isTerminal, pageClient, pageJob, pageJobFromEvent, pngOf, type PageClient, type PageJob } from "./views.js";

/** Jobs the page remembers (newest kept): enough for a screenful and its scrollback. */
const MAX_JOBS = 200;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface Snapshot {
  user: string;
  clients: PageClient[];
  /** Newest first. */
  jobs: PageJob[];
  /** The job whose image is the latest of each Blender, by uuid. */
  images: Record<string, string>;
}

export class Feed implements SessionSink {
  readonly id = `page-${randomUUID()}`;
  private readonly jobs = new Map<string, PageJob>();
  /** Latest image per Blender: the job it came from and the PNG. */
  readonly images = new Map<string, { jobId: string; png: Buffer }>();
  private readonly streams = new Set<ServerResponse>();
  private listening: Promise<unknown> | null = null;

  constructor(private readonly bus: UserBus) {
    for (const job of bus.recentJobs(MAX_JOBS).reverse()) {
      if (job.parent_job_id) continue; // a chunk: its parent's row tells its story
      this.jobs.set(job.job_id, pageJob(this.bus.getJob(job.job_id) ?? job));
      const png = job.status === "completed" ? pngOf(job.result) : null;
      if (png) this.images.set(job.target_uuid, { jobId: job.job_id, png: Buffer.from(png, "base64") });
    }
  }

  /**
   * Hears the bus from now on; resolves once job events from other server
   * processes will arrive too, and the jobs they hold unfinished are known
   * (read after subscribing, so none falls between; an event already heard wins).
   */
  listen(): Promise<unknown> {
    if (!this.listening) {
      this.bus.addSession(this);
      this.listening = Promise.all([this.bus.subscribe(this.id, JOBS_URI), this.bus.subscribe(this.id, CLIENTS_URI)])
        .then(() => this.bus.unfinishedElsewhere())
        .then((jobs) => jobs.forEach((job) => this.jobs.has(job.job_id) || this.remember(pageJob(job))));
    }
    return this.listening;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /**
   * A new event stream: counted at once (so a stream closing meanwhile does
   * not end the feed), sent its snapshot once the feed listens everywhere.
   * Events before the snapshot are already in it, so nothing falls between.
   */
  async addStream(res: ServerResponse): Promise<void> {
    this.streams.add(res);
    await this.listen();
    if (this.streams.has(res)) this.send(res, "snapshot", this.snapshot());
  }

  /** True when that was the last stream. */
  removeStream(res: ServerResponse): boolean {
    this.streams.delete(res);
    return this.streams.size === 0;
  }

  dispose(): void {
    this.bus.removeSession(this.id);
  }

  snapshot(): Snapshot {
    return {
      user: this.bus.userId,
      clients: this.clients(),
      jobs: [...this.jobs.values()].reverse(),
      images: Object.fromEntries([...this.images].map(([uuid, image]) => [uuid, image.jobId])),
    };
  }

  clients(): PageClient[] {
    const running = new Set<string>();
    for (const job of this.jobs.values()) if (job.status === "running") running.add(job.target_uuid);
    return this.bus.listClients().map((client) => pageClient(client, running.has(client.uuid)));
  }

  /** A job on this process as it is now (after a cancel from the page, say), before its event arrives. */
  jobChanged(job: PageJob): void {
    this.remember(job);
    this.broadcast("job", job);
    this.broadcast("clients", this.clients());
  }

  // ---- SessionSink -------------------------------------------------------------

  notify(_logger: string, _level: string, event: BusEvent): void {
    if (event.parent_job_id) return;
    // A job held here carries what its event leaves out (kind, sender, times); one held elsewhere has its event only.
    const held = this.bus.getJob(event.job_id);
    const job = held && held.target_uuid === event.target_uuid ? pageJob(held) : pageJobFromEvent(event, this.jobs.get(event.job_id));
    this.remember(job);
    this.broadcast("job", job);
    const png = event.status === "completed" || event.late ? pngOf(event.result) : null;
    if (png) {
      this.images.set(event.target_uuid, { jobId: event.job_id, png: Buffer.from(png, "base64") });
      this.broadcast("image", { uuid: event.target_uuid, job_id: event.job_id });
    }
    // Queue depth and busy/idle follow every job event.
    this.broadcast("clients", this.clients());
  }

  jobQueued(job: JobRecord | Job): void {
    if (job.parent_job_id) return;
    this.jobChanged(pageJob(job));
  }

  resourceUpdated(uri: string): void {
    if (uri === CLIENTS_URI) this.broadcast("clients", this.clients());
  }

  // ---- internals ---------------------------------------------------------------

  private remember(job: PageJob): void {
    const previous = this.jobs.get(job.job_id);
    // A late event never moves a finished job back to running.
    if (previous && isTerminal(previous.status) && !isTerminal(job.status)) return;
    this.jobs.delete(job.job_id);
    this.jobs.set(job.job_id, job);
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.streams) this.send(res, event, data);
  }

  private send(res: ServerResponse, event: string, data: unknown): void {
    // A browser that stops reading is cut off rather than buffered for: it reconnects and starts from a snapshot.
    if (res.writableLength > MAX_BUFFERED_BYTES) return void res.destroy();
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
