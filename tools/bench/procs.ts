/**
 * The processes a benchmark runs: the real server, and load-generator
 * workers driven over IPC. Each is killed when the harness exits, and each
 * also stops by itself (workers when the IPC channel closes, the server
 * when it has been idle a while).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.js";

/** BENCH_SERVER_CLI: another build of the server (say, a copy of dist/ before a change), to compare two builds in turns. */
export const SERVER_CLI = process.env.BENCH_SERVER_CLI ?? join(REPO_ROOT, "packages/server/dist/cli.js");
const WORKERS = join(import.meta.dirname, "workers");

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Raises the descriptor limit for the exec'd command: 10,000 sockets need more than the usual 1,024. */
function withFdLimit(argv: string[]): [string, string[]] {
  return ["sh", ["-c", 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"', "sh", ...argv]];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface BenchServer {
  pid: number;
  port: number;
  mcpUrl: string;
  /** The same /mcp as a WebSocket, the door `blender-mcp stdio` relays through. */
  mcpSocketUrl: string;
  addonUrl: string;
  logFile: string;
  dataDir: string;
  /** The local user's bearer token. */
  token: string;
  /** Where --cpu-prof wrote its profile, once stopped (when asked for). */
  cpuProfileDir: string | null;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Run under `node --cpu-prof`; the profile lands in cpuProfileDir on stop(). */
  cpuProfile?: boolean;
  args?: string[];
  /**
   * A data dir shared with other servers (their token store, so one token
   * works on all, as scale-out needs); by default a private one. The log and
   * any CPU profile stay in a folder of this server's own.
   */
  dataDir?: string;
}

async function waitForHealth(port: number, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not answer /health within 15 s; see ${logFile}`);
}

/**
 * The product's per-user limits (requests a second, addons, sessions, frames
 * a second) are there to stop abuse and would cap a benchmark long before the
 * bus does, so they are lifted.
 */
export const LIFTED_LIMITS = [
  ["--requests-per-second", "0"],
  ["--max-frames-per-second", "0"],
  ["--max-addons-per-user", "100000"],
  ["--max-sessions-per-user", "10000"],
  ["--max-jobs-per-user", "100000"],
  ["--max-jobs-per-client", "100000"],
].flat();

/** `blender-mcp serve` at the default log level, its log in a file (a full pipe would stall it). */
export async function startServer(options: ServerOptions = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), "blender-mcp-bench-"));
  const dataDir = options.dataDir ?? dir;
  const logFile = join(dir, "server.log");
  const port = await freePort();
  const nodeArgs = options.cpuProfile ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
  const fd = openSync(logFile, "a");
  const [command, args] = withFdLimit([
    process.execPath,
    ...nodeArgs,
    SERVER_CLI,
    "serve",
    "--port",
    String(port),
    "--exit-when-idle",
    "120",
    // The bench's own data dir (private, or shared by a scale-out run's servers): the local token and the
    // job store go there, not into the user's profile.
    "--data-dir",
    dataDir,
    ...LIFTED_LIMITS,
    ...(options.args ?? []),
  ]);
  const child = track(spawn(command, args, { stdio: ["ignore", fd, fd] }));
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await waitForHealth(port, child, logFile);
  const tokenFile = join(dataDir, "local-token");
  return {
    pid: child.pid!,
    port,
    mcpUrl: `http://127.0.0.1:${port}/mcp`,
    mcpSocketUrl: `ws://127.0.0.1:${port}/mcp`,
    addonUrl: `ws://127.0.0.1:${port}/addon`,
    logFile,
    dataDir,
    token: readFileSync(tokenFile, "utf8").trim(),
    cpuProfileDir: options.cpuProfile ? dir : null,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** argv for `blender-mcp stdio` relaying to this server as its local user. */
export function relayArgv(server: BenchServer): [string, string[]] {
  return [process.execPath, [SERVER_CLI, "stdio", "--port", String(server.port), "--log-level", "warn", "--data-dir", server.dataDir]];
}

/** The .cpuprofile files a stopped server left. */
export function cpuProfiles(server: BenchServer): string[] {
  if (!server.cpuProfileDir) return [];
  return readdirSync(server.cpuProfileDir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(server.cpuProfileDir!, f));
}

export interface Worker {
  pid: number;
  call<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** A worker script from tools/bench/workers, run under tsx, answering calls over IPC. */
export async function startWorker(name: string, nodeArgs: string[] = []): Promise<Worker> {
  const [command, args] = withFdLimit([process.execPath, "--import", "tsx", ...nodeArgs, join(WORKERS, `${name}.ts`)]);
  const child = track(spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit", "ipc"] }));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  child.on("message", (message: Reply) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`worker ${name}: ${message.error}`));
    else waiter?.resolve(message.result);
  });
  void exited.then(() => {
    for (const w of pending.values()) w.reject(new Error(`worker ${name} exited`));
  });
  const worker: Worker = {
    pid: child.pid!,
    call: <T>(cmd: string, callArgs: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, command: cmd, args: callArgs });
      }),
    async stop() {
      if (child.connected) child.disconnect();
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
  await worker.call("ready");
  return worker;
}
