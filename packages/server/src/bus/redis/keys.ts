/** What the backplane's parts share: Redis key names, Lua scripts, and reading another process's message. */
import { createHash } from "node:crypto";
import type { createClient } from "redis";
import { readBackplane, TERMINAL_JOB_STATES, type BackplaneMessageName, type BACKPLANE_MESSAGES } from "@blender-mcp/protocol";
import type { z } from "zod";
import type { Logger } from "../../log.js";

export type RedisClient = ReturnType<typeof createClient>;

export const K = {
  alive: (proc: string) => `bmcp:proc:${proc}`,
  procs: "bmcp:procs",
  users: "bmcp:users",
  clients: (user: string) => `bmcp:clients:${user}`,
  job: (user: string, jobId: string) => `bmcp:job:${user}:${jobId}`,
  /** Unfinished jobs a process originated: what a survivor adopts when it dies. */
  unfinished: (proc: string) => `bmcp:unfinished:${proc}`,
  claim: (proc: string) => `bmcp:claim:${proc}`,
  route: (proc: string) => `bmcp:route:${proc}`,
  registry: "bmcp:registry",
  events: (user: string) => `bmcp:events:${user}`,
  /** A live page's one-time code or session, by the SHA-256 of its secret. */
  page: (kind: "code" | "session", hash: string) => `bmcp:page:${kind}:${hash}`,
};

export const isTerminal = (status: string) => (TERMINAL_JOB_STATES as readonly string[]).includes(status);
export const member = (user: string, jobId: string) => JSON.stringify([user, jobId]);

/** A Lua script sent once and then run by its SHA-1; EVAL again whenever Redis has forgotten it (a restart). */
export class Script {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  run(client: RedisClient, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return client.evalSha(this.sha, options).catch((e: Error) => (/NOSCRIPT/.test(e.message) ? client.eval(this.source, options) : Promise.reject(e)));
  }
}

/**
 * Another process's message, checked against the protocol's schema: a
 * malformed one (a peer of another version, a stray PUBLISH) is logged and
 * dropped, and nothing it carried is acted on.
 */
export function readOrDrop<N extends BackplaneMessageName>(
  log: Logger,
  name: N,
  text: string,
  where: string,
): z.infer<(typeof BACKPLANE_MESSAGES)[N]> | undefined {
  const read = readBackplane(name, text);
  if (read.ok) return read.value;
  log.warn("backplane.malformed", { message: name, where, reason: read.reason });
  return undefined;
}

/** Fire-and-forget publish: a Redis outage is logged, never an unhandled rejection that ends the process. -1 when it failed. */
export function publish(log: Logger, via: RedisClient, channel: string, body: unknown): Promise<number> {
  return via.publish(channel, JSON.stringify(body)).catch((e: Error) => {
    log.warn("redis.publish_failed", { channel, error: e.message });
    return -1;
  });
}
