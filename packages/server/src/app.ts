/**
 * The server: one HTTP(S) listener with Streamable HTTP MCP at /mcp, the
 * addon WebSocket at /addon and GET /health, around one Hub of per-user
 * buses. Every request to /mcp and /addon passes the same gate: browser
 * checks (Origin, Host), then the bearer token, then the limits.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { PACKAGE_VERSION, PROTOCOL_VERSION, type Health } from "@blender-mcp/protocol";
import { AddonSocketServer } from "./addon/socket.js";
import { Authenticator } from "./auth/authenticator.js";
import { RateLimiter } from "./auth/rate-limit.js";
import { TokenStore } from "./auth/tokens.js";
import { Hub } from "./bus/hub.js";
import { JobStore } from "./bus/job-store.js";
import { jobStorePath, LOCAL_USER, type Config } from "./config.js";
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
  /** The token store, or null with auth "none". */
  tokens: TokenStore | null;
  /** Resolves with the bound port; rejects with the listen error. */
  listen(): Promise<number>;
  /** Calls onIdle once nothing (no MCP session, no addon) has been connected for idleMs. */
  whenIdle(idleMs: number, onIdle: () => void): void;
  close(): Promise<void>;
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null }));
}

export function createApp(config: Config, log: Logger = createLogger(config.logLevel)): App {
  const limits = config.limits;
  const store = new JobStore(jobStorePath(config));
  const hub = new Hub(
    {
      jobTtlMs: config.jobTtlSeconds * 1000,
      maxFinishedJobs: config.maxFinishedJobs,
      maxJobsPerUser: limits.maxJobsPerUser,
      maxJobsPerClient: limits.maxJobsPerClient,
      maxScriptBytes: limits.maxScriptBytes,
    },
    store,
    log,
  );
  const adopted = hub.recover(config.lostGraceSeconds * 1000);
  if (adopted > 0) log.info("jobs.recovered", { jobs: adopted, grace_seconds: config.lostGraceSeconds });
  // Bounded passes: a backlog of old jobs is worked off a slice at a time.
  const pruner = setInterval(() => store.prune(new Date(Date.now() - config.jobTtlSeconds * 1000), 1000), 60_000);
  pruner.unref();
  const addons = new AddonSocketServer(
    hub,
    {
      heartbeatSeconds: config.heartbeatSeconds,
      helloTimeoutMs: config.helloTimeoutMs,
      maxMessageBytes: limits.maxMessageBytes,
      maxResultBytes: limits.maxResultBytes,
      maxAddonsPerUser: limits.maxAddonsPerUser,
      framesPerSecond: limits.framesPerSecond,
    },
    log,
  );
  const mcp = new McpHttpEndpoint(hub, { maxBodyBytes: limits.maxBodyBytes, maxSessionsPerUser: limits.maxSessionsPerUser }, log);
  const tokens = config.auth === "token" ? new TokenStore(config.dataDir) : null;
  if (tokens) tokens.ensureLocalToken(LOCAL_USER);
  const auth = new Authenticator(tokens);
  const requests = new RateLimiter(limits.requestsPerSecond);
  const policy: OriginPolicy = { allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins };
  const started = Date.now();
  let idleWatch: (() => void) | null = null;
  mcp.onChange = addons.onChange = () => idleWatch?.();
  let closePlane = async () => {};
  // Imported only when asked for: a single process loads no Redis client at all.
  const joinPlane = async () => {
    if (config.redisUrl === null) return;
    const { RedisBackplane } = await import("./bus/redis-backplane.js");
    const plane = new RedisBackplane(
      { url: config.redisUrl, jobTtlMs: config.jobTtlSeconds * 1000, lostGraceMs: config.lostGraceSeconds * 1000 },
      log,
    );
    hub.useBackplane(plane);
    await plane.start(hub);
    closePlane = () => plane.close();
  };

  const health = (res: ServerResponse) => {
    const stats = hub.stats();
    const body: Health = {
      status: "ok",
      version: PACKAGE_VERSION,
      protocol_version: PROTOCOL_VERSION,
      clients: stats.clients,
      jobs_in_flight: stats.jobsInFlight,
      uptime_seconds: (Date.now() - started) / 1000,
      pid: process.pid,
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === HEALTH_PATH && req.method === "GET") return health(res);
    if (path !== MCP_PATH) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    const browser = checkRequest(req.headers, policy);
    if (browser) {
      log.warn("http.refused", { path, reason: browser });
      return refuse(res, 403, browser);
    }
    const who = auth.authenticate(req.headers);
    if (!who.ok) {
      log.warn("http.unauthorized", { path, reason: who.reason });
      return refuse(res, 401, who.reason, { "www-authenticate": 'Bearer realm="blender-mcp"' });
    }
    const wait = requests.take(who.identity.key);
    if (wait > 0) {
      log.warn("http.rate_limited", { user_id: who.identity.user });
      return refuse(res, 429, `too many requests: over ${limits.requestsPerSecond} a second for this token (--requests-per-second)`, {
        "retry-after": String(Math.ceil(wait)),
      });
    }
    mcp.handle(req, res, who.identity.user).catch((error: Error) => {
      log.error("mcp.request_failed", { error: error.message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  const server: Server =
    config.tlsCert && config.tlsKey
      ? createHttpsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, handle)
      : createHttpServer(handle);

  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "/").split("?")[0];
    const refusal = path === ADDON_PATH ? checkRequest(req.headers, policy) : "not found";
    if (refusal) {
      log.warn("addon.upgrade_refused", { path, reason: refusal });
      socket.end(`HTTP/1.1 ${path === ADDON_PATH ? "403 Forbidden" : "404 Not Found"}\r\nConnection: close\r\n\r\n`);
      return;
    }
    addons.handleUpgrade(req, socket, head, auth.authenticate(req.headers));
  });

  const scheme = config.tlsCert ? "https" : "http";
  return {
    hub,
    log,
    mcp,
    tokens,
    listen: async () => {
      await joinPlane();
      return new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          server.off("error", reject);
          const port = (server.address() as AddressInfo).port;
          const ws = scheme === "https" ? "wss" : "ws";
          log.info("server.listening", {
            host: config.host,
            port,
            auth: config.auth,
            mcp: `${scheme}://${config.host}:${port}${MCP_PATH}`,
            addon: `${ws}://${config.host}:${port}${ADDON_PATH}`,
          });
          resolve(port);
        });
      });
    },
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
      clearInterval(pruner);
      await mcp.close();
      await addons.close();
      await closePlane();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
