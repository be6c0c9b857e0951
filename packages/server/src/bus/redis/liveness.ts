/**
 * Which server processes are alive: each refreshes a key with a TTL; a
 * process whose key expired is dead. Every survivor drops its Blenders from
 * its view (failing its own jobs on them); one survivor, the first to
 * claim, also cleans the registry and adopts its jobs.
 */
import type { Logger } from "../../log.js";
import type { Hub } from "../hub.js";
import { K, type RedisClient } from "./keys.js";

export interface Heir {
  /** Run by the one survivor that claimed a dead process. */
  inherit(dead: string): Promise<void>;
}

export class Liveness {
  /** Dead processes already dealt with here. */
  readonly buried = new Set<string>();
  /** Processes seen attaching a Blender (the registry adds them). */
  readonly known = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly processId: string,
    private readonly cmd: RedisClient,
    private readonly hub: () => Hub,
    private readonly heir: Heir,
    private readonly options: { ttlMs: number; claimTtlMs: number },
    private readonly log: Logger,
  ) {}

  /** Announces this process, then keeps its key fresh at a third of the TTL, so one slow beat does not make it look dead. */
  async start(): Promise<void> {
    await this.beat();
    await this.cmd.sAdd(K.procs, this.processId);
  }

  /** After the registry is loaded: the first sweep, then one per beat. */
  async keepAlive(): Promise<void> {
    await this.sweep();
    this.heartbeat = setInterval(
      () => void this.beat().then(() => this.sweep()).catch((e: Error) => this.log.warn("redis.heartbeat_failed", { error: e.message })),
      this.options.ttlMs / 3,
    );
  }

  private async beat(): Promise<void> {
    await this.cmd.set(K.alive(this.processId), "1", { expiration: { type: "PX", value: this.options.ttlMs } });
  }

  private async sweep(): Promise<void> {
    const procs = new Set([...(await this.cmd.sMembers(K.procs)), ...this.known]);
    for (const proc of procs) {
      if (proc === this.processId || this.buried.has(proc) || (await this.cmd.exists(K.alive(proc)))) continue;
      this.buried.add(proc);
      this.known.delete(proc);
      const reason = `server process ${proc} stopped answering`;
      this.log.warn("backplane.process_dead", { process: proc });
      for (const bus of this.hub().all()) bus.dropProcess(proc, reason);
      const claimed = await this.cmd.set(K.claim(proc), this.processId, { condition: "NX", expiration: { type: "PX", value: this.options.claimTtlMs } });
      if (claimed === "OK") await this.heir.inherit(proc);
    }
  }

  /** Gone at once rather than after the TTL: survivors adopt this process's unfinished jobs on their next sweep. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.cmd.del(K.alive(this.processId)).catch(() => {});
  }
}
