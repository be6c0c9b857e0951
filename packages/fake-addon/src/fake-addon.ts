/**
 * A stand-in for Blender that speaks the addon protocol over a real
 * WebSocket: hello, a priority queue drained one job at a time (as
 * Blender's main thread does), running + one terminal job_update per job,
 * cancel of queued jobs, gates, and per-command behaviours for the cases
 * real Blender makes hard to stage (never answer, drop mid-job).
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import {
  AUTH_HEADER,
  AUTH_SCHEME,
  AuthFailure,
  authenticateSocket,
  COMMAND_LIST,
  COMMANDS,
  PACKAGE_VERSION,
  PROTOCOL_VERSION,
  ServerMessage,
  priorityRank,
  type AddonMessage,
  type Hello,
  type Priority,
  type Progress,
  type Welcome,
} from "@blender-mcp/protocol";
import { CommandError, defaultHandlers, runPython } from "./scene.js";

export type Behaviour =
  | { kind: "answer"; result?: (params: Record<string, unknown>) => unknown }
  | { kind: "fail"; error: string }
  | { kind: "slow"; ms: number; progressSteps?: number }
  | { kind: "never" }
  /** Disconnect mid-job, after reporting `progress` (say, the frames a render finished) when given. */
  | { kind: "drop"; progress?: Progress };

export interface FakeAddonOptions {
  url: string;
  /** Opens the connection itself (an in-memory link to an in-process server) instead of dialling url. */
  connect?: () => Duplex;
  uuid?: string;
  label?: string;
  /** The hello's client_type: "fake" by default; "worker" makes it a member of the user's pool. */
  clientType?: string;
  /** Commands offered; all of the protocol's by default. */
  commands?: string[];
  /** Gates switched off: "execute_code", "job_dispatch". */
  gated?: string[];
  behaviours?: Record<string, Behaviour>;
  protocolVersion?: number;
  /** The hello's blend_file: the .blend it says is open (empty: unsaved). */
  blendFile?: string;
  /** The token the server must prove it knows (auth handshake); the token itself is never sent. */
  token?: string;
  /**
   * Reconnect when the server goes away, as the real addon does, keeping
   * job_updates produced meanwhile in an outbox that is sent after the welcome.
   */
  reconnect?: boolean;
}

/** How many updates the outbox keeps while the server is away; the oldest go first. */
const OUTBOX_LIMIT = 1000;

interface QueuedJob {
  jobId: string;
  command: string;
  params: Record<string, unknown>;
  script: string | null;
  priority: Priority;
  seq: number;
}

export class RefusedError extends Error {}

export class FakeAddon extends EventEmitter {
  readonly uuid: string;
  readonly label: string;
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly oneShots = new Map<string, Behaviour[]>();
  private readonly queue: QueuedJob[] = [];
  private ws: WebSocket | null = null;
  private busy = false;
  private seq = 0;
  /** Job ids in the order they started running. */
  readonly started: string[] = [];
  /** Every message received from the server, in order. */
  readonly received: ServerMessage[] = [];
  closed: Promise<{ code: number; reason: string }> = Promise.resolve({ code: 0, reason: "never connected" });
  private readonly outbox: string[] = [];
  private closing = false;

  constructor(private readonly options: FakeAddonOptions) {
    super();
    this.uuid = options.uuid ?? `fake-${randomUUID().slice(0, 8)}`;
    this.label = options.label ?? this.uuid;
    for (const [command, behaviour] of Object.entries(options.behaviours ?? {})) this.behaviours.set(command, behaviour);
  }

  behave(command: string, behaviour: Behaviour): void {
    this.behaviours.set(command, behaviour);
  }

  /** A behaviour for the next job of this command only. */
  behaveOnce(command: string, behaviour: Behaviour): void {
    const list = this.oneShots.get(command) ?? [];
    list.push(behaviour);
    this.oneShots.set(command, list);
  }

  hello(): Hello {
    return {
      message_type: "hello",
      client_uuid: this.uuid,
      label: this.label,
      client_type: this.options.clientType ?? "fake",
      blender_version: "fake",
      blend_file: this.options.blendFile ?? "",
      addon_version: PACKAGE_VERSION,
      protocol_version: this.options.protocolVersion ?? PROTOCOL_VERSION,
      commands: this.options.commands ?? COMMAND_LIST.map((c) => c.name),
      gated: this.options.gated ?? [],
    };
  }

