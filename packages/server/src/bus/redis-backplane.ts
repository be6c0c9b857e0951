/**
 * Several `blender-mcp serve` processes sharing users' buses through Redis.
 * Redis is the only thing between them, and each concern has its file in
 * redis/: liveness keys with a TTL (liveness.ts), the registry of attached
 * Blenders (registry.ts), per-process route channels carrying the addon
 * protocol's own messages (routing.ts), and job records and events
 * (job-mirror.ts). Every message between processes is a protocol schema
 * (packages/protocol/src/backplane.ts), checked on receipt.
 *
 * This class listens to every user's bus (Backplane) and hands each event
 * to the part that owns it.
 */
import { randomUUID } from "node:crypto";
import { createClient } from "redis";
import type { BusEvent, Job, Priority, RoutedUpdate } from "@blender-mcp/protocol";
import type { Logger } from "../log.js";
import type { Backplane, RemoteCancel } from "./backplane.js";
import type { AddonLink, BlenderClient } from "./client.js";
import type { Hub } from "./hub.js";
import { JobMirror } from "./redis/job-mirror.js";
import { isTerminal, K, type RedisClient } from "./redis/keys.js";
import { Liveness } from "./redis/liveness.js";
import { RedisPageRecords } from "./redis/page-records.js";
import { SharedRegistry } from "./redis/registry.js";
import { Routing } from "./redis/routing.js";

export interface RedisBackplaneOptions {
  url: string;
  /** Job records expire this long after their last change. */
  jobTtlMs: number;
  /** A job adopted from a dead process is lost if its Blender does not report within this. */
  lostGraceMs: number;
  /** A process whose liveness key is older than this is dead. */
  livenessTtlMs?: number;
}

export class RedisBackplane implements Backplane {
  readonly processId = `p-${randomUUID().slice(0, 8)}`;
  /** Job records, the registry, liveness, events out. */
  private readonly cmd: RedisClient;
  /** The registry channel and the job events listened to here. */
  private readonly sub: RedisClient;
  /** The route channels, out and in. */
  private readonly routeOut: RedisClient;
  private readonly routeIn: RedisClient;
  private hub: Hub | null = null;
  private readonly liveness: Liveness;
  private readonly registry: SharedRegistry;
  private readonly routing: Routing;
  private readonly jobs: JobMirror;
  /** The live page's codes and sessions, shared by every process. */
  readonly pageRecords: RedisPageRecords;

  constructor(options: RedisBackplaneOptions, private readonly log: Logger) {
    this.cmd = createClient({ url: options.url });
    this.sub = this.cmd.duplicate();
    this.routeOut = this.cmd.duplicate();
    this.routeIn = this.cmd.duplicate();
    for (const client of this.clients) client.on("error", (e: Error) => this.log.warn("redis.error", { error: e.message }));
    const hub = () => this.hub!;
    this.liveness = new Liveness(this.processId, this.cmd, hub, { inherit: (dead) => this.inherit(dead) }, { ttlMs: options.livenessTtlMs ?? 3000, claimTtlMs: options.jobTtlMs }, log);
    this.registry = new SharedRegistry(this.processId, this.cmd, this.sub, hub, this.liveness, log);
    this.routing = new Routing(this.processId, this.routeOut, this.routeIn, hub, log);
    this.jobs = new JobMirror(this.processId, this.cmd, this.sub, hub, options, log);
    this.pageRecords = new RedisPageRecords(this.cmd, log);
  }

  private get clients(): RedisClient[] {
    return [this.cmd, this.sub, this.routeOut, this.routeIn];
  }

  /** Connects, subscribes, then loads the registry: subscribing first means no attach falls between the two. */
  async start(hub: Hub): Promise<void> {
    this.hub = hub;
    await Promise.all(this.clients.map((c) => c.connect()));
    await this.routing.start();
    await this.registry.start();
    await this.liveness.start();
    await this.registry.load();
    await this.liveness.keepAlive();
    this.log.info("backplane.started", { process: this.processId });
  }

  /** The survivor that claimed a dead process takes over its route channel, registry entries and jobs. */
  private async inherit(dead: string): Promise<void> {
    await this.routing.takeOver(dead);
    await this.registry.removeEntriesOf(dead);
    const adopted = await this.jobs.adoptFrom(dead);
    await this.cmd.sRem(K.procs, dead);
    this.log.info("backplane.adopted", { process: dead, jobs: adopted });
  }

  // ---- what every bus announces (BusListener) ----------------------------------------

  clientAttached(userId: string, client: BlenderClient): void {
    this.registry.clientAttached(userId, client);
  }

  clientDetached(userId: string, uuid: string): void {
    this.routing.forget(userId, uuid);
    this.registry.clientDetached(userId, uuid);
  }

  jobSaved(userId: string, job: Job): Promise<void> {
    return this.jobs.jobSaved(userId, job);
  }

  jobQueued(userId: string, priority: Priority, job: Job): void {
    this.jobs.jobQueued(userId, priority, job);
  }

  eventEmitted(userId: string, priority: Priority, event: BusEvent): void {
    this.jobs.eventEmitted(userId, priority, event);
  }

  watchEvents(userId: string, watching: boolean): Promise<void> {
    return this.jobs.watchEvents(userId, watching);
  }

  // ---- what a bus asks (RemoteReach) --------------------------------------------------

  linkTo(processId: string, userId: string, uuid: string): AddonLink {
    return this.routing.linkTo(processId, userId, uuid);
  }

  relay(userId: string, senderUuid: string, update: RoutedUpdate): boolean {
    return this.routing.relay(userId, senderUuid, update);
  }

  findJob(userId: string, jobId: string, waitMs: number, signal?: AbortSignal): Promise<Job | undefined> {
    return this.jobs.findJob(userId, jobId, waitMs, signal);
  }

  /** A Redis fault leaves the page without them until their next event, rather than without its stream. */
  unfinishedJobs(userId: string): Promise<Job[]> {
    return this.jobs.unfinishedOf(userId).catch((e: Error) => (this.log.warn("redis.unfinished_failed", { error: e.message }), []));
  }

  async cancelJob(userId: string, jobId: string, reason: string, status: "cancelled" | "failed"): Promise<RemoteCancel> {
    const holder = await this.jobs.holderOf(userId, jobId);
    if (!holder) return "unknown";
    if (isTerminal(holder.status)) return { status: "ended", error: `job ${jobId} already ended as ${holder.status}` };
    if (!holder.proc) return { status: "unreachable", error: `job ${jobId}'s shared record does not name the process holding it (a server of an older version wrote it): cancel it from that process's page` };
    if (await this.routing.cancel(holder.proc, userId, jobId, reason, status)) return "sent";
    return { status: "unreachable", error: `server process ${holder.proc}, which holds job ${jobId}, is not answering; try again once a surviving process has taken its jobs over` };
  }

  async close(): Promise<void> {
    await this.liveness.stop();
    await Promise.allSettled(this.clients.map((c) => c.close()));
  }
}
