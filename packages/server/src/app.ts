/**
 * The server: one HTTP(S) listener with MCP at /mcp (Streamable HTTP, or a
 * WebSocket upgrade), the addon WebSocket at /addon and GET /health, around
 * one Hub of per-user buses. Every request to /mcp and /addon passes the
 * same gate: browser checks (Origin, Host), then the bearer token, then the
 * limits.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { AUTH_HEADER, AUTH_SCHEME, PACKAGE_VERSION, PROTOCOL_VERSION, type Health } from "@blender-mcp/protocol";
import { AddonSocketServer } from "./addon/socket.js";
import { Authenticator, type Identity } from "./auth/authenticator.js";
import { HandshakeAuthority } from "./auth/handshake.js";
import { RateLimiter } from "./auth/rate-limit.js";
import { TokenStore } from "./auth/tokens.js";
import { Hub } from "./bus/hub.js";
import { JobStore } from "./bus/job-store.js";
import { jobStorePath, LOCAL_USER, type Config } from "./config.js";
import { serveExtensions } from "./http/extensions.js";
import { removeStoreIfEmpty, sweepStaleStores } from "./job-store-files.js";
import { checkRequest, type OriginPolicy } from "./http/origin.js";
import { guardSlowClients } from "./http/slow-clients.js";
import { createLogger, type Logger } from "./log.js";
import { McpHttpEndpoint } from "./mcp/http.js";
import { SessionRegistry } from "./mcp/sessions.js";
import { createPage, type Page } from "./page/index.js";
import { McpWebSocketEndpoint, type Admit } from "./mcp/websocket.js";

export const ADDON_PATH = "/addon";
export const MCP_PATH = "/mcp";
export const HEALTH_PATH = "/health";

export interface App {
  hub: Hub;
  log: Logger;
  sessions: SessionRegistry;
  /** The token store, or null with auth "none". */
  tokens: TokenStore | null;
  /** The live page at / (one-time links, cookie sessions, its event stream). */
  page: Page;
  /** Resolves with the bound port; rejects with the listen error. */
  listen(): Promise<number>;
  /** Serves a connection made in-process (one end of an in-memory link) as the listener serves one it accepted. */
  connect(socket: Duplex): void;
  /** Calls onIdle once nothing (no MCP session, no addon) has been connected for idleMs. */
  whenIdle(idleMs: number, onIdle: () => void): void;
  close(): Promise<void>;
}

type Gate = { ok: true; identity: Identity } | { ok: false; status: number; message: string; headers: Record<string, string> };

const refusalBody = (message: string) => JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message }, id: null });

function refuse(res: ServerResponse, refused: Extract<Gate, { ok: false }>): void {
  res.writeHead(refused.status, { "content-type": "application/json", ...refused.headers }).end(refusalBody(refused.message));
}

/** The same refusal on a socket that asked to upgrade, before any WebSocket exists. */
function refuseUpgrade(socket: Duplex, refused: Extract<Gate, { ok: false }>): void {
  const body = refusalBody(refused.message);
  const headers = Object.entries({ ...refused.headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), connection: "close" });
  socket.end(`HTTP/1.1 ${refused.status} ${STATUS_CODES[refused.status]}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body}`);
}

