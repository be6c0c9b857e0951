/**
 * Starts a real Blender (3.4 on the host, 4.3 and 5.2 in the chroots that
 * provision.sh makes) under its own Xvfb, with a throw-away user profile,
 * running a startup script that installs and connects the addon.
 *
 *   const blender = await launchBlender({ version: "4.3", zip, env: { BLENDER_MCP_BUS_URL: url } });
 *   ...
 *   await blender.stop();
 *
 * With `worker: {}` it starts a headless worker instead: `blender -b [file]
 * --python <the zip's blender_mcp_bus/worker.py> -- [args]`, from the zip
 * unpacked into the profile, without Xvfb.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { ADDON_DIR, REPO_ROOT } from "../paths.js";
import { assertTierHas } from "../test-tier.js";

export const BLENDER_VERSIONS = ["3.4", "4.3", "5.2"] as const;
export type BlenderVersion = (typeof BLENDER_VERSIONS)[number];

/** Debian suite of each chroot; 3.4 is the host's own (bookworm) Blender. */
const CHROOT_SUITES: Record<BlenderVersion, string | undefined> = { "3.4": undefined, "4.3": "trixie", "5.2": "sid" };

const HERE = import.meta.dirname;
const DEFAULT_STARTUP_SCRIPT = join(REPO_ROOT, ADDON_DIR, "blender_startup/startup.py");
const MARKER = /^\[mcp-bus\] connected as (\S+) to (\S+)\s*$/;
/** Exit code Blender is told to use when the startup script raises. */
export const STARTUP_SCRIPT_FAILED = 86;
const STOP_GRACE_MS = 10_000;
const XVFB_LOG = "xvfb.log";

export interface LaunchOptions {
  version: BlenderVersion;
  /** Absolute path of the addon zip; the startup script finds it in BLENDER_MCP_BUS_ZIP. */
  zip: string;
  /** Passed to Blender as is (BLENDER_MCP_BUS_URL, _GATED, _LABEL, ...). */
  env?: Record<string, string>;
  /** Absolute path of the Python file run with --python. */
  startupScript?: string;
  /** How long to wait for the "connected as" line (default 60 s). */
  timeoutMs?: number;
  /** Start a headless worker (blender -b) instead of the UI; startupScript is then ignored. */
  worker?: WorkerOptions;
}

export interface WorkerOptions {
  /** Host path of a .blend the worker opens (copied into its profile). */
  blend?: string;
  /** After Blender's `--`, for the worker script (--label, --gated, ...). */
  args?: string[];
}

/** The worker entry inside the legacy zip. */
const WORKER_ENTRY = "blender_mcp_bus/worker.py";

export interface RunningBlender {
  version: BlenderVersion;
  /** From Blender's "[mcp-bus] connected as <uuid> to <url>" line. */
  uuid: string;
  url: string;
  /** Leader of Blender's process group (xvfb-run, or in-chroot.sh for a chroot). */
  process: ChildProcess;
  /** Every line Blender and Xvfb wrote so far, for diagnostics. */
  stdout: string[];
  stderr: string[];
  /** Host path of the temporary profile and copies; removed by stop(). */
  workdir: string;
  /** Resolves with the exit code (null if killed by a signal) once every process in the group is gone. */
  exited: Promise<number | null>;
  /** Kills the whole process group (Blender and Xvfb), waits for it, removes the temporary files. */
  stop(): Promise<void>;
}

export class BlenderLaunchError extends Error {
  constructor(
    message: string,
    readonly stdout: string[],
    readonly stderr: string[],
  ) {
    super(`${message}\n--- stdout (last 40 lines)\n${stdout.slice(-40).join("\n")}\n--- stderr (last 40 lines)\n${stderr.slice(-40).join("\n")}`);
    this.name = "BlenderLaunchError";
  }
}

/** Where provision.sh puts the chroots; read at each call so a test can point it elsewhere. */
export function chrootsDir(): string {
  return process.env.BLENDER_MCP_CHROOTS ?? "/var/cache/blender-mcp/chroots";
}

/** "/" for the host's Blender, else the chroot's directory: where a path inside that Blender is on this machine. */
export function blenderRoot(version: BlenderVersion): string {
  const suite = CHROOT_SUITES[version];
  return suite === undefined ? "/" : join(chrootsDir(), suite);
}

const execFileP = promisify(execFile);

