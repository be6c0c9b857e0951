/** Test clients for MCP tasks: a 2026-07-28 client declaring the extension (or not), and the task methods. */
import assert from "node:assert/strict";
import { z } from "zod";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { MODERN_REVISION, TestClient } from "../support/mcp-client.js";
import type { ServerProcess } from "../support/server-process.js";

export const TASKS = "io.modelcontextprotocol/tasks";
const Loose = z.looseObject({});
export type Answer = Record<string, any>;

/** A 2026-07-28 client over HTTP, declaring the tasks extension (in every request's capabilities) or not. */
export async function modernClient(server: ServerProcess, options: { tasks: boolean; token?: string }): Promise<TestClient> {
  const client = new Client(
    { name: "tasks-test", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: MODERN_REVISION } }, capabilities: options.tasks ? { extensions: { [TASKS]: {} } } : {} },
  );
  const headers = { authorization: `Bearer ${options.token ?? server.token}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl), { requestInit: { headers } }));
  const wrapped = new TestClient(client, "modern");
  wire.set(wrapped, { url: server.mcpUrl, token: options.token ?? server.token, tasks: options.tasks });
  return wrapped;
}

export const rpc = (c: TestClient, method: string, params: Record<string, unknown>) => c.client.request({ method, params } as never, Loose) as Promise<Answer>;

/**
 * tools/call as raw 2026-07-28 JSON-RPC over HTTP: SDK 2.4's client refuses a
 * `resultType: "task"` answer to tools/call (UNSUPPORTED_RESULT_TYPE) before
 * the caller sees it, so the test reads the wire itself.
 */
export async function callTool(c: TestClient, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const { url, token, tasks } = wire.get(c)!;
  const body = {
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: {
      name,
      arguments: args,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": MODERN_REVISION,
        "io.modelcontextprotocol/clientInfo": { name: "tasks-test", version: "1.0.0" },
        "io.modelcontextprotocol/clientCapabilities": tasks ? { extensions: { [TASKS]: {} } } : {},
      },
    },
  };
  const res = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": MODERN_REVISION,
      "mcp-method": "tools/call",
      "mcp-name": name,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  // A JSON body, or an event stream whose last data line is the response.
  const json = res.headers.get("content-type")?.includes("text/event-stream")
    ? text.split("\n").filter((l) => l.startsWith("data:")).map((l) => JSON.parse(l.slice(5))).find((m) => m.id === 1)
    : JSON.parse(text);
  assert.equal(json.error, undefined, JSON.stringify(json.error));
  return json.result;
}
const wire = new WeakMap<TestClient, { url: URL; token: string; tasks: boolean }>();
export const getTask = (c: TestClient, taskId: string) => rpc(c, "tasks/get", { taskId });
export const cancelTask = (c: TestClient, taskId: string) => rpc(c, "tasks/cancel", { taskId });

/** tasks/get until the task has ended, waking on its job resource's change notifications rather than a timer. */
export async function followTask(c: TestClient, taskId: string): Promise<Answer> {
  const uri = `blender://jobs/${taskId}`;
  await c.subscribe(uri);
  for (;;) {
    const seen = c.updatedUris.filter((u) => u === uri).length;
    const task = await getTask(c, taskId);
    if (task.status !== "working") return task;
    await c.updatedMoreThan(uri, seen);
  }
}

/** An acknowledgement: nothing but the _meta every 2026-07-28 response carries (the server's identity). */
export const withoutMeta = ({ _meta: _, ...rest }: Answer) => rest;

export const rejectsWith = (code: number, pattern: RegExp) => (e: { code?: number; message?: string }) => {
  assert.equal(e.code, code, e.message);
  assert.match(e.message ?? "", pattern);
  return true;
};
