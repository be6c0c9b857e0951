/**
 * `blender-mcp stdio`: for MCP clients that launch their servers. Several
 * such processes (two Claude Desktop windows, Claude Desktop beside Claude
 * Code) must reach the same Blenders, so none of them holds the bus itself:
 * - each relays its stdio session, message for message, to the hub's /mcp;
 * - the hub is a `blender-mcp serve` on the port: one the user runs, or,
 *   if none answers, one this process starts detached, which exits by itself
 *   once no MCP session and no Blender has been connected for a while.
 * A client's process can then come and go (clients end stdio servers with
 * SIGTERM) without taking the bus from anyone else.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { Health } from "@blender-mcp/protocol";
import { HEALTH_PATH, MCP_PATH } from "./app.js";
import { readLocalToken } from "./auth/tokens.js";
import { scopedFetch } from "./http/scoped-fetch.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";

export interface StdioOptions {
  /** How long a hub this process starts lingers with nobody connected. */
  hubIdleSeconds: number;
}

function baseUrl(config: Config): string {
  const host = config.host === "0.0.0.0" ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

async function probe(base: string): Promise<Health | null> {
  try {
    const parsed = Health.safeParse(await (await fetch(`${base}${HEALTH_PATH}`)).json());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Starts a detached hub and resolves once it listens; if another process won the port meanwhile, that is fine too. */
async function startHub(config: Config, options: StdioOptions, log: Logger): Promise<void> {
  const logFile = join(tmpdir(), `blender-mcp-hub-${config.port}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    [
      process.argv[1]!,
      "serve",
      "--host",
      config.host,
      "--port",
      String(config.port),
      "--log-level",
      config.logLevel,
      "--exit-when-idle",
      String(options.hubIdleSeconds),
      "--data-dir",
      config.dataDir,
      "--auth",
      config.auth,
    ],
    { detached: true, stdio: ["ignore", "ignore", fd, "ipc"] },
  );
  closeSync(fd);
  child.unref();
  log.info("stdio.hub_starting", { pid: child.pid, log_file: logFile });
  await new Promise<void>((resolve) => {
    // The hub says "listening" over IPC; if it exits instead (the port was taken), whoever took it is probed next.
    child.once("message", () => resolve());
    child.once("exit", () => resolve());
  });
  child.disconnect?.();
}

export async function runStdio(config: Config, options: StdioOptions, log: Logger): Promise<void> {
  const base = baseUrl(config);
  let health = await probe(base);
  if (!health) {
    await startHub(config, options, log);
    health = await probe(base);
  }
  if (!health) {
    throw new Error(`nothing answers as blender-mcp on ${base} and no hub could start there; is the port used by something else? pick another with --port`);
  }
  // stdio acts as the local user: its token is the one in the local token file.
  const token = config.auth === "token" ? readLocalToken(config.dataDir) : null;
  return relay(new URL(`${base}${MCP_PATH}`), token, health, log);
}

async function relay(url: URL, token: string | null, hub: Health, log: Logger): Promise<void> {
  log.info("stdio.attached", { url: url.href, hub_pid: hub.pid, hub_version: hub.version });
  const upstream = new StreamableHTTPClientTransport(url, {
    fetch: scopedFetch,
    ...(token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
  });
  const downstream = new StdioServerTransport();
  let initializeId: RequestId | null = null;

  downstream.onmessage = (message: JSONRPCMessage) => {
    if ("method" in message && message.method === "initialize" && "id" in message) initializeId = message.id;
    upstream.send(message).catch((error: Error) => {
      log.error("stdio.relay_failed", { error: error.message });
      if ("id" in message && "method" in message) {
        void downstream.send({ jsonrpc: "2.0", id: message.id, error: { code: -32603, message: `the blender-mcp hub is unreachable: ${error.message}` } });
      }
    });
  };
  upstream.onmessage = (message: JSONRPCMessage) => {
    // The relay is the HTTP client, so it must carry the negotiated version on later requests.
    if ("id" in message && message.id === initializeId && "result" in message) {
      upstream.setProtocolVersion(String((message.result as { protocolVersion?: string }).protocolVersion));
    }
    void downstream.send(message);
  };
  upstream.onerror = (error) => log.warn("stdio.upstream_error", { error: error.message });

  let leaving = false;
  const leave = async () => {
    if (leaving) return;
    leaving = true;
    // Ending the HTTP session lets the hub forget it now rather than never.
    await upstream.terminateSession().catch(() => {});
    await upstream.close().catch(() => {});
    process.exit(0);
  };
  downstream.onclose = () => void leave();
  process.stdin.on("end", () => void leave());
  process.on("SIGINT", () => void leave());
  process.on("SIGTERM", () => void leave());
  await upstream.start();
  await downstream.start();
}
