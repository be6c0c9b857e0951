export { createApp, ADDON_PATH, MCP_PATH, HEALTH_PATH } from "./app.js";
export type { App } from "./app.js";
export { DEFAULT_CONFIG, DEFAULT_PORT, LOCAL_USER } from "./config.js";
export type { Config } from "./config.js";
export { createLogger } from "./log.js";
export type { Logger, LogLevel } from "./log.js";
