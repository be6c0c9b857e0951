/** A real redis-server (shared with the scale-out benchmark) and a round-robin TCP "load balancer" for the scale-out tests. */
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";

export { freePort, redisSkipReason, startRedis, type RedisProcess } from "@blender-mcp/test-support/redis";

/**
 * Each new connection goes to the next backend in turn; a backend that
 * refuses is skipped, as a load balancer's health check would.
 */
export async function startBalancer(backends: number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const pick = (client: Socket, tries: number) => {
    if (tries >= backends.length) return client.destroy();
    const port = backends[next++ % backends.length]!;
    const upstream = connect(port, "127.0.0.1");
    let connected = false;
    sockets.add(upstream);
    upstream.on("error", () => {
      sockets.delete(upstream);
      if (!connected) pick(client, tries + 1);
      else client.destroy();
    });
    upstream.once("connect", () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      upstream.on("close", () => client.destroy());
      client.on("close", () => upstream.destroy());
      client.resume();
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.on("error", () => client.destroy());
    client.on("close", () => sockets.delete(client));
    pick(client, 0);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}
