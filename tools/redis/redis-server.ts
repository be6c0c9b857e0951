/**
 * A real redis-server on a free port, for the scale-out tests
 * (packages/server/test/scale-out) and the scale-out benchmark
 * (tools/bench/scaleout.ts): nothing persisted, killed when the process
 * that started it exits.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { assertTierHas } from "../test-tier.js";

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}

/** Why Redis cannot be used here, or null; REQUIRE_REDIS=1 turns a missing redis-server into a failure. */
export function redisSkipReason(): string | null {
  assertTierHas("redis");
  const found = spawnSync("redis-server", ["--version"]).status === 0;
  if (found) return null;
  if (process.env.REQUIRE_REDIS === "1") throw new Error("REQUIRE_REDIS=1 but redis-server is not installed (apt-get install redis-server)");
  return "redis-server is not installed (apt-get install redis-server); set REQUIRE_REDIS=1 to fail instead";
}

export interface RedisProcess {
  url: string;
  /** The redis-server's pid, for reading its CPU from /proc. */
  pid: number;
  stop(): Promise<void>;
}

/** Resolves once redis-server says it accepts connections; nothing persisted. */
export async function startRedis(): Promise<RedisProcess> {
  assertTierHas("redis");
  const port = await freePort();
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // A test or benchmark that dies half way must not leave a redis-server behind.
  const orphaned = () => child.kill("SIGKILL");
  process.on("exit", orphaned);
  const exited = once(child, "exit").finally(() => process.off("exit", orphaned));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.includes("Ready to accept connections")) resolve();
    });
    void exited.then(([code]) => reject(new Error(`redis-server exited (${code}) before it was ready`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
