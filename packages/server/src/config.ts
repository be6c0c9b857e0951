/** Every knob in one typed object; defaults here, overrides from flags and environment in cli.ts. */
import { join } from "node:path";
import { defaultDataDir } from "./auth/data-dir.js";
import type { LogLevel } from "./log.js";

export interface Limits {
  /** Largest WebSocket message from an addon (screenshots travel as base64). */
  maxMessageBytes: number;
  /** Largest MCP request body. */
  maxBodyBytes: number;
  /** Largest job result accepted from Blender. */
  maxResultBytes: number;
  /** Largest script (job_dispatch) or code (execute_code) sent to Blender. */
  maxScriptBytes: number;
  maxJobsPerUser: number;
  maxJobsPerClient: number;
  maxAddonsPerUser: number;
  maxSessionsPerUser: number;
  /** MCP requests a second per token (bursts to twice that); 0 turns the limit off. */
  requestsPerSecond: number;
  /** Messages a second per addon connection; a peer over it is disconnected. 0 turns it off. */
  framesPerSecond: number;
}

export interface Config {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logLevel: LogLevel;
  heartbeatSeconds: number;
  /** A Streamable HTTP session (2025-11-25) with no request and no open stream this long is closed; 0 never. */
  sessionIdleSeconds: number;
  helloTimeoutMs: number;
  /** A connection must send its request (or upgrade) within this, and an upgraded one complete the auth handshake. */
  handshakeTimeoutSeconds: number;
  /** Connections from one address that have not yet sent a request; over this the oldest is closed. */
  maxPendingPerAddress: number;
  limits: Limits;
  /** Finished jobs are kept this long (in memory for late replies, in the job store for blender_get_job). */
  jobTtlSeconds: number;
  /** Finished jobs kept in memory per user; the job store keeps them all until jobTtlSeconds. */
  maxFinishedJobs: number;
  /** SQLite file of the job store; null: <dataDir>/jobs-<port>.sqlite, or in memory on port 0. */
  jobStore: string | null;
  /** After a restart, how long a Blender has to report on a job it was running before the job is lost. */
  lostGraceSeconds: number;
  allowedHosts: string[];
  allowedOrigins: string[];
  /** "token": /mcp and /addon need a bearer token. "none": everyone is the local user (loopback only). */
  auth: "token" | "none";
  /** Token store and local token file. */
  dataDir: string;
  tlsCert: string | null;
  tlsKey: string | null;
  /** Share users' buses with other server processes through this Redis; null: this process alone. */
  redisUrl: string | null;
  /** The tool groups a session advertises unless its request names others (resolveToolsets); null: the core. */
  toolsets: string | null;
}

/** 9876 is taken by other Blender MCP addons. */
export const DEFAULT_PORT = 9860;
/** Until tokens arrive, everyone on a server is the one local user. */
export const LOCAL_USER = "local";

export const DEFAULT_CONFIG: Config = {
  host: "127.0.0.1",
  port: DEFAULT_PORT,
  logLevel: "info",
  heartbeatSeconds: 15,
  sessionIdleSeconds: 900,
  helloTimeoutMs: 10_000,
  handshakeTimeoutSeconds: 5,
  maxPendingPerAddress: 128,
  limits: {
    maxMessageBytes: 64 * 1024 * 1024,
    maxBodyBytes: 16 * 1024 * 1024,
    maxResultBytes: 48 * 1024 * 1024,
    maxScriptBytes: 1024 * 1024,
    maxJobsPerUser: 256,
    maxJobsPerClient: 128,
    maxAddonsPerUser: 32,
    maxSessionsPerUser: 64,
    requestsPerSecond: 200,
    framesPerSecond: 2000,
  },
  jobTtlSeconds: 3600,
  jobStore: null,
  lostGraceSeconds: 60,
  maxFinishedJobs: 10_000,
  allowedHosts: [],
  allowedOrigins: [],
  auth: "token",
  dataDir: defaultDataDir(),
  tlsCert: null,
  tlsKey: null,
  redisUrl: null,
  toolsets: null,
};

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith("127.");
}

/**
 * One job store per port, so two servers with the same data folder never
 * adopt each other's jobs; a server on an ephemeral port has nothing to
 * come back to and keeps its jobs in memory.
 */
export function jobStorePath(config: Config): string {
  // With Redis the shared record is the durable one; the local store only answers for this process's jobs.
  if (config.redisUrl !== null) return ":memory:";
  if (config.jobStore !== null) return config.jobStore === "memory" ? ":memory:" : config.jobStore;
  return config.port === 0 ? ":memory:" : join(config.dataDir, `jobs-${config.port}.sqlite`);
}

/** Settings that are unsafe together are refused, not silently corrected. */
export function validateConfig(config: Config): string | null {
  if (config.auth === "none" && !isLoopback(config.host)) {
    return `refusing to listen on ${config.host} without tokens: anyone who can reach it could run Python in your Blender. Drop --auth none, or bind to 127.0.0.1.`;
  }
  if ((config.tlsCert === null) !== (config.tlsKey === null)) return "--tls-cert and --tls-key go together";
  return null;
}
