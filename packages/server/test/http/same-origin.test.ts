/** The origin check as the running server applies it: its own origin passes on /mcp and the addon socket, others do not. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, test } from "node:test";
import WebSocket from "ws";
import { startServer, type ServerProcess } from "../support/server-process.js";

let server: ServerProcess;
before(async () => {
  server = await startServer(["--auth", "none"]);
});
after(() => server.stop());

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "page", version: "0" } },
};

const post = (origin: string) =>
  fetch(server.mcpUrl, {
    method: "POST",
    headers: { origin, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(initialize),
  });

test("a page of the server's own origin reaches /mcp", async () => {
  const res = await post(server.baseUrl);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(body, /"protocolVersion"/);
});

test("another port or scheme of the same host is refused with 403", async () => {
  for (const origin of [`http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
    const res = await post(origin);
    assert.equal(res.status, 403, origin);
    assert.match(await res.text(), /--allowed-origin/, origin);
  }
});

test("the addon socket takes its own origin's upgrade and refuses another", async () => {
  const own = new WebSocket(server.addonUrl, { origin: server.baseUrl });
  await once(own, "open");
  own.close();
  const other = new WebSocket(server.addonUrl, { origin: `http://127.0.0.1:${server.port + 1}` });
  const [error] = (await once(other, "error")) as [Error];
  assert.match(error.message, /403/);
});
