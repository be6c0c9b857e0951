/** Every knob in one typed object; defaults here, overrides from flags and environment in cli.ts. */
import type { LogLevel } from "./log.js";

export interface Config {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  logLevel: LogLevel;
  heartbeatSeconds: number;
  helloTimeoutMs: number;
  /** Largest WebSocket message from an addon (screenshots travel as base64). */
  maxMessageBytes: number;
  /** Largest MCP request body. */
  maxBodyBytes: number;
  jobTtlSeconds: number;
  maxFinishedJobs: number;
  allowedHosts: string[];
  allowedOrigins: string[];
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
  helloTimeoutMs: 10_000,
  maxMessageBytes: 64 * 1024 * 1024,
  maxBodyBytes: 16 * 1024 * 1024,
  jobTtlSeconds: 3600,
  maxFinishedJobs: 10_000,
  allowedHosts: [],
  allowedOrigins: [],
};
