/**
 * Transport floor: an MCP server with one tool that does nothing and no bus,
 * served the way the product serves (one McpServer and Streamable HTTP
 * transport per session, body parsed before the transport sees it), or over
 * stdio when run with the argument `stdio`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { serveRpc } from "./rpc.js";

function noopServer(): McpServer {
  const server = new McpServer({ name: "bench-noop", version: "1.0.0" }, { capabilities: { logging: {} } });
  server.registerTool("noop", { description: "Does nothing." }, async () => ({ content: [{ type: "text", text: "ok" }] }));
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
}

function listenHttp(): Promise<number> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    const body = req.method === "POST" ? await readBody(req) : undefined;
    const id = req.headers["mcp-session-id"];
    const existing = typeof id === "string" ? sessions.get(id) : undefined;
    if (existing) return existing.handleRequest(req, res, body);
    const sessionId = randomUUID();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      onsessioninitialized: () => void sessions.set(sessionId, transport),
    });
    transport.onclose = () => void sessions.delete(sessionId);
    await noopServer().connect(transport);
    await transport.handleRequest(req, res, body);
  });
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve((http.address() as { port: number }).port)));
}

if (process.argv.includes("stdio")) {
  const transport = new StdioServerTransport();
  process.stdin.on("end", () => process.exit(0));
  await noopServer().connect(transport);
} else {
  serveRpc({ listen: () => listenHttp() });
}
