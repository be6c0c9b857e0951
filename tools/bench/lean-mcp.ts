/**
 * A minimal MCP client for load generation: initialize, then tools/call, over
 * Streamable HTTP (keep-alive, with the standalone GET event stream held open
 * as the SDK client does, so the server does the same notification work),
 * over stdio, or over the hub's MCP WebSocket (as `blender-mcp stdio` relays
 * to it). It skips the SDK client's schema work so that on two cores the
 * load generator leaves the CPU to the server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request, type IncomingMessage } from "node:http";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import { AUTH_HEADER, AUTH_SCHEME, authenticateSocket } from "@blender-mcp/protocol";

const PROTOCOL_VERSION = "2025-11-25";
/**
 * The revision a connection speaks: legacy 2025-11-25 (initialize, a session) or modern 2026-07-28 (no
 * initialize, no session; the per-request _meta envelope and headers). BENCH_MCP_ERA=modern makes modern
 * the default, for a profile run.
 */
export type Era = "legacy" | "modern";
export const ERAS: readonly Era[] = ["legacy", "modern"];
export const ERA_LABEL: Record<Era, string> = { legacy: "2025-11-25", modern: "2026-07-28" };
const DEFAULT_ERA: Era = process.env.BENCH_MCP_ERA === "modern" ? "modern" : "legacy";
const MODERN_VERSION = "2026-07-28";
const envelope = {
  "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1.0.0" },
};
const modernParams = (params: Record<string, unknown>) => ({ ...params, _meta: envelope });

export interface McpConnection {
  /** The JSON-RPC result of tools/call; throws on a JSON-RPC error. */
  call(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

export interface ToolResult {
  content: { type: string; text?: string; data?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

interface RpcReply {
  id?: number;
  result?: unknown;
  error?: { code: number; message: string };
}

const initialize = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1.0.0" } },
});

function unwrap(reply: RpcReply): unknown {
  if (reply.error) throw new Error(`JSON-RPC error ${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}

// One agent per process: sessions share keep-alive sockets as browsers and the SDK do.
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function post(url: URL, headers: Record<string, string>, body: unknown): Promise<{ res: IncomingMessage; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          ...headers,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ res, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The reply with this id from a JSON body or an event stream (which may carry notifications first). */
function replyFrom(text: string, contentType: string | undefined, id: number): RpcReply {
  if (contentType?.startsWith("application/json")) return JSON.parse(text) as RpcReply;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const message = JSON.parse(line.slice(5)) as RpcReply;
    if (message.id === id) return message;
  }
  throw new Error(`no reply ${id} in: ${text.slice(0, 300)}`);
}

export async function connectHttp(url: string | URL, token: string | null = null, era: Era = DEFAULT_ERA): Promise<McpConnection> {
  const endpoint = new URL(url);
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let nextId = 0;
  if (era === "modern") {
    return {
      async call(name, args) {
        const id = nextId++;
        const headers = { ...auth, "mcp-protocol-version": MODERN_VERSION, "mcp-method": "tools/call", "mcp-name": name };
        const { res, text } = await post(endpoint, headers, { jsonrpc: "2.0", id, method: "tools/call", params: modernParams({ name, arguments: args }) });
        return unwrap(replyFrom(text, res.headers["content-type"], id)) as ToolResult;
      },
      async close() {},
    };
  }
  const init = await post(endpoint, auth, initialize(nextId));
  unwrap(replyFrom(init.text, init.res.headers["content-type"], nextId++));
  const sessionId = init.res.headers["mcp-session-id"];
  if (typeof sessionId !== "string") throw new Error(`no session id (HTTP ${init.res.statusCode}: ${init.text.slice(0, 200)})`);
  const headers = { ...auth, "mcp-session-id": sessionId, "mcp-protocol-version": PROTOCOL_VERSION };
  await post(endpoint, headers, { jsonrpc: "2.0", method: "notifications/initialized" });

  const stream = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(endpoint, { method: "GET", agent, headers: { ...headers, accept: "text/event-stream" } }, resolve);
    req.on("error", reject);
    req.end();
  });
  stream.resume();
  stream.on("error", () => {});

  return {
    async call(name, args) {
      const id = nextId++;
      const { res, text } = await post(endpoint, headers, { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });
      return unwrap(replyFrom(text, res.headers["content-type"], id)) as ToolResult;
    },
    async close() {
      stream.destroy();
      await new Promise<void>((resolve) => {
        const req = request(endpoint, { method: "DELETE", agent, headers }, (res) => res.resume().on("end", resolve));
        req.on("error", () => resolve());
        req.end();
      });
    },
  };
}

/**
 * JSON-RPC over a channel that carries one message per line or frame:
 * initialize, then calls matched to replies by id.
 */
async function messageClient(send: (text: string) => void, onMessage: (handle: (text: string) => void) => void, era: Era) {
  const waiting = new Map<number, (reply: RpcReply) => void>();
  onMessage((text) => {
    if (!text.startsWith("{")) return;
    const message = JSON.parse(text) as RpcReply;
    if (typeof message.id === "number" && "method" in message === false) waiting.get(message.id)?.(message);
  });
  let nextId = 0;
  const rpc = (method: string, params: unknown, id = nextId++): Promise<unknown> =>
    new Promise((resolve, reject) => {
      waiting.set(id, (reply) => {
        waiting.delete(id);
        try {
          resolve(unwrap(reply));
        } catch (e) {
          reject(e);
        }
      });
      send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  if (era === "modern") {
    // The first message picks the connection's era.
    await rpc("server/discover", modernParams({}));
    return (name: string, args: Record<string, unknown>) => rpc("tools/call", modernParams({ name, arguments: args })) as Promise<ToolResult>;
  }
  await rpc("initialize", initialize(0).params);
  send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  return (name: string, args: Record<string, unknown>) => rpc("tools/call", { name, arguments: args }) as Promise<ToolResult>;
}

/** Spawns an MCP server speaking stdio and talks newline-delimited JSON-RPC to it. */
export async function connectStdio(command: string, args: string[], era: Era = DEFAULT_ERA): Promise<McpConnection & { child: ChildProcess }> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const call = await messageClient(
    (text) => child.stdin!.write(`${text}\n`),
    (handle) => createInterface({ input: child.stdout! }).on("line", handle),
    era,
  );
  return {
    child,
    call,
    async close() {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill("SIGTERM"), 2000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * The hub's MCP WebSocket (subprotocol "mcp", a message per frame): the door `blender-mcp stdio` relays through,
 * with the same auth handshake (the hub proves itself first; the token is never sent).
 */
export async function connectWebSocket(url: string | URL, token: string | null = null, era: Era = DEFAULT_ERA): Promise<McpConnection> {
  const ws = new WebSocket(url, "mcp", { perMessageDeflate: false, headers: { [AUTH_HEADER]: AUTH_SCHEME } });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  await authenticateSocket(ws, token ?? "", "mcp", String(url));
  const call = await messageClient(
    (text) => ws.send(text),
    (handle) => ws.on("message", (data) => handle(data.toString())),
    era,
  );
  return {
    call,
    async close() {
      ws.close();
      await new Promise((resolve) => ws.once("close", resolve));
    },
  };
}
