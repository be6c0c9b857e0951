/**
 * Server behaviour beyond the parameterized contract: what only a scripted
 * peer can stage (silent sockets, garbage frames, progress), the stdio hub,
 * and independent buses.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { COMMAND_LIST, PROTOCOL_VERSION } from "@blender-mcp/protocol";
import { FakeAddon, RefusedError } from "@blender-mcp/fake-addon";
import { authedAddonSocket } from "./support/addon-socket.js";
import { connectClient, TestClient } from "./support/mcp-client.js";
import { CLI, startServer, type ServerProcess } from "./support/server-process.js";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const hello = (uuid: string, protocolVersion = PROTOCOL_VERSION) => ({
  message_type: "hello",
  client_uuid: uuid,
  label: uuid,
  client_type: "raw",
  blender_version: "test",
  blend_file: "",
  addon_version: "0.1.0",
  protocol_version: protocolVersion,
  commands: COMMAND_LIST.map((c) => c.name),
  gated: [],
});

/** A raw socket whose every frame is queued, so a test can read replies in order. */
async function rawPeer(server: ServerProcess, options: WebSocket.ClientOptions = {}) {
  const ws = await authedAddonSocket(server.addonUrl, server.token, options);
  const inbox: Record<string, any>[] = [];
  const waiting: ((m: Record<string, any>) => void)[] = [];
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString());
    const next = waiting.shift();
    if (next) next(message);
    else inbox.push(message);
  });
  const closed = once(ws, "close") as Promise<[number, Buffer]>;
  return {
    ws,
    closed,
    send: (value: unknown) => ws.send(typeof value === "string" ? value : JSON.stringify(value)),
    next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()!) : new Promise<Record<string, any>>((r) => waiting.push(r))),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}

describe("addon socket", () => {
  let server: ServerProcess;
  let client: TestClient;
  before(async () => {
    server = await startServer(["--heartbeat", "0.3"]);
    client = await connectClient(server, "http");
  });
  after(async () => {
    await client.close();
    await server.stop();
  });

  test("garbage frames get typed protocol errors and the connection keeps serving", async () => {
    const peer = await rawPeer(server);
    peer.send({ message_type: "job_update", job_id: "j-1", status: "completed", result: null, error: "" });
    assert.equal((await peer.next()).code, "unexpected_message", "job_update before hello");
    peer.send(hello("raw-1"));
    assert.equal((await peer.next()).message_type, "welcome");
    const cases: [unknown, string][] = [
      ["{oops", "invalid_json"],
      [{ message_type: "warp" }, "unknown_message_type"],
      [{ message_type: "cancel", job_id: "j", reason: "r" }, "unexpected_message"],
      [{ message_type: "job_update", job_id: "j-1", status: "nope", result: null, error: "" }, "invalid_message"],
      [{ message_type: "job_update", job_id: "j-unknown", status: "completed", result: null, error: "" }, "unknown_job"],
      [hello("raw-1"), "unexpected_message"],
    ];
    for (const [frame, code] of cases) {
      peer.send(frame);
      const reply = await peer.next();
      assert.equal(reply.message_type, "protocol_error");
      assert.equal(reply.code, code, JSON.stringify(frame));
    }
    peer.send({ message_type: "ping", nonce: "still-there" });
    assert.deepEqual(await peer.next(), { message_type: "pong", nonce: "still-there" });
    const dispatched = client.call("blender_get_scene_info");
    const job = await peer.next();
    assert.equal(job.message_type, "command_dispatch");
    peer.send({ message_type: "job_update", job_id: job.job_id, status: "completed", result: { wrong: "shape" }, error: "" });
    const { structured } = await dispatched;
    assert.equal(structured.status, "failed", "a result off the command's contract is a failure");
    assert.match(structured.error, /does not match the get_scene_info contract/);
    peer.ws.close();
    await peer.closed;
  });

  test("an incompatible protocol version is refused with a reason", async () => {
    const fake = new FakeAddon({ url: server.addonUrl, token: server.token, protocolVersion: PROTOCOL_VERSION + 1 });
    await assert.rejects(fake.connect(), (e: Error) => e instanceof RefusedError && /incompatible_protocol.*update the server/.test(e.message));
    const { code } = await fake.closed;
    assert.equal(code, 4002);
  });

  test("a peer that stops answering heartbeats is dropped and its jobs fail", async () => {
    const peer = await rawPeer(server, { autoPong: false });
    peer.send(hello("silent"));
    assert.equal((await peer.next()).message_type, "welcome");
    const dispatched = client.call("blender_get_scene_info", { timeout_seconds: 60 });
    assert.equal((await peer.next()).message_type, "command_dispatch");
    const [code] = await peer.closed;
    assert.equal(code, 1006, "terminated without a close handshake");
    const { structured } = await dispatched;
    assert.equal(structured.status, "failed");
    assert.match(structured.error, /disconnected/);
  });

  test("an MCP WebSocket client that stops answering heartbeats is dropped too", async () => {
    const ws = new WebSocket(server.mcpUrl.href.replace(/^http/, "ws"), "mcp", { autoPong: false, headers: { authorization: `Bearer ${server.token}` } });
    await once(ws, "open");
    const [code] = (await once(ws, "close")) as [number];
    assert.equal(code, 1006, "terminated without a close handshake");
  });

  test("progress reports reach a caller that asked for them", async () => {
    const fake = new FakeAddon({ url: server.addonUrl, token: server.token });
    await fake.connect();
    try {
      fake.behaveOnce("get_scene_info", { kind: "slow", ms: 300, progressSteps: 3 });
      const seen: number[] = [];
      const { structured } = await client.call("blender_get_scene_info", {}, { onprogress: (p) => seen.push(p.progress) });
      assert.equal(structured.status, "completed");
      assert.deepEqual(seen, [1, 2, 3]);
    } finally {
      await fake.close();
    }
  });

  test("logs are JSON lines on stderr that carry job_id and target_uuid", async () => {
    const fake = new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "logged-peer" });
    await fake.connect();
    fake.behaveOnce("get_scene_info", { kind: "fail", error: "logged failure" });
    const { structured } = await client.call("blender_get_scene_info");
    await fake.close();
    const entry = server.logs.find((l) => l.event === "job.finished" && l.job_id === structured.job_id);
    assert.ok(entry, "job.finished logged");
    assert.equal(entry.target_uuid, "logged-peer");
    assert.equal(entry.status, "failed");
  });

  test("notifications sent before the client opens its event stream are held, then delivered", { timeout: 20_000 }, async () => {
    const headers = { authorization: `Bearer ${server.token}`, "content-type": "application/json", accept: "application/json, text/event-stream" };
    const post = (body: unknown, session?: string) =>
      fetch(server.mcpUrl, { method: "POST", headers: { ...headers, ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {}) }, body: JSON.stringify(body) });
    const init = await post({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    const session = init.headers.get("mcp-session-id")!;
    await init.text();
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, session)).text();
    await (await post({ jsonrpc: "2.0", id: 2, method: "resources/subscribe", params: { uri: "blender://clients" } }, session)).text();
    // A Blender connects while this client has no event stream: the update must wait for one.
    const fake = new FakeAddon({ url: server.addonUrl, token: server.token });
    await fake.connect();
    const stream = await fetch(server.mcpUrl, { headers: { ...headers, accept: "text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } });
    assert.equal(stream.status, 200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("notifications/resources/updated")) text += (await reader.read()).value ?? "";
    assert.match(text, /blender:\/\/clients/);
    await reader.cancel();
    await fake.close();
    await fetch(server.mcpUrl, { method: "DELETE", headers: { ...headers, "mcp-session-id": session } });
  });

  test("a browser Origin is refused on /mcp and on the addon socket", async () => {
    const res = await fetch(server.mcpUrl, { method: "POST", headers: { origin: "https://evil.example.com", "content-type": "application/json" }, body: "{}" });
    assert.equal(res.status, 403);
    const ws = new WebSocket(server.addonUrl, { origin: "https://evil.example.com" });
    const [error] = (await once(ws, "error")) as [Error];
    assert.match(error.message, /403/);
  });
});