/** Same test as provision.sh: blender, xvfb and xauth fully installed, blender at VERSION.x. */
async function isProvisioned(version: BlenderVersion): Promise<boolean> {
  const root = blenderRoot(version);
  if (!existsSync(join(root, "var/lib/dpkg/status"))) return false;
  try {
    const { stdout } = await execFileP("dpkg-query", [
      `--admindir=${join(root, "var/lib/dpkg")}`,
      "-W",
      "-f",
      "${db:Status-Abbrev}|${Package}|${Version}\n",
      "blender",
      "xvfb",
      "xauth",
    ]);
    const rows = stdout.trim().split("\n").map((line) => line.split("|"));
    const installed = rows.filter((r) => r[0]?.trim() === "ii");
    const blender = rows.find((r) => r[1] === "blender")?.[2]?.replace(/^\d+:/, "");
    return installed.length === 3 && blender !== undefined && blender.startsWith(`${version}.`);
  } catch {
    // dpkg-query exits non-zero when a package is unknown there.
    return false;
  }
}

/** The versions provision.sh has installed on this machine. */
export async function availableBlenders(): Promise<BlenderVersion[]> {
  const found = await Promise.all(BLENDER_VERSIONS.map(async (v) => ((await isProvisioned(v)) ? v : undefined)));
  return found.filter((v) => v !== undefined);
}

/** Versions that must not be skipped: REQUIRE_BLENDER="3.4,4.3,5.2" (CI sets it). */
export function requiredBlenders(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.REQUIRE_BLENDER ?? "")
    .split(/[\s,]+/)
    .filter((v) => v !== "");
}

/**
 * For node:test's `skip` option: false when the test should run (the version
 * is provisioned, or REQUIRE_BLENDER names it, so that its absence fails the
 * test), else the reason for skipping.
 */
export async function blenderSkipReason(version: BlenderVersion, env: NodeJS.ProcessEnv = process.env): Promise<string | false> {
  assertTierHas("blender");
  if (requiredBlenders(env).includes(version) || (await isProvisioned(version))) return false;
  return `Blender ${version} is not provisioned here (bash tools/blender/provision.sh ${version})`;
}

/** Groups still running, killed if the test process exits without stopping them. */
const running = new Map<number, string>();
process.on("exit", () => {
  for (const [pid, workdir] of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(workdir, { recursive: true, force: true });
  }
});

