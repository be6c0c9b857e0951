/**
 * The registry of attached Blenders shared by every process: a hash per
 * user in Redis, and attach / detach announcements on one channel. Every
 * process keeps a copy of the others' Blenders in its buses.
 */
import type { RegistryEntry, RegistryEvent } from "@blender-mcp/protocol";
import type { Logger } from "../../log.js";
import type { BlenderClient } from "../client.js";
import type { Hub } from "../hub.js";
import { K, readOrDrop, Script, type RedisClient } from "./keys.js";

// A detach only removes the entry it wrote: the Blender may already have attached to another process.
const DELETE_IF_OWNED = new Script(`
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value and cjson.decode(value).proc == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`);

export class SharedRegistry {
  constructor(
    private readonly processId: string,
    private readonly cmd: RedisClient,
    private readonly sub: RedisClient,
    private readonly hub: () => Hub,
    /** Processes seen attaching, and those known dead (liveness.ts owns both sets). */
    private readonly procs: { known: Set<string>; buried: Set<string> },
    private readonly log: Logger,
  ) {}

  /** Subscribes, then loads: subscribing first means no attach falls between the two. */
  async start(): Promise<void> {
    await this.sub.subscribe(K.registry, (text, channel) => {
      const event = readOrDrop(this.log, "registry_event", text, channel);
      if (event) this.onEvent(event);
    });
  }

  async load(): Promise<void> {
    for (const user of await this.cmd.sMembers(K.users)) {
      for (const [uuid, raw] of Object.entries(await this.cmd.hGetAll(K.clients(user)))) {
        const entry = readOrDrop(this.log, "registry_entry", raw, K.clients(user));
        if (entry && entry.proc !== this.processId && (await this.cmd.exists(K.alive(entry.proc)))) this.onEvent({ op: "attach", user, uuid, entry });
      }
    }
  }

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
    void DELETE_IF_OWNED.run(this.cmd, { keys: [K.clients(userId)], arguments: [uuid, this.processId] })
      .then(() => this.cmd.publish(K.registry, JSON.stringify({ op: "detach", user: userId, uuid, proc: this.processId } satisfies RegistryEvent)))
      .catch((e: Error) => this.log.warn("redis.registry_failed", { error: e.message }));
  }

  /** A dead process's entries, removed by the survivor that claimed it. */
  async removeEntriesOf(dead: string): Promise<void> {
    for (const user of await this.cmd.sMembers(K.users)) {
      for (const [uuid, raw] of Object.entries(await this.cmd.hGetAll(K.clients(user)))) {
        if (readOrDrop(this.log, "registry_entry", raw, K.clients(user))?.proc === dead) {
          await DELETE_IF_OWNED.run(this.cmd, { keys: [K.clients(user)], arguments: [uuid, dead] });
        }
      }
    }
  }

  private onEvent(event: RegistryEvent): void {
    if (event.op === "attach") {
      if (event.entry.proc === this.processId || this.procs.buried.has(event.entry.proc)) return;
      this.procs.known.add(event.entry.proc);
      this.hub().bus(event.user).attachRemote(event.entry.hello, event.entry.proc, new Date(event.entry.connected_since));
    } else if (event.proc !== this.processId) {
      this.hub().existing(event.user)?.detachRemote(event.uuid, event.proc, "it disconnected");
    }
  }
}
