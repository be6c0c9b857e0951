/**
 * `blender-mcp worker`: starts N headless Blender workers (blender -b
 * --python blender_mcp_bus/worker.py) and keeps them running. A worker that
 * exits is started again after a backoff that doubles with each quick exit;
 * SIGTERM stops them all (SIGTERM to each, SIGKILL after a grace) and waits.
 * Each worker's output goes to a log file of its own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log.js";

export interface SupervisorOptions {
  /** Blender's executable. */
  blender: string;
  /** The worker entry: blender_mcp_bus/worker.py of an installed or unpacked addon. */
  entry: string;
  /** A .blend each worker opens. */
  blend?: string;
  count: number;
  /** Workers are labelled <label>-1 ... <label>-N. */
  label: string;
  /** worker-<i>.log per worker. */
  logDir: string;
  /** For the workers: BLENDER_MCP_BUS_URL, _TOKEN, ... on top of this process's environment. */
  env: Record<string, string>;
  /** After Blender's `--`, for every worker (--gated, ...). */
  workerArgs?: string[];
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** A worker that ran this long before exiting restarts after the initial backoff again. */
  stableMs?: number;
  stopGraceMs?: number;
}

/** The worker's exit code for arguments it refuses (blender/worker.py): starting it again cannot help. */
const EXIT_BAD_ARGS = 2;

interface Slot {
  index: number;
  label: string;
  log: WriteStream;
  child: ChildProcess | null;
  startedAt: number;
  quickExits: number;
  restartTimer: NodeJS.Timeout | null;
  exited: Promise<void>;
  starts: number;
}

export class Supervisor {
  private readonly slots: Slot[] = [];
  private stopping = false;

  constructor(
    private readonly options: SupervisorOptions,
    private readonly log: Logger,
  ) {}

  /** Worker label -> how many times it has been started; for tests and logs. */
  get starts(): Record<string, number> {
    return Object.fromEntries(this.slots.map((s) => [s.label, s.starts]));
  }

  start(): void {
    const o = this.options;
    for (const file of [o.entry, ...(o.blend ? [o.blend] : [])]) {
      if (!existsSync(file)) throw new Error(`${file} does not exist`);
    }
    mkdirSync(o.logDir, { recursive: true });
    for (let index = 1; index <= o.count; index++) {
      const label = `${o.label}-${index}`;
      const slot: Slot = {
        index, label, child: null, startedAt: 0, quickExits: 0, restartTimer: null, exited: Promise.resolve(), starts: 0,
        log: createWriteStream(join(o.logDir, `worker-${index}.log`), { flags: "a" }),
      };
      this.slots.push(slot);
      this.launch(slot);
    }
  }

  private launch(slot: Slot): void {
    const o = this.options;
    const args = ["-b", ...(o.blend ? [o.blend] : []), "-noaudio", "--python", o.entry, "--", "--label", slot.label, ...(o.workerArgs ?? [])];
    const child = spawn(o.blender, args, { env: { ...process.env, ...o.env }, stdio: ["ignore", "pipe", "pipe"] });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.starts++;
    slot.log.write(`--- ${new Date().toISOString()} start ${slot.starts}: ${o.blender} ${args.join(" ")}\n`);
    child.stdout!.pipe(slot.log, { end: false });
    child.stderr!.pipe(slot.log, { end: false });
    this.log.info("worker.started", { worker: slot.label, pid: child.pid, start: slot.starts });
    slot.exited = new Promise((resolve) => {
      child.on("error", (error) => slot.log.write(`--- spawn failed: ${error.message}\n`));
      child.on("close", (code, signal) => {
        slot.child = null;
        slot.log.write(`--- ${new Date().toISOString()} exited: ${signal ?? `code ${code}`}\n`);
        resolve();
        this.exited(slot, code, signal);
      });
    });
  }

  private exited(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    const fields = { worker: slot.label, code, signal };
    if (this.stopping) return this.log.info("worker.stopped", fields);
    if (code === EXIT_BAD_ARGS) {
      return this.log.error("worker.refused", { ...fields, reason: `the worker refused its arguments; see ${join(this.options.logDir, `worker-${slot.index}.log`)}` });
    }
    const ranMs = Date.now() - slot.startedAt;
    slot.quickExits = ranMs >= (this.options.stableMs ?? 30_000) ? 0 : slot.quickExits + 1;
    const initial = this.options.backoffInitialMs ?? 1000;
    const delayMs = Math.min(this.options.backoffMaxMs ?? 60_000, initial * 2 ** Math.max(0, slot.quickExits - 1));
    this.log.warn("worker.restarting", { ...fields, ran_ms: ranMs, delay_ms: delayMs });
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (!this.stopping) this.launch(slot);
    }, delayMs);
  }

  /** SIGTERM to every worker (each disconnects and exits), SIGKILL to any still there after the grace. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.child?.kill("SIGTERM");
    }
    const grace = setTimeout(() => this.slots.forEach((s) => s.child?.kill("SIGKILL")), this.options.stopGraceMs ?? 10_000);
    await Promise.all(this.slots.map((s) => s.exited));
    clearTimeout(grace);
    await Promise.all(this.slots.map((s) => new Promise((resolve) => s.log.end(resolve))));
  }
}
