/**
 * The auth handshake from the attacker's side: a recorded exchange replayed,
 * a proof carried from one connection (or channel) to another, an addon or a
 * server from before the handshake, and slow or silent connections.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect as tcpConnect } from "node:net";
import { after, before, describe, test } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { AUTH_HEADER, AUTH_SCHEME, ClientAuth, PROTOCOL_VERSION } from "@blender-mcp/protocol";
import { FakeAddon, RefusedError } from "@blender-mcp/fake-addon";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

/** A socket on the addon endpoint whose frames are read in order. */
async function socketOn(url: string, headers: Record<string, string> = { [AUTH_HEADER]: AUTH_SCHEME }, protocol?: string) {
  const ws = protocol ? new WebSocket(url, protocol, { headers }) : new WebSocket(url, { headers });
  const inbox: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  ws.on("message", (data) => {
    const next = waiting.shift();
    if (next) next(data.toString());
    else inbox.push(data.toString());
  });
  const closed = once(ws, "close") as Promise<[number, Buffer]>;
  await once(ws, "open");
  return {
    ws,
    closed,
    send: (value: unknown) => ws.send(JSON.stringify(value)),
    next: () => (inbox.length ? Promise.resolve(inbox.shift()!) : new Promise<string>((r) => waiting.push(r))),
  };
}

