/**
 * The whole server in the calling process, reached through in-memory links
 * instead of a port: the same app (HTTP parser, gate, /mcp for both eras,
 * /addon WebSocket, hub, job store), only without the kernel's sockets. For
 * tests and benchmarks that should not pay for processes and loopback. It
 * joins no Redis (listen() does that, for a process).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { ADDON_PATH, createApp, HEALTH_PATH, MCP_PATH, type App } from "../app.js";
import { DEFAULT_CONFIG, validateConfig, type Config } from "../config.js";
import { createLogger, type LogLevel } from "../log.js";
import { fetchOver } from "./fetch.js";
import { memoryLink } from "./link.js";

export { fetchOver } from "./fetch.js";
export { memoryLink } from "./link.js";

/** The host the URLs name: loopback, as the gate expects of a local client; nothing dials it. */
const BASE_URL = "http://localhost";

export interface InProcessServer {
  app: App;
  baseUrl: string;
  mcpUrl: URL;
  addonUrl: string;
  healthUrl: string;
  /** The local user's token (auth "token"), or "" with auth "none". */
  token: string;
  dataDir: string;
  /** Every log line, parsed, as a process would have written them to stderr. */
  logs: Record<string, unknown>[];
  /** Opens a new in-memory connection to the server: the client's end. */
  connect(): Duplex;
  /** fetch for this server's URLs, over in-memory connections. */
  fetch: typeof fetch;
  close(): Promise<void>;
}

export interface InProcessOptions {
  /** Overrides of the defaults (port 0: the job store lives in memory; every tool, as tests want). */
  config?: Partial<Config>;
  logLevel?: LogLevel;
}

export function createInProcessServer(options: InProcessOptions = {}): InProcessServer {
  const ownDataDir = options.config?.dataDir === undefined;
  const dataDir = options.config?.dataDir ?? mkdtempSync(join(tmpdir(), "blender-mcp-data-"));
  const config: Config = { ...DEFAULT_CONFIG, port: 0, toolsets: "all", ...options.config, dataDir };
  const invalid = validateConfig(config);
  if (invalid) throw new Error(invalid);
  const logs: Record<string, unknown>[] = [];
  const log = createLogger(options.logLevel ?? config.logLevel, {}, (line) => void logs.push(JSON.parse(line) as Record<string, unknown>));
  const app = createApp(config, log);
  const connect = () => {
    const [client, server] = memoryLink();
    app.connect(server);
    return client;
  };
  return {
    app,
    baseUrl: BASE_URL,
    mcpUrl: new URL(`${BASE_URL}${MCP_PATH}`),
    addonUrl: `${BASE_URL.replace(/^http/, "ws")}${ADDON_PATH}`,
    healthUrl: `${BASE_URL}${HEALTH_PATH}`,
    token: config.auth === "token" ? readFileSync(join(dataDir, "local-token"), "utf8").trim() : "",
    dataDir,
    logs,
    connect,
    fetch: fetchOver(connect),
    close: async () => {
      await app.close();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
