import type { Logger } from "../log.js";
import type { Backplane } from "./backplane.js";
import type { JobStore } from "./job-store.js";
import { JobWaiter } from "./job-waiter.js";
import { UserBus, type BusOptions, type JobRecord } from "./user-bus.js";

/** All users' buses. A user's bus is created on first use and shares nothing with another's. */
export class Hub {
  private readonly buses = new Map<string, UserBus>();
  readonly waiter = new JobWaiter<JobRecord>();
  private plane: Backplane | null = null;

  constructor(
    private readonly options: BusOptions,
    readonly store: JobStore,
    private readonly log: Logger,
  ) {}

  bus(userId: string): UserBus {
    let bus = this.buses.get(userId);
    if (!bus) {
      const links = this.plane ? { listeners: [this.plane], reach: this.plane } : undefined;
      bus = new UserBus(userId, this.waiter, this.store, this.options, this.log.child({ user_id: userId }), links);
      this.buses.set(userId, bus);
    }
    return bus;
  }

  /** Shares the buses with other server processes (it listens to every bus's events); before any bus exists, so none is left out. */
  useBackplane(plane: Backplane): void {
    if (this.buses.size > 0) throw new Error("the backplane must be set before any bus is used");
    this.plane = plane;
  }

  /** The user's bus if this process has one; events for users nobody here uses create nothing. */
  existing(userId: string): UserBus | undefined {
    return this.buses.get(userId);
  }

  all(): Iterable<UserBus> {
    return this.buses.values();
  }

  /** Adopts every job a previous process left unfinished; returns how many. */
  recover(graceMs: number): number {
    const orphans = this.store.unfinished();
    for (const job of orphans) this.bus(job.user_id).adopt(job, graceMs);
    return orphans.length;
  }

  stats(): { clients: number; jobsInFlight: number } {
    let clients = 0;
    let jobsInFlight = 0;
    for (const bus of this.buses.values()) {
      clients += bus.clientCount;
      jobsInFlight += bus.jobsInFlight;
    }
    return { clients, jobsInFlight };
  }
}
