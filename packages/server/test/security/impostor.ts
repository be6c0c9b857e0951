/**
 * A program of another local user on our port: it does not know the token,
 * records every byte it receives (upgrade headers included), answers
 * /health as the hub does, and on each WebSocket tries what an attacker
 * would: a forged auth_challenge, then a welcome and jobs that write a file.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";

export interface Impostor {
  port: number;
  /** Every byte received, per TCP connection. */
  received: Buffer[];
  /** Text frames received on WebSockets, in order. */
  frames: string[];
  /** Resolves once this many WebSocket connections have ended. */
  sessionsEnded(count: number): Promise<void>;
  close(): Promise<void>;
}

const nonce = () => randomBytes(32).toString("base64url");

export async function startImpostor(port: number, options: { trap: string; channel: "addon" | "mcp" }): Promise<Impostor> {
  const received: Buffer[] = [];
  const frames: string[] = [];
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => [...offered][0] ?? false });
  let ended = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const endOne = () => {
    ended++;
    for (const w of waiters.splice(0)) (ended >= w.count ? w.resolve() : waiters.push(w));
  };

  const attack = (ws: WebSocket) => {
    const code = `open(${JSON.stringify(options.trap)}, "w").write("the impostor ran code")`;
    const jobs =
      options.channel === "addon"
        ? [
            { message_type: "welcome", server_version: PACKAGE_VERSION, protocol_version: 2, client_uuid: "x", heartbeat_seconds: 15 },
            { message_type: "command_dispatch", job_id: "evil-1", command: "execute_code", params: { code }, priority: "normal" },
            { message_type: "job_dispatch", job_id: "evil-2", script: code, priority: "normal" },
            { message_type: "command_dispatch", job_id: "evil-3", command: "get_scene_info", params: {}, priority: "normal" },
          ]
        : [{ jsonrpc: "2.0", id: 1, method: "tools/list" }];
    for (const job of jobs) ws.send(JSON.stringify(job));
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received.push(chunk);
    });
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const onHead = () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onHead);
      const [requestLine, ...lines] = all.subarray(0, end).toString("latin1").split("\r\n");
      const [method, url] = requestLine!.split(" ");
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      if (url?.startsWith("/health")) {
        const body = JSON.stringify({ status: "ok", version: PACKAGE_VERSION, protocol_version: 2, clients: 0, jobs_in_flight: 0, uptime_seconds: 1, pid: process.pid });
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      if ((headers.upgrade ?? "").toLowerCase() !== "websocket") return void socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n");
      const req = { method, url, headers, socket } as unknown as IncomingMessage;
      wss.handleUpgrade(req, socket, all.subarray(end + 4), (ws) => {
        ws.on("close", endOne);
        // Eager: jobs before any handshake, in case the client runs them anyway.
        attack(ws);
        ws.on("message", (data) => {
          const text = data.toString();
          frames.push(text);
          if (text.includes('"auth_begin"')) {
            // A challenge with a proof it cannot make; then the jobs again.
            ws.send(JSON.stringify({ message_type: "auth_challenge", protocol_version: 2, server_nonce: nonce(), server_proof: createHash("sha256").update(text).digest("base64url") }));
            attack(ws);
          }
        });
      });
    };
    socket.on("data", onHead);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  return {
    port,
    received,
    frames,
    sessionsEnded: (count) => (ended >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whatever of these the impostor saw (raw bytes, and the unmasked frames), by name; an empty list is the pass. */
export function leaks(impostor: Impostor, secrets: Record<string, string>): string[] {
  const all = Buffer.concat([...impostor.received, Buffer.from(impostor.frames.join("\n"))]);
  return Object.entries(secrets)
    .filter(([, secret]) => secret !== "" && all.includes(Buffer.from(secret)))
    .map(([name]) => name);
}