describe("buses", () => {
  test("two servers are two independent buses", async () => {
    const [a, b] = [await startServer(), await startServer()];
    const fake = new FakeAddon({ url: a.addonUrl, token: a.token });
    await fake.connect();
    const [ca, cb] = [await connectClient(a, "http"), await connectClient(b, "http")];
    try {
      const onA = await ca.call("blender_get_scene_info");
      assert.equal(onA.structured.status, "completed");
      assert.equal((await cb.call("blender_get_scene_info")).structured.status, "no_client");
      assert.equal((await cb.call("blender_get_job", { job_id: onA.structured.job_id })).isError, true);
      assert.deepEqual(cb.events, []);
    } finally {
      await Promise.all([ca.close(), cb.close(), fake.close()]);
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

/** Resolves once a process that is not our child has exited (Node has no event for that: it is polled). */
async function exited(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`process ${pid} still runs 10 s after SIGTERM`);
}

describe("stdio", () => {
  test("stdio processes share one hub they start on demand, which outlives them", async () => {
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), "stdio-hub-"));
    const stdio = () =>
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, "stdio", "--port", String(port), "--data-dir", dataDir, "--hub-idle", "5", "--log-level", "warn"],
        stderr: "ignore",
      });
    const first = new TestClient(new Client({ name: "first", version: "1" }));
    await first.client.connect(stdio());
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    // The addon finds the hub's local token file by itself, as a Blender on this machine would.
    const token = (await readFile(join(dataDir, "local-token"), "utf8")).trim();
    const fake = new FakeAddon({ url: `ws://127.0.0.1:${port}/addon`, token });
    await fake.connect();
    try {
      assert.equal((await first.call("blender_get_scene_info")).structured.target_uuid, fake.uuid);
      await first.close();
      const second = new TestClient(new Client({ name: "second", version: "1" }));
      await second.client.connect(stdio());
      assert.equal((await second.call("blender_get_scene_info")).structured.target_uuid, fake.uuid, "same hub, same Blender");
      assert.equal((await (await fetch(`http://127.0.0.1:${port}/health`)).json()).pid, health.pid);
      await second.close();
    } finally {
      await fake.close();
      process.kill(health.pid, "SIGTERM");
      // The hub tidies its data folder as it exits: remove the folder after it is gone.
      await exited(health.pid);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test("a relay is one WebSocket session on the hub, and ends when the hub goes away", async () => {
    const hub = await startServer();
    const client = new TestClient(new Client({ name: "relayed", version: "1" }));
    await client.client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CLI, "stdio", "--port", String(hub.port), "--data-dir", hub.dataDir, "--log-level", "warn"], stderr: "ignore" }),
    );
    assert.equal((await client.call("blender_list_clients")).isError, false);
    assert.deepEqual(
      hub.logs.filter((e) => e.event === "mcp.session_opened").map((e) => e.transport),
      ["websocket"],
    );
    const closed = new Promise<void>((resolve) => (client.client.onclose = () => resolve()));
    await hub.stop();
    await closed;
  });

  test("serve --exit-when-idle exits once nobody is connected", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "idle-"));
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--data-dir", dataDir, "--exit-when-idle", "0.2"], { stdio: "ignore" });
    const [code] = await once(child, "exit");
    assert.equal(code, 0);
    await rm(dataDir, { recursive: true, force: true });
  });
});