export function createApp(config: Config, log: Logger = createLogger(config.logLevel)): App {
  const limits = config.limits;
  const storePath = jobStorePath(config);
  const store = new JobStore(storePath);
  sweepStaleStores(config.dataDir, storePath, config.jobTtlSeconds * 1000);
  const hub = new Hub(
    {
      jobTtlMs: config.jobTtlSeconds * 1000,
      maxFinishedJobs: config.maxFinishedJobs,
      maxJobsPerUser: limits.maxJobsPerUser,
      maxJobsPerClient: limits.maxJobsPerClient,
      maxScriptBytes: limits.maxScriptBytes,
      rendersDir: join(config.dataDir, "renders"),
    },
    store,
    log,
  );
  const adopted = hub.recover(config.lostGraceSeconds * 1000);
  if (adopted > 0) log.info("jobs.recovered", { jobs: adopted, grace_seconds: config.lostGraceSeconds });
  // Bounded passes: a backlog of old jobs is worked off a slice at a time.
  const pruner = setInterval(() => store.prune(new Date(Date.now() - config.jobTtlSeconds * 1000), 1000), 60_000);
  pruner.unref();
  // The store proves the server to clients even with --auth none, which only stops asking clients for tokens.
  const tokenStore = new TokenStore(config.dataDir);
  tokenStore.ensureLocalToken(LOCAL_USER);
  const tokens = config.auth === "token" ? tokenStore : null;
  const authority = new HandshakeAuthority(tokenStore, config.auth === "none");
  const handshakeMs = config.handshakeTimeoutSeconds * 1000;
  const addons = new AddonSocketServer(
    hub,
    {
      heartbeatSeconds: config.heartbeatSeconds,
      helloTimeoutMs: config.helloTimeoutMs,
      authTimeoutMs: handshakeMs,
      maxMessageBytes: limits.maxMessageBytes,
      maxResultBytes: limits.maxResultBytes,
      maxAddonsPerUser: limits.maxAddonsPerUser,
      framesPerSecond: limits.framesPerSecond,
    },
    authority,
    log,
  );
  const sessions = new SessionRegistry(limits.maxSessionsPerUser);
  const mcp = new McpHttpEndpoint(hub, sessions, { maxBodyBytes: limits.maxBodyBytes, toolsets: config.toolsets, sessionIdleSeconds: config.sessionIdleSeconds }, log);
  const mcpSockets = new McpWebSocketEndpoint(hub, sessions, { maxBodyBytes: limits.maxBodyBytes, heartbeatSeconds: config.heartbeatSeconds, toolsets: config.toolsets }, log);
  const auth = new Authenticator(tokens);
  const requests = new RateLimiter(limits.requestsPerSecond);
  const policy: OriginPolicy = { allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins, tls: Boolean(config.tlsCert && config.tlsKey) };
  const page = createPage({ hub, auth, policy, log, scheme: config.tlsCert ? "https" : "http" });
  const started = Date.now();
  let idleWatch: (() => void) | null = null;
  sessions.onChange = addons.onChange = () => idleWatch?.();
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
    page.shareSessions(plane.pageRecords);
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

  /** Browser checks, then the token, then the rate limit: every request to /mcp, and every message on its WebSocket. */
  const gate = (req: IncomingMessage): Gate => {
    const path = (req.url ?? "/").split("?")[0];
    const browser = checkRequest(req.headers, policy);
    if (browser) {
      log.warn("http.refused", { path, reason: browser });
      return { ok: false, status: 403, message: browser, headers: {} };
    }
    const who = auth.authenticate(req.headers);
    if (!who.ok) {
      log.warn("http.unauthorized", { path, reason: who.reason });
      return { ok: false, status: 401, message: who.reason, headers: { "www-authenticate": 'Bearer realm="blender-mcp"' } };
    }
    const wait = requests.take(who.identity.key);
    if (wait > 0) {
      log.warn("http.rate_limited", { user_id: who.identity.user });
      const message = `too many requests: over ${limits.requestsPerSecond} a second for this token (--requests-per-second)`;
      return { ok: false, status: 429, message, headers: { "retry-after": String(Math.ceil(wait)) } };
    }
    return who;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === HEALTH_PATH && req.method === "GET") return health(res);
    if (serveExtensions(req, res)) return;
    if (page.handles(path)) return page.handle(req, res);
    if (path !== MCP_PATH) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    const passed = gate(req);
    if (!passed.ok) return refuse(res, passed);
    mcp.handle(req, res, passed.identity.user).catch((error: Error) => {
      log.error("mcp.request_failed", { error: error.message });
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  /** The relay's door: no token in the upgrade; the handshake in the first frames, then the same limits per message. */
  const upgradeMcpByHandshake = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const browser = checkRequest(req.headers, policy);
    if (browser) return refuseUpgrade(socket, { ok: false, status: 403, message: browser, headers: {} });
    mcpSockets.handleHandshakeUpgrade(req, socket, head, authority, handshakeMs, (identity, tokenId) => ({
      refusal: sessions.refusal(identity.user),
      admit: () => {
        if (!authority.stillValid(tokenId)) return { reason: "invalid or revoked token", fatal: true };
        const wait = requests.take(identity.key);
        return wait > 0 ? { reason: `too many requests: over ${limits.requestsPerSecond} a second for this token (--requests-per-second)`, fatal: false } : null;
      },
    }));
  };

  /** A WebSocket session: the gate at the upgrade, then again at each message (a revoke ends the session). */
  const upgradeMcp = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (req.headers[AUTH_HEADER] === AUTH_SCHEME && !req.headers.authorization) return upgradeMcpByHandshake(req, socket, head);
    const passed = gate(req);
    if (!passed.ok) return refuseUpgrade(socket, passed);
    const userId = passed.identity.user;
    const full = sessions.refusal(userId);
    if (full) return refuseUpgrade(socket, { ok: false, status: 429, message: full, headers: {} });
    const admit: Admit = () => {
      const again = gate(req);
      return again.ok ? null : { reason: again.message, fatal: again.status !== 429 };
    };
    mcpSockets.handleUpgrade(req, socket, head, userId, admit);
  };

  const server: Server =
    config.tlsCert && config.tlsKey
      ? createHttpsServer({ cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }, handle)
      : createHttpServer(handle);

  guardSlowClients(server, { timeoutMs: handshakeMs, maxPendingPerAddress: config.maxPendingPerAddress }, log);

  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === MCP_PATH) return upgradeMcp(req, socket, head);
    const refusal = path === ADDON_PATH ? checkRequest(req.headers, policy) : "not found";
    if (refusal) {
      log.warn("addon.upgrade_refused", { path, reason: refusal });
      socket.end(`HTTP/1.1 ${path === ADDON_PATH ? "403 Forbidden" : "404 Not Found"}\r\nConnection: close\r\n\r\n`);
      return;
    }
    addons.handleUpgrade(req, socket, head);
  });

  const scheme = config.tlsCert ? "https" : "http";
  return {
    hub,
    log,
    sessions,
    tokens,
    page,
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
    connect: (socket) => void server.emit("connection", socket),
    whenIdle: (idleMs, onIdle) => {
      let timer: NodeJS.Timeout | null = null;
      idleWatch = () => {
        if (timer) clearTimeout(timer);
        timer = sessions.size === 0 && addons.connectionCount === 0 ? setTimeout(onIdle, idleMs) : null;
      };
      idleWatch();
    },
    close: async () => {
      idleWatch = null;
      clearInterval(pruner);
      page.close();
      await sessions.closeAll();
      mcpSockets.close();
      await mcp.close();
      await addons.close();
      await closePlane();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
      removeStoreIfEmpty(storePath);
    },
  };
}
