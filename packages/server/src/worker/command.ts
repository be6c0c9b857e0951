/** `blender-mcp worker ...`: flags to SupervisorOptions, then supervise until SIGTERM / SIGINT. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultDataDir, LOCAL_TOKEN_FILE } from "../auth/data-dir.js";
import { DEFAULT_PORT } from "../config.js";
import { createLogger, isLogLevel, type LogLevel } from "../log.js";
import { Supervisor, type SupervisorOptions } from "./supervisor.js";

export const WORKER_USAGE = `  blender-mcp worker [--blender PATH] [--blend FILE] [--count N]
                                          start N headless Blender workers (blender -b) on the bus and keep
                                          them running; see blender-mcp worker --help`;

const HELP = `Usage: blender-mcp worker [options]

Starts N headless Blenders that join the bus as workers, restarts one that exits (backoff doubling from
--backoff to 60 s while it keeps exiting quickly), stops them all on SIGTERM or SIGINT.

  --blender PATH       Blender's executable (default: blender on PATH)
  --blend FILE         a .blend every worker opens
  --count N            how many workers (default 1)
  --label NAME         workers are NAME-1 ... NAME-N (default worker)
  --url URL            the server's addon endpoint (default ws://127.0.0.1:<--port>/addon)
  --port N             the server's port, for the default --url (default ${DEFAULT_PORT})
  --token TOKEN        token for the workers [BLENDER_MCP_BUS_TOKEN] (default: <data-dir>/local-token)
  --data-dir DIR       where the local token is [BLENDER_MCP_HOME] (default the server's)
  --entry FILE         the addon's blender_mcp_bus/worker.py (default: this repository's addon)
  --gated LIST         gates the workers switch off (execute_code, job_dispatch, ...)
  --log-dir DIR        worker-<i>.log per worker (default <data-dir>/workers)
  --backoff SECONDS    first restart delay (default 1)
  --log-level LEVEL    the supervisor's own JSON log lines on stderr (default info)`;

/** The addon beside this package in the repository (packages/server/dist/worker -> packages/addon-py). */
const REPO_ENTRY = join(import.meta.dirname, "../../../addon-py/blender_mcp_bus/worker.py");

export function workerOptions(argv: string[], env: NodeJS.ProcessEnv): { supervisor: SupervisorOptions; logLevel: LogLevel } | string {
  const { values } = parseArgs({
    args: argv,
    options: {
      blender: { type: "string" }, blend: { type: "string" }, count: { type: "string" }, label: { type: "string" },
      url: { type: "string" }, port: { type: "string" }, token: { type: "string" }, "data-dir": { type: "string" },
      entry: { type: "string" }, gated: { type: "string" }, "log-dir": { type: "string" }, backoff: { type: "string" },
      "log-level": { type: "string" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return HELP;
  const count = Number(values.count ?? 1);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a whole number of at least 1, got ${values.count}`);
  const backoff = Number(values.backoff ?? 1);
  if (!Number.isFinite(backoff) || backoff <= 0) throw new Error(`--backoff must be a positive number of seconds, got ${values.backoff}`);
  const logLevel = values["log-level"] ?? "info";
  if (!isLogLevel(logLevel)) throw new Error(`--log-level is debug, info, warn, error or silent, got ${logLevel}`);
  const port = values.port ?? String(DEFAULT_PORT);
  const dataDir = values["data-dir"] ?? defaultDataDir(env);
  const localToken = join(dataDir, LOCAL_TOKEN_FILE);
  const token = values.token ?? env.BLENDER_MCP_BUS_TOKEN ?? (existsSync(localToken) ? readFileSync(localToken, "utf8").trim() : "");
  const entry = values.entry ?? REPO_ENTRY;
  if (!existsSync(entry)) throw new Error(`no worker entry at ${entry}: pass --entry <addon folder>/blender_mcp_bus/worker.py`);
  const supervisor: SupervisorOptions = {
    blender: values.blender ?? "blender",
    entry,
    blend: values.blend,
    count,
    label: values.label ?? "worker",
    logDir: values["log-dir"] ?? join(dataDir, "workers"),
    env: { BLENDER_MCP_BUS_URL: values.url ?? `ws://127.0.0.1:${port}/addon`, ...(token ? { BLENDER_MCP_BUS_TOKEN: token } : {}) },
    workerArgs: values.gated !== undefined ? ["--gated", values.gated] : [],
    backoffInitialMs: backoff * 1000,
  };
  return { supervisor, logLevel };
}

/** For cli.ts's own commands: supervises until SIGTERM / SIGINT; 2 with the reason for bad flags. */
export async function workerCommand(argv: string[]): Promise<number> {
  try {
    await runWorkerCommand(argv, process.env);
    return 0;
  } catch (error) {
    process.stderr.write(`blender-mcp worker: ${(error as Error).message}\n\nRun blender-mcp worker --help for usage.\n`);
    return 2;
  }
}

export async function runWorkerCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const options = workerOptions(argv, env);
  if (typeof options === "string") {
    process.stdout.write(`${options}\n`);
    return;
  }
  const supervisor = new Supervisor(options.supervisor, createLogger(options.logLevel));
  supervisor.start();
  const stop = () => void supervisor.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
