#!/usr/bin/env node
/** The `blender-mcp` command. */
import { parseArgs } from "node:util";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { createApp } from "./app.js";
import { DEFAULT_CONFIG, DEFAULT_PORT, type Config } from "./config.js";
import { createLogger, isLogLevel } from "./log.js";
import { runStdio } from "./stdio.js";

const USAGE = `blender-mcp ${PACKAGE_VERSION}: an MCP server that drives running Blenders through a job bus

Usage:
  blender-mcp serve [options]   Streamable HTTP MCP at /mcp, the addon socket at /addon, GET /health
  blender-mcp stdio [options]   MCP over stdio, relayed to the hub on the port (started if none answers),
                                so every client on this machine shares one bus
  blender-mcp --version

Options (environment variable in brackets):
  --host HOST             bind address [BLENDER_MCP_HOST] (default 127.0.0.1: loopback only)
  --port N                port [BLENDER_MCP_PORT] (default ${DEFAULT_PORT}; 0 picks a free one)
  --log-level LEVEL       debug | info | warn | error | silent [BLENDER_MCP_LOG_LEVEL] (default info)
  --allowed-host NAME     accept this Host header besides loopback names (repeatable)
  --allowed-origin URL    let browser pages from this origin connect (repeatable; none by default)
  --heartbeat SECONDS     ping addons this often; drop those that stop answering (default 15)
  --job-ttl SECONDS       keep finished jobs for blender_get_job this long (default 3600)
  --exit-when-idle SECS   serve: exit once no MCP session and no Blender has been connected this long
  --hub-idle SECONDS      stdio: how long a hub started by stdio lingers unused (default 600)

Logs are JSON lines on stderr.`;

function fail(message: string): never {
  process.stderr.write(`blender-mcp: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function number(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a non-negative number, got ${value}`);
  return n;
}

interface Parsed {
  command: string;
  config: Config;
  exitWhenIdleSeconds: number;
  hubIdleSeconds: number;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "log-level": { type: "string" },
      "allowed-host": { type: "string", multiple: true },
      "allowed-origin": { type: "string", multiple: true },
      heartbeat: { type: "string" },
      "job-ttl": { type: "string" },
      "exit-when-idle": { type: "string" },
      "hub-idle": { type: "string" },
      version: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = values.version ? "version" : values.help ? "help" : (positionals[0] ?? "help");
  const logLevel = values["log-level"] ?? env.BLENDER_MCP_LOG_LEVEL ?? DEFAULT_CONFIG.logLevel;
  if (!isLogLevel(logLevel)) fail(`unknown log level ${logLevel}`);
  const config: Config = {
    ...DEFAULT_CONFIG,
    host: values.host ?? env.BLENDER_MCP_HOST ?? DEFAULT_CONFIG.host,
    port: number("--port", values.port ?? env.BLENDER_MCP_PORT, DEFAULT_CONFIG.port),
    logLevel,
    heartbeatSeconds: number("--heartbeat", values.heartbeat, DEFAULT_CONFIG.heartbeatSeconds),
    jobTtlSeconds: number("--job-ttl", values["job-ttl"], DEFAULT_CONFIG.jobTtlSeconds),
    allowedHosts: values["allowed-host"] ?? [],
    allowedOrigins: values["allowed-origin"] ?? [],
  };
  return {
    command,
    config,
    exitWhenIdleSeconds: number("--exit-when-idle", values["exit-when-idle"], 0),
    hubIdleSeconds: number("--hub-idle", values["hub-idle"], 600),
  };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseConfig>;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  const { command, config, exitWhenIdleSeconds, hubIdleSeconds } = parsed;
  const log = createLogger(config.logLevel);
  switch (command) {
    case "version":
      process.stdout.write(`${PACKAGE_VERSION}\n`);
      return;
    case "help":
      process.stdout.write(`${USAGE}\n`);
      return;
    case "serve": {
      const app = createApp(config, log);
      const port = await app.listen();
      const stop = () => void app.close().then(() => process.exit(0));
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      if (exitWhenIdleSeconds > 0) {
        app.whenIdle(exitWhenIdleSeconds * 1000, () => {
          log.info("server.idle_exit", { idle_seconds: exitWhenIdleSeconds });
          stop();
        });
      }
      // Started by `blender-mcp stdio`: tell it we listen, then stand alone.
      if (process.send) process.send({ event: "listening", port }, () => process.disconnect());
      return;
    }
    case "stdio":
      return runStdio(config, { hubIdleSeconds }, log);
    default:
      fail(`unknown command ${command}`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`blender-mcp: ${error.message}\n`);
  process.exit(1);
});
