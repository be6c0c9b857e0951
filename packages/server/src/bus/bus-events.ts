/**
 * One user's bus announcing what happened, to whoever listens (the
 * backplane, with --redis). The bus's parts emit; none of them knows who
 * listens. A listener's promise (jobSaved, watchEvents) is what the emitter
 * returns, so a caller can wait for "everyone has it".
 */
import type { BusEvent, Job, Priority } from "@blender-mcp/protocol";
import type { BusListener } from "./backplane.js";
import type { BlenderClient } from "./client.js";

export class BusEvents {
  constructor(
    private readonly userId: string,
    private readonly listeners: readonly BusListener[],
  ) {}

  clientAttached(client: BlenderClient): void {
    for (const l of this.listeners) l.clientAttached(this.userId, client);
  }

  clientDetached(uuid: string): void {
    for (const l of this.listeners) l.clientDetached(this.userId, uuid);
  }

  jobSaved(job: Job): Promise<void> {
    return all(this.listeners.map((l) => l.jobSaved(this.userId, job)));
  }

  jobQueued(priority: Priority, job: Job): void {
    for (const l of this.listeners) l.jobQueued(this.userId, priority, job);
  }

  eventEmitted(priority: Priority, event: BusEvent): void {
    for (const l of this.listeners) l.eventEmitted(this.userId, priority, event);
  }

  watchEvents(watching: boolean): Promise<void> {
    return all(this.listeners.map((l) => l.watchEvents(this.userId, watching)));
  }
}

function all(pending: Promise<void>[]): Promise<void> {
  if (pending.length === 0) return Promise.resolve();
  return Promise.all(pending).then(() => undefined);
}
