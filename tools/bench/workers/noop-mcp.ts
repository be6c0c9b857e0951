/**
 * Transport floor: an MCP server with one tool that does nothing and no bus,
 * on the same SDK (v2) and served the way the product serves /mcp, for both
 * protocol eras:
 * - 2025-11-25: one McpServer and Streamable HTTP transport per session;
 * - 2026-07-28: stateless, the SDK's createMcpHandler building a server per
 *   request (a request whose MCP-Protocol-Version header names a 2026
 *   revision goes there, as in the product's mcp/http.ts);
 * the body parsed before the SDK sees it. Run with the argument `stdio` it
 * serves stdio instead, either era chosen by the client's first message.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { NodeStreamableHTTPServerTransport, toNodeHandler } from "@modelcontextprotocol/node";
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

const claimsModern = (req: IncomingMessage) => {
  const version = req.headers["mcp-protocol-version"];
  return typeof version === "string" && version >= "2026-";
};

function listenHttp(): Promise<number> {
  const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
  const modern = toNodeHandler(createMcpHandler(() => noopServer(), { legacy: "reject" }));
  const http = createServer(async (req, res) => {
    const body = req.method === "POST" ? await readBody(req) : undefined;
    if (claimsModern(req)) return modern(req, res, body);
    const id = req.headers["mcp-session-id"];
    const existing = typeof id === "string" ? sessions.get(id) : undefined;
    if (existing) return existing.handleRequest(req, res, body);
    const sessionId = randomUUID();
    const transport = new NodeStreamableHTTPServerTransport({
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
  process.stdin.on("end", () => process.exit(0));
  serveStdio(() => noopServer());
} else {
  serveRpc({ listen: () => listenHttp() });
}
