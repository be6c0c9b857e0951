/**
 * Messages between a job's origin process and the process its Blender is
 * attached to, on per-process route channels. Routing has connections of
 * its own: a dispatch to another process must not queue behind job records
 * and events (under load, it did, for seconds).
 */
import type { Routed, RoutedUpdate } from "@blender-mcp/protocol";
import type { Logger } from "../../log.js";
import type { AddonLink } from "../client.js";
import type { Hub } from "../hub.js";
import { K, member, publish, readOrDrop, type RedisClient } from "./keys.js";

export class Routing {
  /** Jobs routed to a Blender here from another process: where its updates go back to. */
  private readonly relays = new Map<string, { origin: string; user: string; uuid: string }>();

  constructor(
    private readonly processId: string,
    private readonly routeOut: RedisClient,
    private readonly routeIn: RedisClient,
    private readonly hub: () => Hub,
    private readonly log: Logger,
  ) {}

  private readonly received = (text: string, channel: string) => {
    const routed = readOrDrop(this.log, "routed", text, channel);
    if (routed) this.onRouted(routed);
  };

  /** Listens on this process's own channel. */
  start(): Promise<void> {
    return this.routeIn.subscribe(K.route(this.processId), this.received);
  }

  /** Updates still addressed to a dead process (Blenders elsewhere finishing its jobs) come here now. */
  takeOver(dead: string): Promise<void> {
    return this.routeIn.subscribe(K.route(dead), this.received);
  }

  private send(processId: string, routed: Routed): Promise<number> {
    return publish(this.log, this.routeOut, K.route(processId), routed);
  }

  linkTo(processId: string, userId: string, uuid: string): AddonLink {
    return {
      send: (message) => {
        void this.send(processId, { kind: "to_addon", user: userId, uuid, origin: this.processId, message }).then((receivers) => {
          // Nobody listens on a dead process's channel until a survivor adopts it: fail at once rather than wait for the sweep.
          if (receivers === 0 && (message.message_type === "command_dispatch" || message.message_type === "job_dispatch")) {
            this.hub()
              .existing(userId)
              ?.update(uuid, { job_id: message.job_id, status: "failed", result: null, error: `server process ${processId}, which holds Blender ${uuid}, is not answering` });
          }
        });
      },
      // The owning process closes its own socket when it hears of a newer attach.
      close: () => {},
    };
  }

  relay(userId: string, senderUuid: string, update: RoutedUpdate): boolean {
    const key = member(userId, update.job_id);
    const relay = this.relays.get(key);
    if (!relay) return false;
    if (update.status !== "running") this.relays.delete(key);
    void this.send(relay.origin, { kind: "update", user: userId, sender: senderUuid, update });
    return true;
  }

  /** Asks the process holding a job to cancel it; false when nobody listens on that process's channel. */
  async cancel(processId: string, userId: string, jobId: string, reason: string, status: "cancelled" | "failed"): Promise<boolean> {
    return (await this.send(processId, { kind: "cancel", user: userId, job_id: jobId, reason, status })) > 0;
  }

  /** Its origins learn of the detach from the registry and fail those jobs; nothing will come back to forward. */
  forget(userId: string, uuid: string): void {
    for (const [key, relay] of this.relays) if (relay.user === userId && relay.uuid === uuid) this.relays.delete(key);
  }

  private onRouted(routed: Routed): void {
    const bus = this.hub().bus(routed.user);
    if (routed.kind === "update") {
      bus.update(routed.sender, routed.update);
      return;
    }
    if (routed.kind === "cancel") {
      // The same cancel as a local one: an ended job stays as it ended, so a cancel asked twice ends it once.
      const job = bus.getJob(routed.job_id);
      if (job) bus.cancel(job, routed.reason, routed.status);
      else this.log.warn("backplane.cancel_unknown", { job_id: routed.job_id });
      return;
    }
    const { message, uuid, origin } = routed;
    const client = bus.localClient(uuid);
    const dispatch = message.message_type === "command_dispatch" || message.message_type === "job_dispatch";
    if (dispatch && !client) {
      const update: RoutedUpdate = { job_id: message.job_id, status: "failed", result: null, error: `Blender ${uuid} is no longer connected to server process ${this.processId}` };
      void this.send(origin, { kind: "update", user: routed.user, sender: uuid, update });
      return;
    }
    if (dispatch) this.relays.set(member(routed.user, message.job_id), { origin, user: routed.user, uuid });
    client?.link.send(message);
  }
}
