/**
 * The server: one HTTP listener with Streamable HTTP MCP at /mcp, the addon
 * WebSocket at /addon and GET /health, around one Hub of per-user buses.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PACKAGE_VERSION, PROTOCOL_VERSION, type Health } from "@blender-mcp/protocol";
import { AddonSocketServer } from "./addon/socket.js";
import { Hub } from "./bus/hub.js";
import { LOCAL_USER, type Config } from "./config.js";
import { checkRequest, type OriginPolicy } from "./http/origin.js";
import { createLogger, type Logger } from "./log.js";
import { McpHttpEndpoint } from "./mcp/http.js";

export const ADDON_PATH = "/addon";
export const MCP_PATH = "/mcp";
export const HEALTH_PATH = "/health";

export interface App {
  hub: Hub;
  log: Logger;
  mcp: McpHttpEndpoint;
  /** Resolves with the bound port; rejects with the listen error (EADDRINUSE for stdio's attach). */
  listen(): Promise<number>;
  /** Calls onIdle once nothing (no MCP session, no addon) has been connected for idleMs. */
  whenIdle(idleMs: number, onIdle: () => void): void;
  close(): Promise<void>;
}

export function createApp(config: Config, log: Logger = createLogger(config.logLevel)): App {
  const hub = new Hub({ jobTtlMs: config.jobTtlSeconds * 1000, maxFinishedJobs: config.maxFinishedJobs }, log);
  const addons = new AddonSocketServer(
    hub,
    { heartbeatSeconds: config.heartbeatSeconds, helloTimeoutMs: config.helloTimeoutMs, maxMessageBytes: config.maxMessageBytes },
    log,
  );
  const mcp = new McpHttpEndpoint(hub, config.maxBodyBytes, log);
  const policy: OriginPolicy = { allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins };
  const started = Date.now();
  let idleWatch: (() => void) | null = null;
  mcp.onChange = addons.onChange = () => idleWatch?.();

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === HEALTH_PATH && req.method === "GET") {
      const stats = hub.stats();
      const health: Health = {
        status: "ok",
        version: PACKAGE_VERSION,
        protocol_version: PROTOCOL_VERSION,
        clients: stats.clients,
        jobs_in_flight: stats.jobsInFlight,
        uptime_seconds: (Date.now() - started) / 1000,
        pid: process.pid,
      };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(health));
      return;
    }
    if (path === MCP_PATH) {
      const refusal = checkRequest(req.headers, policy);
      if (refusal) {
        log.warn("http.refused", { path, reason: refusal });
        res.writeHead(403, { "content-type": "text/plain" }).end(refusal);
        return;
      }
      mcp.handle(req, res, LOCAL_USER).catch((error: Error) => {
        log.error("mcp.request_failed", { error: error.message });
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });

  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "/").split("?")[0];
    const refusal = path === ADDON_PATH ? checkRequest(req.headers, policy) : "not found";
    if (refusal) {
      log.warn("addon.upgrade_refused", { path, reason: refusal });
      socket.end(`HTTP/1.1 ${path === ADDON_PATH ? "403 Forbidden" : "404 Not Found"}\r\nConnection: close\r\n\r\n`);
      return;
    }
    addons.handleUpgrade(req, socket, head, LOCAL_USER);
  });

  return {
    hub,
    log,
    mcp,
    listen: () =>
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          const port = (server.address() as AddressInfo).port;
          log.info("server.listening", { host: config.host, port, mcp: `http://${config.host}:${port}${MCP_PATH}`, addon: `ws://${config.host}:${port}${ADDON_PATH}` });
          resolve(port);
        });
      }),
    whenIdle: (idleMs, onIdle) => {
      let timer: NodeJS.Timeout | null = null;
      idleWatch = () => {
        if (timer) clearTimeout(timer);
        timer = mcp.sessionCount === 0 && addons.connectionCount === 0 ? setTimeout(onIdle, idleMs) : null;
      };
      idleWatch();
    },
    close: async () => {
      idleWatch = null;
      await mcp.close();
      await addons.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
