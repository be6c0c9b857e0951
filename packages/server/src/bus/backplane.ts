/**
 * What a user's bus shares with other server processes when several share
 * users' buses (--redis). The backplane listens to the buses' events
 * (BusListener, wired by Hub.useBackplane) and answers what a bus cannot
 * know alone (RemoteReach). Without one the bus is one process's, as it
 * always was.
 */
import type { BusEvent, Job, JobUpdate, Priority } from "@blender-mcp/protocol";
import type { AddonLink, BlenderClient } from "./client.js";

/** What every user's bus announces (bus-events.ts delivers it). */
export interface BusListener {
  /** A Blender attached to this process: other processes may now target it. */
  clientAttached(userId: string, client: BlenderClient): void;
  /** ...and left it. */
  clientDetached(userId: string, uuid: string): void;
  /** A job this process originated (or adopted) was created or changed: the shared record follows. Resolves once Redis has it. */
  jobSaved(userId: string, job: Job): Promise<void>;
  /** A job entered the queue here, for the user's live pages on other processes (job events begin at its first update). */
  jobQueued(userId: string, priority: Priority, job: Job): void;
  /** A bus notification, for the user's subscribers on other processes. */
  eventEmitted(userId: string, priority: Priority, event: BusEvent): void;
  /**
   * Whether anyone here listens to the user's job events from other
   * processes (a blender://jobs subscriber). Resolves once events published
   * from then on will arrive.
   */
  watchEvents(userId: string, watching: boolean): Promise<void>;
}

/** What a bus asks of the other processes. */
export interface RemoteReach {
  /** Random per process: names the process in the registry and in errors. */
  readonly processId: string;
  /** How this process reaches a Blender attached to another process. */
  linkTo(processId: string, userId: string, uuid: string): AddonLink;
  /**
   * A job_update from a Blender here for a job this process does not hold:
   * forwarded to the process that does. False when no process sent it here.
   */
  relay(userId: string, senderUuid: string, update: Omit<JobUpdate, "message_type">): boolean;
  /** A job from the shared record, waiting up to waitMs for it to end. */
  findJob(userId: string, jobId: string, waitMs: number, signal?: AbortSignal): Promise<Job | undefined>;
  /** The user's unfinished jobs that other processes hold (queued or running), from their shared records. */
  unfinishedJobs(userId: string): Promise<Job[]>;
  /** Asks the process holding a job to end it (it ends the job the way a local cancel does); resolves once the ask is delivered. */
  cancelJob(userId: string, jobId: string, reason: string, status: "cancelled" | "failed"): Promise<RemoteCancel>;
}

/** What asking another process to cancel a job came to: delivered, no such job, or why not. */
export type RemoteCancel = "sent" | "unknown" | { status: "ended" | "unreachable"; error: string };

export interface Backplane extends BusListener, RemoteReach {}
