#!/usr/bin/env node
/** The `blender-mcp` command. */
import { parseArgs } from "node:util";
import { CORE_TOOLSETS, PACKAGE_VERSION, TOOLSETS, resolveToolsets } from "@blender-mcp/protocol";
import { createApp } from "./app.js";
import { OWN_COMMANDS } from "./commands/index.js";
import { TokenStore } from "./auth/tokens.js";
import { DEFAULT_CONFIG, DEFAULT_PORT, validateConfig, type Config, type Limits } from "./config.js";
import { createLogger, isLogLevel } from "./log.js";
import { announcePage, openPage } from "./page/open.js";
import { runStdio } from "./stdio.js";
import { WORKER_USAGE } from "./worker/command.js";

/** Every limit is a flag of the same name, so none is hard-coded where a user might need another value. */
const LIMIT_FLAGS: Record<string, keyof Limits> = {
  "max-message-bytes": "maxMessageBytes",
  "max-body-bytes": "maxBodyBytes",
  "max-result-bytes": "maxResultBytes",
  "max-script-bytes": "maxScriptBytes",
  "max-jobs-per-user": "maxJobsPerUser",
  "max-jobs-per-client": "maxJobsPerClient",
  "max-addons-per-user": "maxAddonsPerUser",
  "max-sessions-per-user": "maxSessionsPerUser",
  "requests-per-second": "requestsPerSecond",
  "max-frames-per-second": "framesPerSecond",
};

const d = DEFAULT_CONFIG;
const USAGE = `blender-mcp ${PACKAGE_VERSION}: an MCP server that drives running Blenders through a job bus

Usage:
  blender-mcp serve [options]             Streamable HTTP MCP at /mcp, the addon socket at /addon, GET /health
  blender-mcp stdio [options]             MCP over stdio, relayed to the hub on the port (started if none answers),
                                          so every client on this machine shares one bus
  blender-mcp open [--print]              open the live page of your jobs (a one-time link from the running server)
  blender-mcp token create --user NAME    issue a bearer token (printed once; only its hash is kept)
  blender-mcp token list                  list tokens (id, user, created)
  blender-mcp token revoke ID             revoke a token
  blender-mcp config CLIENT [--write]     an MCP client's config for this server (config --help)
  blender-mcp install-addon [--blender PATH]  install and enable the add-on in Blender
${WORKER_USAGE}
  blender-mcp --version

Options (environment variable in brackets):
  --host HOST             bind address [BLENDER_MCP_HOST] (default ${d.host}: loopback only)
  --port N                port [BLENDER_MCP_PORT] (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir DIR          token store and local token file [BLENDER_MCP_HOME] (default ${d.dataDir})
  --auth token|none       require bearer tokens (default token); none is refused off loopback
  --tls-cert FILE         serve HTTPS / WSS with this certificate (PEM) ...
  --tls-key FILE          ... and this key
  --log-level LEVEL       debug | info | warn | error | silent [BLENDER_MCP_LOG_LEVEL] (default ${d.logLevel})
  --allowed-host NAME     accept this Host header besides loopback names (repeatable)
  --allowed-origin URL    let browser pages from this origin connect (repeatable; none by default)
  --heartbeat SECONDS     ping addons this often; drop those that miss two (default ${d.heartbeatSeconds})
  --session-idle SECONDS  close Streamable HTTP sessions idle this long (default ${d.sessionIdleSeconds}; 0 never)
  --handshake-timeout SECONDS  close connections that send no request, or do not finish the auth
                          handshake, within this (default ${d.handshakeTimeoutSeconds})
  --max-pending-per-address N  connections from one address still to send a request; over it the
                          oldest is closed (default ${d.maxPendingPerAddress})
  --job-ttl SECONDS       keep finished jobs for blender_get_job this long (default ${d.jobTtlSeconds})
  --job-store FILE        SQLite job store, or "memory" (default <data-dir>/jobs-<port>.sqlite)
  --redis URL             share users' buses with other serve processes through Redis [BLENDER_MCP_REDIS_URL]
                          (redis://host:6379); each process still records its jobs in SQLite (--job-store),
                          Redis holds a shared copy for the others
  --toolsets LIST         tool groups to advertise [BLENDER_MCP_TOOLSETS] (default core; "all", or core plus any of
                          ${TOOLSETS.filter((t) => !(CORE_TOOLSETS as readonly string[]).includes(t)).join(", ")});
                          a client may pick its own with /mcp?toolsets=LIST
  --lost-grace SECONDS    after a restart, how long Blender has to report an unfinished job (default ${d.lostGraceSeconds})
  --exit-when-idle SECS   serve: exit once no MCP session and no Blender has been connected this long
  --hub-idle SECONDS      stdio: how long a hub started by stdio lingers unused (default 600)
Limits (each refusal names its flag):
${Object.entries(LIMIT_FLAGS)
  .map(([flag, key]) => `  --${flag.padEnd(22)}(default ${d.limits[key]})`)
  .join("\n")}

Logs are JSON lines on stderr.`;

