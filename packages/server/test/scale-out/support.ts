/** A real redis-server and a round-robin TCP "load balancer" for the scale-out tests. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}

/** Why the tests cannot run here, or null; REQUIRE_REDIS=1 turns a missing redis-server into a failure. */
export function redisSkipReason(): string | null {
  const found = spawnSync("redis-server", ["--version"]).status === 0;
  if (found) return null;
  if (process.env.REQUIRE_REDIS === "1") throw new Error("REQUIRE_REDIS=1 but redis-server is not installed (apt-get install redis-server)");
  return "redis-server is not installed (apt-get install redis-server); set REQUIRE_REDIS=1 to fail instead";
}

export interface RedisProcess {
  url: string;
  stop(): Promise<void>;
}

/** Resolves once redis-server says it accepts connections; nothing persisted. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.includes("Ready to accept connections")) resolve();
    });
    void exited.then(([code]) => reject(new Error(`redis-server exited (${code}) before it was ready`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

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
