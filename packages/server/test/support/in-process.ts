/**
 * The server in the test's own process (src/in-process): the same app as a
 * `blender-mcp serve`, reached through in-memory links, with no process to
 * start and no port to find. Shaped like a ServerProcess for what tests
 * that run against either one read.
 */
import type { Duplex } from "node:stream";
import { createInProcessServer, type InProcessOptions } from "../../src/in-process/index.js";

/** What the contract suite needs of a server, in a process or in this one. */
export interface TestServer {
  mcpUrl: URL;
  addonUrl: string;
  baseUrl: string;
  token: string;
  dataDir: string;
  /** In-process servers: opens an in-memory connection (otherwise clients dial the URLs). */
  connect?: () => Duplex;
  /** In-process servers: fetch over in-memory connections (otherwise the global fetch). */
  fetch?: typeof fetch;
  stop(): Promise<void>;
}

export interface InProcessTestServer extends TestServer {
  connect: () => Duplex;
  fetch: typeof fetch;
  logs: Record<string, unknown>[];
}

export async function startInProcessServer(options: InProcessOptions = {}): Promise<InProcessTestServer> {
  const server = createInProcessServer(options);
  return {
    mcpUrl: server.mcpUrl,
    addonUrl: server.addonUrl,
    baseUrl: server.baseUrl,
    token: server.token,
    dataDir: server.dataDir,
    logs: server.logs,
    connect: server.connect,
    fetch: server.fetch,
    stop: server.close,
  };
}