  /**
   * Opens the socket, runs the auth handshake (the server proves itself
   * first) and says hello; resolves with the welcome, rejects with the
   * refusal or the AuthFailure.
   */
  connect(): Promise<Welcome> {
    const link = this.options.connect;
    const ws = new WebSocket(this.options.url, {
      perMessageDeflate: false,
      headers: { [AUTH_HEADER]: AUTH_SCHEME },
      ...(link ? { createConnection: () => link() as Socket } : {}),
    });
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    return new Promise((resolve, reject) => {
      ws.once("open", () => {
        authenticateSocket(ws, this.options.token ?? "", "addon", this.options.url).then(
          () => {
            ws.on("message", onMessage);
            this.send(this.hello());
          },
          (error: Error) => {
            // A refusal is followed by the server's own close (whose code tests read); anything else is dropped here.
            if (error instanceof AuthFailure && error.kind === "refused") return reject(new RefusedError(error.message));
            ws.terminate();
            reject(error);
          },
        );
      });
      ws.on("error", reject);
      ws.on("close", (code, reason) => reject(new Error(`closed before welcome: ${code} ${reason.toString()}`)));
      const onMessage = (data: WebSocket.RawData) => {
        const parsed = ServerMessage.safeParse(JSON.parse(data.toString()));
        if (!parsed.success) {
          this.send({ message_type: "protocol_error", code: "invalid_message", message: parsed.error.message, job_id: null });
          return;
        }
        const message = parsed.data;
        this.received.push(message);
        this.emit("message", message);
        if (message.message_type === "welcome") {
          for (const queued of this.outbox.splice(0)) ws.send(queued);
          resolve(message);
          this.emit("welcome", message);
        }
        else if (message.message_type === "refused") reject(new RefusedError(`${message.code}: ${message.reason}`));
        else this.onMessage(message);
      };
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.ws?.close(1000, "fake addon closing");
    await this.closed;
  }

  /** Retries until a server welcomes us again (a fixed short delay between attempts: this is a test double). */
  private keepConnected(): void {
    void this.closed.then(async () => {
      while (!this.closing) {
        try {
          await this.connect();
          this.keepConnected();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    });
  }

  /** Drops the connection without a close handshake, as a crashed Blender would. */
  terminate(): void {
    this.ws?.terminate();
  }

  send(message: AddonMessage): void {
    const text = JSON.stringify(message);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
    else if (this.options.reconnect && message.message_type === "job_update") {
      this.outbox.push(text);
      if (this.outbox.length > OUTBOX_LIMIT) this.outbox.shift();
    }
  }

  /** Connects, and with the reconnect option keeps reconnecting until close(). */
  async start(): Promise<Welcome> {
    const welcome = await this.connect();
    if (this.options.reconnect) this.keepConnected();
    return welcome;
  }

  private onMessage(message: ServerMessage): void {
    switch (message.message_type) {
      case "command_dispatch":
        return this.enqueue({ jobId: message.job_id, command: message.command, params: message.params, script: null, priority: message.priority });
      case "job_dispatch":
        return this.enqueue({ jobId: message.job_id, command: "job_dispatch", params: {}, script: message.script, priority: message.priority });
      case "cancel": {
        const index = this.queue.findIndex((j) => j.jobId === message.job_id);
        if (index >= 0) {
          this.queue.splice(index, 1);
          this.update(message.job_id, "failed", null, `cancelled before it started: ${message.reason}`);
        }
        return;
      }
      case "ping":
        return this.send({ message_type: "pong", nonce: message.nonce });
      default:
        return;
    }
  }

  private enqueue(job: Omit<QueuedJob, "seq">): void {
    this.queue.push({ ...job, seq: this.seq++ });
    this.queue.sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || a.seq - b.seq);
    // Like Blender's drainer, the next job starts on a later tick, so jobs that arrive together are ordered first.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) await this.run(job);
    } finally {
      this.busy = false;
    }
  }

  private update(jobId: string, status: "running" | "completed" | "failed", result: unknown, error: string, progress?: Progress): void {
    this.send({ message_type: "job_update", job_id: jobId, status, result, error, ...(progress ? { progress } : {}) });
  }

  private gateOf(command: string): string | null {
    return command === "job_dispatch" ? "job_dispatch" : (COMMANDS.get(command)?.gate ?? null);
  }

  private async run(job: QueuedJob): Promise<void> {
    this.started.push(job.jobId);
    this.update(job.jobId, "running", null, "");
    const gate = this.gateOf(job.command);
    if (gate && (this.options.gated ?? []).includes(gate)) {
      return this.update(job.jobId, "failed", null, `${gate} is switched off in this Blender: enable 'Allow ${gate}' in the addon preferences`);
    }
    const behaviour = this.oneShots.get(job.command)?.shift() ?? this.behaviours.get(job.command) ?? { kind: "answer" };
    switch (behaviour.kind) {
      case "never":
        return;
      case "drop":
        if (behaviour.progress) {
          // Written to the socket before it is cut, so the server has heard it.
          const text = JSON.stringify({ message_type: "job_update", job_id: job.jobId, status: "running", result: null, error: "", progress: behaviour.progress });
          await new Promise<void>((resolve) => (this.ws ? this.ws.send(text, () => resolve()) : resolve()));
        }
        this.terminate();
        return;
      case "fail":
        return this.update(job.jobId, "failed", null, behaviour.error);
      case "slow": {
        const steps = behaviour.progressSteps ?? 0;
        for (let i = 1; i <= steps; i++) {
          await new Promise((r) => setTimeout(r, behaviour.ms / (steps + 1)));
          this.update(job.jobId, "running", null, "", { progress: i, total: steps, message: `step ${i} of ${steps}` });
        }
        await new Promise((r) => setTimeout(r, behaviour.ms / (steps + 1)));
        break;
      }
      case "answer":
        if (behaviour.result) {
          // A result that throws fails the job, as a handler's error does in Blender.
          let result: unknown;
          try {
            result = await behaviour.result(job.params);
          } catch (error) {
            return this.update(job.jobId, "failed", null, (error as Error).message);
          }
          return this.update(job.jobId, "completed", result, "");
        }
    }
    await this.answer(job);
  }

  private async answer(job: QueuedJob): Promise<void> {
    try {
      if (job.script !== null) {
        const run = await runPython(job.script, `<${job.jobId}>`);
        const result = { stdout: run.stdout, stderr: run.stderr, truncated: run.truncated };
        return run.ok ? this.update(job.jobId, "completed", result, "") : this.update(job.jobId, "failed", result, run.stderr.trim());
      }
      const handler = defaultHandlers[job.command];
      // Every other command answers with its protocol example, so the fake offers all of them.
      const example = COMMANDS.get(job.command)?.example.result;
      if (!handler && example === undefined) return this.update(job.jobId, "failed", null, `unknown command ${job.command}`);
      this.update(job.jobId, "completed", handler ? await handler(job.params, job.jobId) : example, "");
    } catch (error) {
      const message = error instanceof CommandError ? error.message : String((error as Error).stack ?? error);
      this.update(job.jobId, "failed", null, message);
    }
  }
}
