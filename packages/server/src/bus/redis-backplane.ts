/**
 * Several `blender-mcp serve` processes sharing users' buses through Redis.
 * Redis is the only thing between them: a registry of attached Blenders per
 * user (a hash), job records (a hash per job), per-process pub/sub channels
 * carrying the addon protocol's own messages, per-user channels of job
 * events (subscribed only where someone listens), and liveness keys with a
 * TTL.
 *
 * Routing has connections of its own: a dispatch to another process must
 * not queue behind job records and events (under load, it did, for seconds).
 *
 * The process that started a job (its origin) is the only writer of its
 * record and the only one that settles it, through the same UserBus path
 * as a local job; the Blender's process only forwards. So a job still ends
 * exactly once, whichever processes it crossed.
 */
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { createClient } from "redis";
import {
  readBackplane,
  TERMINAL_JOB_STATES,
  type BackplaneMessageName,
  type BusEvent,
  type Job,
  type Priority,
  type RegistryEntry,
  type RegistryEvent,
  type RemoteEvent,
  type Routed,
  type RoutedUpdate,
} from "@blender-mcp/protocol";
import type { Logger } from "../log.js";
import type { Backplane } from "./backplane.js";
import type { AddonLink, BlenderClient } from "./client.js";
import type { Hub } from "./hub.js";

export interface RedisBackplaneOptions {
  url: string;
  /** Job records expire this long after their last change. */
  jobTtlMs: number;
  /** A job adopted from a dead process is lost if its Blender does not report within this. */
  lostGraceMs: number;
  /** A process whose liveness key is older than this is dead. */
  livenessTtlMs?: number;
}

type Update = RoutedUpdate;

const K = {
  alive: (proc: string) => `bmcp:proc:${proc}`,
  procs: "bmcp:procs",
  users: "bmcp:users",
  clients: (user: string) => `bmcp:clients:${user}`,
  job: (user: string, jobId: string) => `bmcp:job:${user}:${jobId}`,
  /** Unfinished jobs a process originated: what a survivor adopts when it dies. */
  unfinished: (proc: string) => `bmcp:unfinished:${proc}`,
  claim: (proc: string) => `bmcp:claim:${proc}`,
  route: (proc: string) => `bmcp:route:${proc}`,
  registry: "bmcp:registry",
  events: (user: string) => `bmcp:events:${user}`,
};

const isTerminal = (status: string) => (TERMINAL_JOB_STATES as readonly string[]).includes(status);
const member = (user: string, jobId: string) => JSON.stringify([user, jobId]);

type RedisClient = ReturnType<typeof createClient>;

/** A Lua script sent once and then run by its SHA-1; EVAL again whenever Redis has forgotten it (a restart). */
class Script {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  run(client: RedisClient, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return client.evalSha(this.sha, options).catch((e: Error) => (/NOSCRIPT/.test(e.message) ? client.eval(this.source, options) : Promise.reject(e)));
  }
}

// Terminal states are final even if two writers ever race: the stored status wins once it has ended.
const SAVE_JOB = new Script(`
local terminal = {${TERMINAL_JOB_STATES.map((s) => `${s}=true`).join(",")}}
local stored = redis.call('HGET', KEYS[1], 'status')
local status = ARGV[2]
if stored and terminal[stored] then status = stored end
redis.call('HSET', KEYS[1], 'status', status, 'job', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if terminal[status] then redis.call('SREM', KEYS[2], ARGV[4]) else redis.call('SADD', KEYS[2], ARGV[4]) end
return status`);

