/**
 * The Blenders on one user's bus: those attached to this process and, with
 * a backplane, those attached to others. A uuid is in one place at a time;
 * the latest attach wins, wherever it happened.
 */
import { CLOSE, type Hello } from "@blender-mcp/protocol";
import type { Logger } from "../log.js";
import type { RemoteReach } from "./backplane.js";
import type { BusEvents } from "./bus-events.js";
import { BlenderClient, type AddonLink } from "./client.js";

export interface DirectoryHooks {
  /** A Blender left with jobs in flight: nobody is left to answer them. */
  gone(client: BlenderClient, error: string): void;
  /** The list of Blenders changed (blender://clients subscribers). */
  changed(): void;
}

export class ClientDirectory {
  private readonly local = new Map<string, BlenderClient>();
  /** Blenders attached to other server processes, by uuid, with the process that holds each. */
  private readonly remote = new Map<string, { client: BlenderClient; processId: string }>();

  constructor(
    private readonly userId: string,
    private readonly events: BusEvents,
    private readonly reach: RemoteReach | null,
    private readonly hooks: DirectoryHooks,
    private readonly log: Logger,
  ) {}

  /** Registers a Blender; a reconnect under the same uuid replaces the old connection. */
  attach(hello: Hello, link: AddonLink): BlenderClient {
    const previous = this.local.get(hello.client_uuid);
    if (previous) {
      this.detach(previous, "replaced by a new connection from the same Blender");
      previous.link.close(CLOSE.replaced, "replaced by a new connection");
    }
    const elsewhere = this.remote.get(hello.client_uuid);
    if (elsewhere) this.detachRemote(hello.client_uuid, elsewhere.processId, "it reconnected to another server process");
    const client = new BlenderClient(hello, link);
    this.local.set(client.uuid, client);
    this.log.info("client.attached", { target_uuid: client.uuid, label: hello.label, blender_version: hello.blender_version });
    this.events.clientAttached(client);
    this.hooks.changed();
    return client;
  }

  /** A Blender attached to another server process; the latest attach of a uuid wins, wherever it happened. */
  attachRemote(hello: Hello, processId: string, connectedSince: Date): void {
    if (!this.reach) return;
    const uuid = hello.client_uuid;
    const local = this.local.get(uuid);
    if (local) {
      this.detach(local, `reconnected to server process ${processId}`);
      local.link.close(CLOSE.replaced, "replaced by a new connection");
    }
    const previous = this.remote.get(uuid);
    if (previous) this.detachRemote(uuid, previous.processId, `reconnected to server process ${processId}`);
    this.remote.set(uuid, { client: new BlenderClient(hello, this.reach.linkTo(processId, this.userId, uuid), connectedSince), processId });
    this.log.info("client.attached_remote", { target_uuid: uuid, process: processId });
    this.hooks.changed();
  }

  /** Only if the uuid is still held by that process: a stale detach never removes a newer attach. */
  detachRemote(uuid: string, processId: string, reason: string): void {
    const entry = this.remote.get(uuid);
    if (!entry || entry.processId !== processId) return;
    this.remote.delete(uuid);
    this.hooks.gone(entry.client, `Blender ${uuid} on server process ${processId} went away (${reason}) before the job finished`);
    this.log.info("client.detached_remote", { target_uuid: uuid, process: processId, reason });
    this.hooks.changed();
  }

  /** Every Blender a dead server process held. */
  dropProcess(processId: string, reason: string): void {
    for (const [uuid, entry] of [...this.remote]) if (entry.processId === processId) this.detachRemote(uuid, processId, reason);
  }

  /** Unregisters a Blender and fails its jobs at once. */
  detach(client: BlenderClient, reason: string): void {
    if (this.local.get(client.uuid) !== client) return;
    this.local.delete(client.uuid);
    this.hooks.gone(client, `Blender ${client.uuid} disconnected (${reason}) before the job finished`);
    this.log.info("client.detached", { target_uuid: client.uuid, reason });
    this.events.clientDetached(client.uuid);
    this.hooks.changed();
  }

  /** A Blender attached to this process (routing from other processes needs only these). */
  localClient(uuid: string): BlenderClient | undefined {
    return this.local.get(uuid);
  }

  /** Wherever it is attached. */
  get(uuid: string): BlenderClient | undefined {
    return this.local.get(uuid) ?? this.remote.get(uuid)?.client;
  }

  /** Local Blenders, then those on other server processes. */
  list(): BlenderClient[] {
    const local = [...this.local.values()];
    return this.remote.size === 0 ? local : [...local, ...[...this.remote.values()].map((r) => r.client)];
  }

  get localCount(): number {
    return this.local.size;
  }

  /** Jobs in flight on every Blender listed, local or not. */
  get jobsInFlight(): number {
    let n = 0;
    for (const c of this.local.values()) n += c.jobsInFlight.size;
    for (const r of this.remote.values()) n += r.client.jobsInFlight.size;
    return n;
  }
}