export async function launchBlender(options: LaunchOptions): Promise<RunningBlender> {
  assertTierHas("blender");
  const { version, zip, timeoutMs = 60_000 } = options;
  const startupScript = options.startupScript ?? DEFAULT_STARTUP_SCRIPT;
  if (!BLENDER_VERSIONS.includes(version)) throw new Error(`unknown Blender version ${version}`);
  if (!(await isProvisioned(version))) {
    throw new Error(`Blender ${version} is not provisioned on this machine: run bash tools/blender/provision.sh ${version}`);
  }
  for (const file of [zip, startupScript, ...(options.worker?.blend ? [options.worker.blend] : [])]) {
    if (!existsSync(file)) throw new Error(`launchBlender: ${file} does not exist`);
  }

  // Inside a chroot everything Blender opens must lie under the chroot, so
  // the profile and copies of the inputs go to its /tmp; `inside` is the
  // same directory as Blender sees it.
  const root = blenderRoot(version);
  const workdir = await mkdtemp(join(root === "/" ? tmpdir() : join(root, "tmp"), "blender-mcp-"));
  const inside = root === "/" ? workdir : workdir.slice(root.length);
  const dirs = ["home", "config", "scripts", "datafiles", "extensions", "cache", "tmp", "runtime"];
  await Promise.all(dirs.map((d) => mkdir(join(workdir, d), { mode: 0o700 })));
  await Promise.all([
    copyFile(zip, join(workdir, basename(zip))),
    copyFile(startupScript, join(workdir, basename(startupScript))),
    ...(options.worker?.blend ? [copyFile(options.worker.blend, join(workdir, basename(options.worker.blend)))] : []),
  ]);
  // A worker runs the entry from the unpacked zip, as a user would from an unzipped or installed addon.
  if (options.worker) await execFileP("python3", ["-m", "zipfile", "-e", zip, join(workdir, "addon")]);

  const env: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C.UTF-8",
    HOME: `${inside}/home`,
    TMPDIR: `${inside}/tmp`,
    XDG_CONFIG_HOME: `${inside}/home/.config`,
    XDG_DATA_HOME: `${inside}/home/.local/share`,
    XDG_CACHE_HOME: `${inside}/cache`,
    XDG_RUNTIME_DIR: `${inside}/runtime`,
    BLENDER_USER_CONFIG: `${inside}/config`,
    BLENDER_USER_SCRIPTS: `${inside}/scripts`,
    BLENDER_USER_DATAFILES: `${inside}/datafiles`,
    BLENDER_USER_EXTENSIONS: `${inside}/extensions`,
    ...options.env,
    BLENDER_MCP_BUS_ZIP: `${inside}/${basename(zip)}`,
  };
  const worker = options.worker;
  const blenderArgs = [
    "blender",
    ...(worker ? ["-b", ...(worker.blend ? [`${inside}/${basename(worker.blend)}`] : [])] : []),
    "--factory-startup",
    "-noaudio",
    "--python-exit-code",
    String(STARTUP_SCRIPT_FAILED),
    // A piped stdout is block-buffered, and the marker line must arrive when
    // it is printed; Blender ignores PYTHONUNBUFFERED (it does not read the
    // PYTHON* environment unless told to).
    "--python-expr",
    "import sys; sys.stdout.reconfigure(line_buffering=True); sys.stderr.reconfigure(line_buffering=True)",
    "--python",
    worker ? `${inside}/addon/${WORKER_ENTRY}` : `${inside}/${basename(startupScript)}`,
    ...(worker ? ["--", ...(worker.args ?? [])] : []),
  ];
  // -a retries the next display when Xvfb cannot bind one, which also covers
  // a display taken by an Xvfb in another chroot (/tmp differs, the abstract
  // X socket names do not); -e keeps Xvfb's complaints (it cannot be
  // /dev/stderr: node's pipes are sockets, which cannot be opened by path).
  const underXvfb = ["xvfb-run", "-a", "-e", `${inside}/${XVFB_LOG}`, "-s", "-screen 0 1280x800x24", ...blenderArgs];
  const display = worker ? blenderArgs : underXvfb;
  const [command, ...args] = root === "/" ? display : ["sh", join(HERE, "in-chroot.sh"), root, ...display];

  // detached: its own process group, so stop() reaches Xvfb too.
  const child = spawn(command!, args, { cwd: workdir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid !== undefined) running.set(child.pid, workdir);
  const stdout: string[] = [];
  const stderr: string[] = [];
  // 'close' waits for every holder of the pipes, i.e. Xvfb and Blender both.
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      if (child.pid !== undefined) running.delete(child.pid);
      resolve(code);
    });
  });
  // A spawn failure is followed by 'close', which settles everything else.
  child.on("error", (err) => stderr.push(`[launch] ${err.message}`));
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const connected = new Promise<{ uuid: string; url: string }>((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      stdout.push(line);
      const m = MARKER.exec(line);
      if (m) resolve({ uuid: m[1]!, url: m[2]! });
    });
  });

  let killing: Promise<void> | undefined;
  const exitedOrKilled = (): Promise<void> =>
    (killing ??= (async () => {
      signalGroup(child, "SIGTERM");
      const killer = setTimeout(() => signalGroup(child, "SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    })());
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= exitedOrKilled().then(() => rm(workdir, { recursive: true, force: true })));

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const outcome = await Promise.race([connected, exited.then((code) => ({ code })), timedOut]);
  clearTimeout(timer);
  if (outcome === "timeout" || "code" in outcome) {
    const why =
      outcome === "timeout"
        ? `did not print "[mcp-bus] connected as ..." within ${timeoutMs} ms`
        : outcome.code === STARTUP_SCRIPT_FAILED
          ? `exited: the startup script ${startupScript} raised`
          : `exited with code ${outcome.code} before connecting`;
    await exitedOrKilled();
    const xvfbLog = await readFile(join(workdir, XVFB_LOG), "utf8").catch(() => "");
    stderr.push(...xvfbLog.split("\n").filter((l) => l !== "").map((l) => `[xvfb] ${l}`));
    await stop();
    throw new BlenderLaunchError(`Blender ${version} ${why}`, stdout, stderr);
  }
  return { version, ...outcome, process: child, stdout, stderr, workdir, exited, stop };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}
