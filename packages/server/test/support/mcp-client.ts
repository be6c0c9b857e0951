/** Real MCP clients (the SDK's Client over Streamable HTTP and stdio) with their bus notifications collected. */
import { EventEmitter, once } from "node:events";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { BUS_LOGGER, type BusEvent } from "@blender-mcp/protocol";
import { CLI, type ServerProcess } from "./server-process.js";

export type TransportKind = "http" | "stdio";

export class TestClient {
  readonly events: BusEvent[] = [];
  readonly updatedUris: string[] = [];
  private readonly emitter = new EventEmitter();

  constructor(readonly client: Client) {
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      if (n.params.logger !== BUS_LOGGER) return;
      const event = n.params.data as BusEvent;
      this.events.push(event);
      this.emitter.emit("event", event);
    });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      this.updatedUris.push(n.params.uri);
      this.emitter.emit("updated", n.params.uri);
    });
  }

  /** Resolves with the first bus event (already received or coming) that matches. */
  async event(match: (e: BusEvent) => boolean): Promise<BusEvent> {
    // Re-scan the whole list on each wake-up: several events can arrive before this waiter runs again.
    for (;;) {
      const seen = this.events.find(match);
      if (seen) return seen;
      await once(this.emitter, "event");
    }
  }

  async resourceUpdated(uri: string): Promise<void> {
    while (!this.updatedUris.includes(uri)) await once(this.emitter, "updated");
  }

  async call(name: string, args: Record<string, unknown> = {}, options: { signal?: AbortSignal; onprogress?: (p: { progress: number; total?: number }) => void } = {}) {
    const result = (await this.client.callTool({ name, arguments: args }, undefined, {
      signal: options.signal,
      onprogress: options.onprogress,
      timeout: 120_000,
    })) as CallToolResult;
    return { result, structured: result.structuredContent as Record<string, any>, isError: result.isError === true };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Connects as the local user (the server's local token), or with the token given. */
export async function connectClient(server: ServerProcess, kind: TransportKind, token: string = server.token): Promise<TestClient> {
  const transport: Transport =
    kind === "http"
      ? new StreamableHTTPClientTransport(server.mcpUrl, { requestInit: { headers: { authorization: `Bearer ${token}` } } })
      : new StdioClientTransport({
          command: process.execPath,
          args: [CLI, "stdio", "--port", String(server.port), "--data-dir", server.dataDir, "--log-level", "warn"],
          stderr: "inherit",
        });
  const client = new Client({ name: "contract-suite", version: "1.0.0" });
  const wrapped = new TestClient(client);
  await client.connect(transport);
  return wrapped;
}
