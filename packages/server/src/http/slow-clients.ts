/**
 * Connections that open and then say nothing (or dribble their headers, or
 * stall in the TLS handshake) are closed after a few seconds, and no peer
 * address may hold more than a set number of them: over that, its oldest
 * is closed. Evicting the oldest rather than refusing the newest means a
 * flood from an address (loopback is shared by every local user) cannot
 * lock out a legitimate client, whose request arrives at once.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../log.js";

export interface SlowClientOptions {
  timeoutMs: number;
  maxPendingPerAddress: number;
}

export function guardSlowClients(server: Server, options: SlowClientOptions, log: Logger): void {
  const pending = new Map<string, Set<Socket>>();
  const served = new WeakMap<Socket, () => void>();
  let dropped = 0;
  const drop = (socket: Socket, reason: string) => {
    // One log line per burst, not per socket: the flood must not also flood the log.
    if (dropped++ % 100 === 0) log.warn("http.slow_client_closed", { reason, address: socket.remoteAddress, total: dropped });
    socket.destroy();
  };

  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    let set = pending.get(address);
    if (!set) pending.set(address, (set = new Set()));
    set.add(socket);
    if (options.maxPendingPerAddress > 0 && set.size > options.maxPendingPerAddress) {
      drop(set.values().next().value!, `over ${options.maxPendingPerAddress} pending connections from this address (--max-pending-per-address)`);
    }
    const timer = setTimeout(() => drop(socket, `no request within ${options.timeoutMs / 1000} s (--handshake-timeout)`), options.timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      set.delete(socket);
      if (set.size === 0 && pending.get(address) === set) pending.delete(address);
    };
    served.set(socket, settle);
    socket.once("close", settle);
  });

  // Over TLS the request arrives on the TLS socket, whose _parent is the TCP socket counted above.
  const settle = (socket: Socket) => {
    const raw = (socket as Socket & { _parent?: Socket })._parent ?? socket;
    served.get(raw)?.();
  };
  server.on("request", (req) => settle(req.socket));
  server.on("upgrade", (req) => settle(req.socket));
  // Node's own parser limit, for headers that do arrive but too slowly.
  server.headersTimeout = Math.max(options.timeoutMs, 1000);
}