function fail(message: string): never {
  process.stderr.write(`blender-mcp: ${message}\n\nRun blender-mcp --help for usage.\n`);
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
  args: string[];
  user: string | undefined;
  config: Config;
  exitWhenIdleSeconds: number;
  hubIdleSeconds: number;
  printOnly: boolean;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const { values: parsedValues, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      auth: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "log-level": { type: "string" },
      "allowed-host": { type: "string", multiple: true },
      "allowed-origin": { type: "string", multiple: true },
      heartbeat: { type: "string" },
      "session-idle": { type: "string" },
      "handshake-timeout": { type: "string" },
      "max-pending-per-address": { type: "string" },
      "job-ttl": { type: "string" },
      "job-store": { type: "string" },
      "lost-grace": { type: "string" },
      redis: { type: "string" },
      toolsets: { type: "string" },
      "exit-when-idle": { type: "string" },
      "hub-idle": { type: "string" },
      user: { type: "string" },
      version: { type: "boolean" },
      print: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      ...Object.fromEntries(Object.keys(LIMIT_FLAGS).map((flag) => [flag, { type: "string" as const }])),
    },
  });
  const values = parsedValues as Record<string, string | string[] | boolean | undefined>;
  const command = values.version ? "version" : values.help ? "help" : (positionals[0] ?? "help");
  const logLevel = (values["log-level"] as string | undefined) ?? env.BLENDER_MCP_LOG_LEVEL ?? d.logLevel;
  if (!isLogLevel(logLevel)) fail(`unknown log level ${logLevel}`);
  const authMode = (values.auth as string | undefined) ?? d.auth;
  if (authMode !== "token" && authMode !== "none") fail(`--auth is token or none, got ${authMode}`);
  const limits = { ...d.limits };
  for (const [flag, key] of Object.entries(LIMIT_FLAGS)) limits[key] = number(`--${flag}`, values[flag] as string | undefined, d.limits[key]);
  const str = (name: string) => values[name] as string | undefined;
  const toolsets = str("toolsets") ?? env.BLENDER_MCP_TOOLSETS ?? d.toolsets;
  try {
    resolveToolsets(toolsets ?? undefined);
  } catch (e) {
    fail(`--toolsets: ${(e as Error).message}`);
  }
  const config: Config = {
    ...d,
    host: str("host") ?? env.BLENDER_MCP_HOST ?? d.host,
    port: number("--port", str("port") ?? env.BLENDER_MCP_PORT, d.port),
    dataDir: str("data-dir") ?? d.dataDir,
    auth: authMode,
    tlsCert: str("tls-cert") ?? null,
    tlsKey: str("tls-key") ?? null,
    logLevel,
    heartbeatSeconds: number("--heartbeat", str("heartbeat"), d.heartbeatSeconds),
    sessionIdleSeconds: number("--session-idle", str("session-idle"), d.sessionIdleSeconds),
    handshakeTimeoutSeconds: number("--handshake-timeout", str("handshake-timeout"), d.handshakeTimeoutSeconds),
    maxPendingPerAddress: number("--max-pending-per-address", str("max-pending-per-address"), d.maxPendingPerAddress),
    jobTtlSeconds: number("--job-ttl", str("job-ttl"), d.jobTtlSeconds),
    jobStore: str("job-store") ?? null,
    lostGraceSeconds: number("--lost-grace", str("lost-grace"), d.lostGraceSeconds),
    redisUrl: str("redis") ?? env.BLENDER_MCP_REDIS_URL ?? null,
    toolsets,
    allowedHosts: (values["allowed-host"] as string[] | undefined) ?? [],
    allowedOrigins: (values["allowed-origin"] as string[] | undefined) ?? [],
    limits,
  };
  return {
    command,
    args: positionals.slice(1),
    user: str("user"),
    config,
    exitWhenIdleSeconds: number("--exit-when-idle", str("exit-when-idle"), 0),
    hubIdleSeconds: number("--hub-idle", str("hub-idle"), 600),
    printOnly: values.print === true,
  };
}

function tokenCommand(store: TokenStore, action: string | undefined, args: string[], user: string | undefined): void {
  switch (action) {
    case "create": {
      if (!user) fail("token create needs --user NAME");
      const { token, record } = store.create(user);
      process.stderr.write(`Token ${record.id} for user ${record.user}. It is shown only now; keep it secret.\n`);
      process.stdout.write(`${token}\n`);
      return;
    }
    case "list":
      for (const t of store.list()) process.stdout.write(`${t.id}\t${t.user}\t${t.created_at}\n`);
      return;
    case "revoke":
      if (!args[0]) fail("token revoke needs the token's id (see token list)");
      if (!store.revoke(args[0])) fail(`no token with id ${args[0]}`);
      process.stderr.write(`Revoked ${args[0]}.\n`);
      return;
    default:
      fail(`token create | list | revoke, got ${action ?? "nothing"}`);
  }
}

async function main(): Promise<void> {
  const own = OWN_COMMANDS[process.argv[2] ?? ""];
  if (own) return void (process.exitCode = await own(process.argv.slice(3)));
  let parsed: Parsed;
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
    case "token":
      return tokenCommand(new TokenStore(config.dataDir), parsed.args[0], parsed.args.slice(1), parsed.user);
    case "serve": {
      const invalid = validateConfig(config);
      if (invalid) fail(invalid);
      const app = createApp(config, log);
      const port = await app.listen();
      await announcePage(app.page, config, port, log);
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
    case "open":
      return openPage(config, parsed.printOnly);
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