describe("auth handshake", () => {
  let server: ServerProcess;
  let client: TestClient;
  let blender: FakeAddon;
  const served = async () => {
    const { structured } = await client.call("blender_get_scene_info");
    assert.equal(structured.status, "completed");
  };

  before(async () => {
    server = await startServer(["--handshake-timeout", "1", "--max-pending-per-address", "50"]);
    client = await connectClient(server, "http");
    blender = new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "legit" });
    await blender.connect();
  });
  after(async () => {
    await client?.close();
    await blender?.close();
    await server?.stop();
  });

  test("a recorded exchange replayed on a new connection is refused", async () => {
    const recorded = await socketOn(server.addonUrl);
    const auth = new ClientAuth(server.token, "addon", server.addonUrl);
    const begin = auth.begin();
    recorded.send(begin);
    const firstChallenge = await recorded.next();
    const proof = auth.answer(firstChallenge);
    recorded.send(proof);
    recorded.ws.close();

    const replay = await socketOn(server.addonUrl);
    replay.send(begin);
    const secondChallenge = JSON.parse(await replay.next());
    assert.notEqual(secondChallenge.server_nonce, JSON.parse(firstChallenge).server_nonce, "a fresh server nonce each time");
    replay.send(proof);
    const refusal = JSON.parse(await replay.next());
    assert.equal(refusal.message_type, "refused");
    assert.equal(refusal.code, "unauthorized");
    assert.match(refusal.reason, /proof is wrong/);
    assert.equal((await replay.closed)[0], 4002);
    await served();
  });

  test("a man in the middle cannot use the proof made for one connection on another, nor on another channel", async () => {
    // The victim's auth_begin goes to the server on two connections; the victim answers connection A's challenge.
    const victim = new ClientAuth(server.token, "addon", server.addonUrl);
    const a = await socketOn(server.addonUrl);
    const b = await socketOn(server.addonUrl);
    a.send(victim.begin());
    b.send(victim.begin());
    const proofForA = victim.answer(await a.next());
    await b.next();
    b.send(proofForA);
    assert.equal(JSON.parse(await b.next()).code, "unauthorized");
    assert.equal((await b.closed)[0], 4002);
    a.ws.close();

    // A proof made on the relay's channel (/mcp) is no good on the addon socket.
    const onMcp = new ClientAuth(server.token, "mcp", server.addonUrl);
    const c = await socketOn(server.addonUrl);
    c.send(onMcp.begin());
    const challenge = await c.next();
    assert.throws(() => onMcp.answer(challenge), /did not prove/, "the server's addon-channel proof does not pass as an mcp one");
    const mcpSocket = await socketOn(server.mcpUrl.href.replace(/^http/, "ws"), { [AUTH_HEADER]: AUTH_SCHEME }, "mcp");
    const onAddon = new ClientAuth(server.token, "addon", server.addonUrl);
    mcpSocket.send(onAddon.begin());
    const mcpChallenge = await mcpSocket.next();
    assert.throws(() => onAddon.answer(mcpChallenge), /did not prove/);
    c.ws.close();
    mcpSocket.ws.close();
    await served();
  });

  test("an addon from before the handshake (bearer header, hello) is told to update the addon, and gets no job", async () => {
    const old = await socketOn(server.addonUrl, { authorization: `Bearer ${server.token}` });
    old.send({ message_type: "hello", client_uuid: "old-addon", label: "old", client_type: "blender", blender_version: "3.4", blend_file: "", addon_version: "0.0.9", protocol_version: 1, commands: [], gated: [] });
    const refusal = JSON.parse(await old.next());
    assert.equal(refusal.message_type, "refused");
    assert.equal(refusal.code, "incompatible_protocol");
    assert.match(refusal.reason, /update the addon/);
    assert.equal((await old.closed)[0], 4002);
  });

  test("a client that sends anything but the handshake first is refused", async () => {
    const eager = await socketOn(server.addonUrl);
    eager.send({ message_type: "job_update", job_id: "j-1", status: "completed", result: null, error: "" });
    const refusal = JSON.parse(await eager.next());
    assert.equal(refusal.code, "unauthorized");
    assert.match(refusal.reason, /send auth_begin/);
  });

  test("the new addon against a server from before the handshake says to update the server, and sends no token", async () => {
    const requests: string[] = [];
    const frames: string[] = [];
    const old = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    old.on("connection", (ws, req) => {
      requests.push(JSON.stringify(req.headers));
      ws.on("message", (d) => frames.push(d.toString()));
      // What protocol 1 did without a bearer header.
      ws.send(JSON.stringify({ message_type: "refused", code: "unauthorized", reason: "missing bearer token: send Authorization: Bearer <token>", protocol_version: 1 }));
      ws.close(4002, "unauthorized");
    });
    await once(old, "listening");
    const url = `ws://127.0.0.1:${(old.address() as { port: number }).port}/addon`;
    const fake = new FakeAddon({ url, token: server.token });
    await assert.rejects(fake.connect(), (e: Error) => /update the server/.test(e.message) && !(e instanceof RefusedError && /update the addon/.test(e.message)));
    assert.equal(requests.some((r) => r.includes(server.token) || /authorization/i.test(r)), false);
    assert.ok(frames.every((f) => JSON.parse(f).message_type === "auth_begin"), "at most auth_begin reached it");
    old.close();
  });

  test("silent and half-open connections are closed while legitimate traffic goes on", async () => {
    const sockets = Array.from({ length: 600 }, (_, i) => {
      const s = tcpConnect(server.port, "127.0.0.1");
      s.on("error", () => {});
      // Half of them start a request and never finish it.
      if (i % 2) s.on("connect", () => s.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      return s;
    });
    await Promise.all(sockets.map((s) => once(s, "connect").catch(() => {})));
    await served();
    const health = await fetch(`${server.baseUrl}/health`);
    assert.equal(health.status, 200);
    await Promise.all(sockets.map((s) => (s.destroyed ? null : once(s, "close"))));
    assert.ok(sockets.every((s) => s.destroyed));
    await served();
  });

  test("an upgraded socket that never authenticates is closed", async () => {
    const idle = await socketOn(server.addonUrl);
    const refusal = JSON.parse(await idle.next());
    assert.equal(refusal.code, "auth_timeout");
    assert.match(refusal.reason, /--handshake-timeout/);
    const relay = await socketOn(server.mcpUrl.href.replace(/^http/, "ws"), { [AUTH_HEADER]: AUTH_SCHEME }, "mcp");
    assert.equal((await relay.closed)[0], 4401);
  });

  test("a WebSocket MCP client with a bearer header works as before", async () => {
    const ws = await socketOn(server.mcpUrl.href.replace(/^http/, "ws"), { authorization: `Bearer ${server.token}` }, "mcp");
    ws.send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "ws", version: "1" } } });
    assert.equal(JSON.parse(await ws.next()).id, 1);
    ws.ws.close();
    assert.equal(PROTOCOL_VERSION, 2);
  });
});