// A detach only removes the entry it wrote: the Blender may already have attached to another process.
const DELETE_IF_OWNED = new Script(`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value and cjson.decode(value).proc == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`);

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
  /** Jobs routed to a Blender here from another process: where its updates go back to. */
  private readonly relays = new Map<string, { origin: string; user: string; uuid: string }>();
  /** Users whose job events are listened to here, with how many listeners, and the subscription. */
  private readonly listening = new Map<string, { count: number; subscribed: Promise<void>; listener: (m: string, channel: string) => void }>();
  /** blender_get_job calls waiting here for a job another process settles. */
  private readonly watchers = new Map<string, Set<() => void>>();
  /** Dead processes already dealt with here. */
  private readonly buried = new Set<string>();
  private readonly knownProcs = new Set<string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly livenessTtlMs: number;

  constructor(
    private readonly options: RedisBackplaneOptions,
    private readonly log: Logger,
  ) {
    this.livenessTtlMs = options.livenessTtlMs ?? 3000;
    this.cmd = createClient({ url: options.url });
    this.sub = this.cmd.duplicate();
    this.routeOut = this.cmd.duplicate();
    this.routeIn = this.cmd.duplicate();
    for (const client of this.clients) client.on("error", (e: Error) => this.log.warn("redis.error", { error: e.message }));
  }

  private get clients(): RedisClient[] {
    return [this.cmd, this.sub, this.routeOut, this.routeIn];
  }

  /** Connects, subscribes, then loads the registry: subscribing first means no attach falls between the two. */
  async start(hub: Hub): Promise<void> {
    this.hub = hub;
    await Promise.all(this.clients.map((c) => c.connect()));
    await this.routeIn.subscribe(K.route(this.processId), this.routedIn);
    await this.sub.subscribe(K.registry, this.registryIn);
    await this.beat();
    await this.cmd.sAdd(K.procs, this.processId);
    for (const user of await this.cmd.sMembers(K.users)) {
      for (const [uuid, raw] of Object.entries(await this.cmd.hGetAll(K.clients(user)))) {
        const entry = this.read("registry_entry", raw, K.clients(user));
        if (entry && entry.proc !== this.processId && (await this.cmd.exists(K.alive(entry.proc)))) this.onRegistry({ op: "attach", user, uuid, entry });
      }
    }
    await this.sweep();
    // Refresh at a third of the TTL, so one slow beat does not make a live process look dead.
    this.heartbeat = setInterval(() => void this.beat().then(() => this.sweep()).catch((e: Error) => this.log.warn("redis.heartbeat_failed", { error: e.message })), this.livenessTtlMs / 3);
    this.log.info("backplane.started", { process: this.processId });
  }

  /** Fire-and-forget writes: a Redis outage is logged, never an unhandled rejection that ends the process. */
  private publish(channel: string, body: unknown, via = this.cmd): Promise<number> {
    return via.publish(channel, JSON.stringify(body)).catch((e: Error) => {
      this.log.warn("redis.publish_failed", { channel, error: e.message });
      return -1;
    });
  }

  /**
   * Another process's message, checked against the protocol's schema: a
   * malformed one (a peer of another version, a stray PUBLISH) is logged and
   * dropped, and nothing it carried is acted on.
   */
  private read<N extends BackplaneMessageName>(name: N, text: string, where: string) {
    const read = readBackplane(name, text);
    if (read.ok) return read.value;
    this.log.warn("backplane.malformed", { message: name, where, reason: read.reason });
    return undefined;
  }

  private readonly routedIn = (text: string, channel: string) => {
    const routed = this.read("routed", text, channel);
    if (routed) this.onRouted(routed);
  };

  private readonly registryIn = (text: string, channel: string) => {
    const event = this.read("registry_event", text, channel);
    if (event) this.onRegistry(event);
  };

  private readonly eventIn = (text: string, channel: string) => {
    const event = this.read("remote_event", text, channel);
    if (event) this.onEvent(event);
  };

  private async beat(): Promise<void> {
    await this.cmd.set(K.alive(this.processId), "1", { expiration: { type: "PX", value: this.livenessTtlMs } });
  }

  /**
   * Finds processes whose liveness key expired. Every survivor drops their
   * Blenders from its view (failing its own jobs on them); one survivor,
   * the first to claim, also cleans the registry and adopts their jobs.
   */
  private async sweep(): Promise<void> {
    const procs = new Set([...(await this.cmd.sMembers(K.procs)), ...this.knownProcs]);
    for (const proc of procs) {
      if (proc === this.processId || this.buried.has(proc) || (await this.cmd.exists(K.alive(proc)))) continue;
      this.buried.add(proc);
      this.knownProcs.delete(proc);
      const reason = `server process ${proc} stopped answering`;
      this.log.warn("backplane.process_dead", { process: proc });
      for (const bus of this.hub!.all()) bus.dropProcess(proc, reason);
      const claimed = await this.cmd.set(K.claim(proc), this.processId, { condition: "NX", expiration: { type: "PX", value: this.options.jobTtlMs } });
      if (claimed === "OK") await this.adoptFrom(proc);
    }
  }

  private async adoptFrom(dead: string): Promise<void> {
    // Updates still addressed to the dead process (Blenders elsewhere finishing its jobs) come here now.
    await this.routeIn.subscribe(K.route(dead), this.routedIn);
    for (const user of await this.cmd.sMembers(K.users)) {
      for (const [uuid, raw] of Object.entries(await this.cmd.hGetAll(K.clients(user)))) {
        if (this.read("registry_entry", raw, K.clients(user))?.proc === dead) await DELETE_IF_OWNED.run(this.cmd, { keys: [K.clients(user)], arguments: [uuid, dead] });
      }
    }
    let adopted = 0;
    for (const m of await this.cmd.sMembers(K.unfinished(dead))) {
      await this.cmd.sMove(K.unfinished(dead), K.unfinished(this.processId), m);
      const named = this.read("unfinished_member", m, K.unfinished(dead));
      if (!named) continue;
      const [user, jobId] = named;
      const job = await this.readJob(user, jobId);
      if (!job || isTerminal(job.status)) continue;
      this.hub!.bus(user).adopt({ ...job, user_id: user }, this.options.lostGraceMs, `server process ${dead} died`);
      adopted++;
    }
    await this.cmd.sRem(K.procs, dead);
    this.log.info("backplane.adopted", { process: dead, jobs: adopted });
  }

  // ---- registry ------------------------------------------------------------------

  clientAttached(userId: string, client: BlenderClient): void {
    const entry: RegistryEntry = { hello: client.hello, proc: this.processId, connected_since: client.connectedSince.toISOString() };
    void this.cmd
      .multi()
      .sAdd(K.users, userId)
      .hSet(K.clients(userId), client.uuid, JSON.stringify(entry))
      .publish(K.registry, JSON.stringify({ op: "attach", user: userId, uuid: client.uuid, entry } satisfies RegistryEvent))
      .exec()
      .catch((e: Error) => this.log.warn("redis.registry_failed", { error: e.message }));
  }

  clientDetached(userId: string, uuid: string): void {
    // Its origins learn of the detach from the registry and fail those jobs; nothing will come back to forward.
    for (const [key, relay] of this.relays) if (relay.user === userId && relay.uuid === uuid) this.relays.delete(key);
    void DELETE_IF_OWNED.run(this.cmd, { keys: [K.clients(userId)], arguments: [uuid, this.processId] })
      .then(() => this.cmd.publish(K.registry, JSON.stringify({ op: "detach", user: userId, uuid, proc: this.processId } satisfies RegistryEvent)))
      .catch((e: Error) => this.log.warn("redis.registry_failed", { error: e.message }));
  }

  private onRegistry(event: RegistryEvent): void {
    if (event.op === "attach") {
      if (event.entry.proc === this.processId || this.buried.has(event.entry.proc)) return;
      this.knownProcs.add(event.entry.proc);
      this.hub!.bus(event.user).attachRemote(event.entry.hello, event.entry.proc, new Date(event.entry.connected_since));
    } else if (event.proc !== this.processId) {
      this.hub!.existing(event.user)?.detachRemote(event.uuid, event.proc, "it disconnected");
    }
  }

  // ---- routing -------------------------------------------------------------------

  linkTo(processId: string, userId: string, uuid: string): AddonLink {
    return {
      send: (message) => {
        const routed: Routed = { kind: "to_addon", user: userId, uuid, origin: this.processId, message };
        void this.publish(K.route(processId), routed, this.routeOut).then((receivers) => {
          // Nobody listens on a dead process's channel until a survivor adopts it: fail at once rather than wait for the sweep.
          if (receivers === 0 && (message.message_type === "command_dispatch" || message.message_type === "job_dispatch")) {
            this.hub!.existing(userId)?.update(uuid, { job_id: message.job_id, status: "failed", result: null, error: `server process ${processId}, which holds Blender ${uuid}, is not answering` });
          }
        });
      },
      // The owning process closes its own socket when it hears of a newer attach.
      close: () => {},
    };
  }

  relay(userId: string, senderUuid: string, update: Update): boolean {
    const key = member(userId, update.job_id);
    const relay = this.relays.get(key);
    if (!relay) return false;
    if (update.status !== "running") this.relays.delete(key);
    const routed: Routed = { kind: "update", user: userId, sender: senderUuid, update };
    void this.publish(K.route(relay.origin), routed, this.routeOut);
    return true;
  }

  private onRouted(routed: Routed): void {
    const bus = this.hub!.bus(routed.user);
    if (routed.kind === "update") {
      bus.update(routed.sender, routed.update);
      return;
    }
    const { message, uuid, origin } = routed;
    const client = bus.localClient(uuid);
    const dispatch = message.message_type === "command_dispatch" || message.message_type === "job_dispatch";
    if (dispatch && !client) {
      const update: Update = { job_id: message.job_id, status: "failed", result: null, error: `Blender ${uuid} is no longer connected to server process ${this.processId}` };
      void this.publish(K.route(origin), { kind: "update", user: routed.user, sender: uuid, update } satisfies Routed, this.routeOut);
      return;
    }
    if (dispatch) this.relays.set(member(routed.user, message.job_id), { origin, user: routed.user, uuid });
    client?.link.send(message);
  }

  // ---- job records and events --------------------------------------------------------

  jobSaved(userId: string, job: Job): Promise<void> {
    return SAVE_JOB.run(this.cmd, {
      keys: [K.job(userId, job.job_id), K.unfinished(this.processId)],
      arguments: [JSON.stringify(job), job.status, String(this.options.jobTtlMs), member(userId, job.job_id)],
    }).then(
        () => {},
        (e: Error) => this.log.warn("redis.job_save_failed", { job_id: job.job_id, error: e.message }),
      );
  }

  /** Published on the user's channel: Redis passes it only to processes that listen to that user. */
  eventEmitted(userId: string, priority: Priority, event: BusEvent): void {
    void this.publish(K.events(userId), { proc: this.processId, user: userId, priority, event });
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
    const listener = this.eventIn;
    const subscribed = this.sub.subscribe(K.events(userId), listener).catch((e: Error) => this.log.warn("redis.subscribe_failed", { error: e.message }));
    this.listening.set(userId, { count: 1, subscribed, listener });
    return subscribed;
  }

  private unlisten(userId: string): void {
    const current = this.listening.get(userId);
    if (!current || --current.count > 0) return;
    this.listening.delete(userId);
    // By its listener: the client then knows a SUBSCRIBE sent before this one's reply is a new subscription.
    void this.sub.unsubscribe(K.events(userId), current.listener).catch((e: Error) => this.log.warn("redis.unsubscribe_failed", { error: e.message }));
  }

  private onEvent({ proc, user, priority, event }: RemoteEvent): void {
    if (proc === this.processId) return;
    this.hub!.existing(user)?.deliverRemote(priority, event);
    if (event.kind === "job_update" && event.job_id && isTerminal(event.status ?? "")) {
      for (const wake of this.watchers.get(member(user, event.job_id)) ?? []) wake();
    }
  }

  private async readJob(userId: string, jobId: string): Promise<Job | undefined> {
    const [status, raw] = await this.cmd.hmGet(K.job(userId, jobId), ["status", "job"]);
    if (!status || !raw) return undefined;
    const job = this.read("job_record", raw, K.job(userId, jobId));
    // The status field is authoritative: a terminal one is never overwritten (SAVE_JOB).
    return job && { ...job, status: status as Job["status"] };
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

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Gone at once rather than after the TTL: survivors adopt this process's unfinished jobs on their next sweep.
    await this.cmd.del(K.alive(this.processId)).catch(() => {});
    await Promise.allSettled(this.clients.map((c) => c.close()));
  }
}
