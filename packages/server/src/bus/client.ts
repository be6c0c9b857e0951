import { COMMANDS, type ClientInfo, type ClientSummary, type Hello, type ServerMessage } from "@blender-mcp/protocol";
import type { Targetable } from "./targeting.js";

/** The bus's view of a connection: how to reach the addon, whatever the transport. */
export interface AddonLink {
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

/** A Blender registered on a user's bus. */
export class BlenderClient implements Targetable {
  lastSeen = new Date();
  readonly jobsInFlight = new Set<string>();

  constructor(
    readonly hello: Hello,
    readonly link: AddonLink,
    /** Given for a Blender attached to another server process, which knows when it came. */
    readonly connectedSince = new Date(),
  ) {}

  get uuid(): string {
    return this.hello.client_uuid;
  }

  get isWorker(): boolean {
    return this.hello.client_type === "worker";
  }

  get load(): number {
    return this.jobsInFlight.size;
  }

  /** Offers the command (job_dispatch: a script) and has not switched its gate off: what the pool asks of a worker. */
  canRun(command: string): boolean {
    const script = command === "job_dispatch";
    const gate = script ? "job_dispatch" : COMMANDS.get(command)?.gate;
    return (script || this.offers(command)) && !(gate && this.hello.gated.includes(gate));
  }

  offers(command: string): boolean {
    return this.hello.commands.includes(command);
  }

  summary(): ClientSummary {
    const { client_uuid, label, blender_version, blend_file } = this.hello;
    return { uuid: client_uuid, label, blender_version, blend_file };
  }

  info(): ClientInfo {
    const h = this.hello;
    return {
      ...this.summary(),
      client_type: h.client_type,
      addon_version: h.addon_version,
      commands: h.commands,
      gated: h.gated,
      connected_since: this.connectedSince.toISOString(),
      last_seen: this.lastSeen.toISOString(),
      jobs_in_flight: this.jobsInFlight.size,
    };
  }
}
