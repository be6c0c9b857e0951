/**
 * `blender-mcp stdio`: for MCP clients that launch their servers. Several
 * such processes (two Claude Desktop windows, Claude Desktop beside Claude
 * Code) must reach the same Blenders, so none of them holds the bus itself:
 * - each relays its stdio session, message for message, to the hub's /mcp
 *   over one WebSocket (subprotocol "mcp": a JSON-RPC message per frame,
 *   as on stdio a message per line), so the relay is a pipe that parses
 *   nothing;
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
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { AUTH_HEADER, AUTH_SCHEME, authenticateSocket, Health } from "@blender-mcp/protocol";
import { HEALTH_PATH, MCP_PATH } from "./app.js";
import { readLocalToken } from "./auth/tokens.js";
import type { Config } from "./config.js";
import type { Logger } from "./log.js";
import { MCP_SUBPROTOCOL } from "./mcp/websocket.js";

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
  // stdio acts as the local user: its token is the one in the local token file (the hub writes it even with --auth none),
  // unless BLENDER_MCP_TOKEN names another user's (a Claude Desktop bundle's token setting).
  const token = process.env.BLENDER_MCP_TOKEN?.trim() || readLocalToken(config.dataDir);
  if (!token) throw new Error(`no local token in ${config.dataDir}: the hub on ${base} did not write one there; is it using another --data-dir?`);
  const url = new URL(`${base.replace(/^http/, "ws")}${MCP_PATH}`);
  // The hub may have been started with other toolsets: a client that names its own gets them.
  if (config.toolsets !== null) url.searchParams.set("toolsets", config.toolsets);
  const upstream = await connect(url, token);
  log.info("stdio.attached", { url: upstream.url, hub_pid: health.pid, hub_version: health.version });
  relay(upstream, log);
}

/**
 * Opens the hub's MCP WebSocket and runs the auth handshake, in which the
 * hub proves it knows the token before anything is relayed; or fails with
 * the hub's own words for why not. The token itself is never sent.
 */
function connect(url: URL, token: string): Promise<WebSocket> {
  const ws = new WebSocket(url, MCP_SUBPROTOCOL, { perMessageDeflate: false, maxPayload: 0, headers: { [AUTH_HEADER]: AUTH_SCHEME } });
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      authenticateSocket(ws, token, "mcp", url.href).then(
        () => resolve(ws),
        (error: Error) => {
          ws.terminate();
          reject(error);
        },
      );
    });
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        let reason = body;
        try {
          reason = (JSON.parse(body) as { error: { message: string } }).error.message;
        } catch {
          // not the hub's JSON: its text is the reason
        }
        // A hub from before the handshake asks for the bearer token this relay no longer sends.
        const outdated = res.statusCode === 401 ? "; a hub older than this blender-mcp answers so: update and restart the server" : "";
        reject(new Error(`the blender-mcp hub at ${url.href} refused the connection (HTTP ${res.statusCode}): ${reason}${outdated}`));
      });
    });
  });
}

/**
 * Lines from the client go out as frames, frames from the hub come back as
 * lines. When the client reads slowly, the hub's socket waits for it. The
 * hub ending the connection ends this process: the client sees its server
 * go, as it would a local one's.
 */
function relay(upstream: WebSocket, log: Logger): void {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (line.trim() !== "") upstream.send(line);
  });
  // Frames that arrived in one read are still delivered after pause(): one drain listener per pause, not per frame.
  let paused = false;
  upstream.on("message", (data) => {
    if (!process.stdout.write(`${data.toString()}\n`) && !paused) {
      paused = true;
      upstream.pause();
      process.stdout.once("drain", () => {
        paused = false;
        upstream.resume();
      });
    }
  });
  let leaving = false;
  const leave = () => {
    if (leaving) return;
    leaving = true;
    // A close handshake ends the session on the hub at once; the process exits when it completes.
    upstream.once("close", () => process.exit(0));
    upstream.close(1000, "the MCP client closed stdio");
    setTimeout(() => process.exit(0), 2000).unref();
  };
  upstream.on("close", (code, reason) => {
    if (leaving) return;
    log.error("stdio.hub_closed", { code, reason: reason.toString() });
    // What was written still reaches the client before this process goes.
    process.stdout.end(() => process.exit(1));
  });
  upstream.on("error", (error) => log.warn("stdio.upstream_error", { error: error.message }));
  lines.on("close", leave);
  process.on("SIGINT", leave);
  process.on("SIGTERM", leave);
}
