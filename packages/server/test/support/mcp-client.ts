/**
 * Real MCP clients (SDK v2's Client over Streamable HTTP and stdio), pinned to
 * either protocol era, with their job events collected:
 * - legacy (2025-11-25): the `_message_bus` log messages the server pushes to
 *   the session that sent a job (and to blender://jobs subscribers);
 * - modern (2026-07-28): no sessions, so the client follows its jobs as a
 *   modern client would: a `subscriptions/listen` stream on blender://jobs,
 *   and a read of each job resource it hears has changed.
 */
import { EventEmitter, once } from "node:events";
import { Client, StreamableHTTPClientTransport, type CallToolResult, type McpSubscription, type Transport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { BUS_LOGGER, type BusEvent, type Job } from "@blender-mcp/protocol";
import { CLI, type ServerProcess } from "./server-process.js";
import type { TestServer } from "./in-process.js";

/** in-memory: Streamable HTTP to an in-process server over in-memory links (see in-process.ts). */
export type TransportKind = "http" | "stdio" | "in-memory";
export type Era = "legacy" | "modern";
export const MODERN_REVISION = "2026-07-28";

export class TestClient {
  readonly events: BusEvent[] = [];
  readonly updatedUris: string[] = [];
  private readonly emitter = new EventEmitter();
  private readonly subscriptions: McpSubscription[] = [];
  /** Modern era: the last status seen per job, so a read that shows no change adds no event. */
  private readonly seen = new Map<string, string>();
  /** Modern era: the jobs this client started (what the legacy origin session would hear). */
  readonly mine = new Set<string>();

  constructor(
    readonly client: Client,
    readonly era: Era = "legacy",
  ) {
    client.setNotificationHandler("notifications/message", (n) => {
      if (n.params.logger !== BUS_LOGGER) return;
      this.push(n.params.data as BusEvent);
    });
    client.setNotificationHandler("notifications/resources/updated", (n) => {
      this.updatedUris.push(n.params.uri);
      this.emitter.emit("updated", n.params.uri);
      if (this.era === "modern" && n.params.uri === "blender://jobs") void this.readJobs();
    });
  }

  private push(event: BusEvent): void {
    this.events.push(event);
    this.emitter.emit("event", event);
  }

  /** Modern era: what changed on the bus, as the events a legacy session would have been sent. */
  private async readJobs(): Promise<void> {
    const read = await this.client.readResource({ uri: "blender://jobs" }).catch(() => null);
    if (!read) return;
    const { jobs } = JSON.parse((read.contents[0] as { text: string }).text) as { jobs: Job[] };
    // In the order they changed, as the legacy session would have been told.
    for (const job of [...jobs].sort((a, b) => a.updated_at.localeCompare(b.updated_at))) {
      // The bus tells of a job once it runs, not while it waits.
      if (job.status === "queued") continue;
      const key = `${job.status}:${job.late}`;
      if (this.seen.get(job.job_id) === key) continue;
      this.seen.set(job.job_id, key);
      const { job_id, command, status, result, error, target_uuid, late } = job;
      this.push({ kind: "job_update", job_id, command, status, result, error, target_uuid, late } as BusEvent);
    }
  }

  /** Legacy: resources/subscribe; modern: a listen stream for that resource. */
  async subscribe(uri: string): Promise<void> {
    if (this.era === "legacy") {
      await this.client.subscribeResource({ uri });
      return;
    }
    this.subscriptions.push(await this.client.listen({ resourceSubscriptions: [uri], resourcesListChanged: true }));
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

  /** Resolves once uri has been reported updated more than `seen` times. */
  async updatedMoreThan(uri: string, seen: number): Promise<void> {
    while (this.updatedUris.filter((u) => u === uri).length <= seen) await once(this.emitter, "updated");
  }

  async call(name: string, args: Record<string, unknown> = {}, options: { signal?: AbortSignal; onprogress?: (p: { progress: number; total?: number }) => void } = {}) {
    const result = (await this.client.callTool({ name, arguments: args }, {
      signal: options.signal,
      onprogress: options.onprogress,
      timeout: 120_000,
    })) as CallToolResult;
    const structured = result.structuredContent as Record<string, any>;
    if (typeof structured?.job_id === "string") this.mine.add(structured.job_id);
    return { result, structured, isError: result.isError === true };
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) await s.close().catch(() => {});
    await this.client.close();
  }
}

export interface ConnectOptions {
  token?: string;
  era?: Era;
}

/** Connects as the local user (the server's local token), or with the token given, in the era asked (legacy by default). */
export async function connectClient(server: ServerProcess | TestServer, kind: TransportKind, options: ConnectOptions | string = {}): Promise<TestClient> {
  const { token = server.token, era = "legacy" } = typeof options === "string" ? { token: options } : options;
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  let transport: Transport;
  if (kind === "stdio") {
    if (!("port" in server)) throw new Error("the stdio relay needs a server process on a port");
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "stdio", "--port", String(server.port), "--data-dir", server.dataDir, "--log-level", "warn"],
      stderr: "inherit",
    });
  } else if (kind === "in-memory") {
    if (!("fetch" in server) || !server.fetch) throw new Error("in-memory clients need an in-process server (startInProcessServer)");
    transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit, fetch: server.fetch });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit });
  }
  const client = new Client(
    { name: "contract-suite", version: "1.0.0" },
    era === "modern" ? { versionNegotiation: { mode: { pin: MODERN_REVISION } } } : {},
  );
  const wrapped = new TestClient(client, era);
  await client.connect(transport);
  if (era === "modern") {
    if (client.getProtocolEra() !== "modern") throw new Error(`asked for ${MODERN_REVISION}, negotiated ${client.getProtocolEra()}`);
    // Every job of this user's bus, as a legacy blender://jobs subscriber hears them.
    await wrapped.subscribe("blender://jobs");
  }
  return wrapped;
}
