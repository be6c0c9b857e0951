/**
 * The attacker's view: each attempt is refused while legitimate traffic on
 * the same server goes on.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { request } from "node:http";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { FakeAddon, RefusedError } from "@blender-mcp/fake-addon";
import { authedAddonSocket } from "./support/addon-socket.js";
import { connectClient, type TestClient } from "./support/mcp-client.js";
import { CLI, startServer, type ServerProcess } from "./support/server-process.js";

const run = promisify(execFile);

async function cli(...args: string[]) {
  return run(process.execPath, [CLI, ...args]);
}

/** A raw MCP session on the /mcp WebSocket door; `rpc` answers with the JSON-RPC reply. */
async function mcpSocket(url: URL, headers: Record<string, string>) {
  const ws = new WebSocket(url.href.replace(/^http/, "ws"), "mcp", { headers });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let nextId = 1;
  const replies = new Map<number, (reply: Record<string, unknown>) => void>();
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    replies.get(message.id as number)?.(message);
    if (message.id === null) replies.get(-1)?.(message);
  });
  const send = (body: string, id: number) => new Promise<Record<string, unknown>>((resolve) => (replies.set(id, resolve), ws.send(body)));
  const rpc = (method: string, params: unknown = {}) => {
    const id = nextId++;
    return send(JSON.stringify({ jsonrpc: "2.0", id, method, params }), id);
  };
  await rpc("initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "ws", version: "1" } });
  ws.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  const tool = async (name: string, args: Record<string, unknown> = {}) =>
    ((await rpc("tools/call", { name, arguments: args })).result as { structuredContent: Record<string, unknown> }).structuredContent;
  return { ws, rpc, tool, garbage: (text: string) => send(text, -1) };
}

/** The status a refused upgrade was answered with. */
async function upgradeStatus(url: URL, options: WebSocket.ClientOptions): Promise<number> {
  const ws = new WebSocket(url.href.replace(/^http/, "ws"), "mcp", options);
  const [req, res] = (await once(ws, "unexpected-response")) as [{ destroy(): void }, { statusCode: number }];
  ws.on("error", () => {}); // the aborted handshake's own error; the status is the answer
  req.destroy();
  return res.statusCode;
}

describe("security", () => {
  let server: ServerProcess;
  let alice: TestClient;
  let aliceBlender: FakeAddon;
  let bobToken: string;
  let bobTokenId: string;

  /** Legitimate traffic that must keep working after each attack. */
  const aliceStillServed = async () => {
    const { structured } = await alice.call("blender_get_object_info", { name: "Cube" });
    assert.equal(structured.status, "completed");
  };

  before(async () => {
    server = await startServer(["--requests-per-second", "20", "--max-frames-per-second", "50", "--max-script-bytes", "2000", "--max-addons-per-user", "2", "--max-sessions-per-user", "4"]);
    alice = await connectClient(server, "http");
    aliceBlender = new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "alice-blender" });
    await aliceBlender.connect();
    bobToken = (await cli("token", "create", "--user", "bob", "--data-dir", server.dataDir)).stdout.trim();
    bobTokenId = (await cli("token", "list", "--data-dir", server.dataDir)).stdout.split("\n").find((l) => l.includes("\tbob\t"))!.split("\t")[0]!;
  });
  after(async () => {
    await alice?.close();
    await aliceBlender?.close();
    await server?.stop();
  });

  test("no token, or a wrong one: 401 on /mcp, a refusal on the addon socket", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer bmcp_not-a-real-token" }, { authorization: `Basic ${server.token}` }];
    for (const headers of attempts) {
      const res = await fetch(server.mcpUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
      });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("www-authenticate") ?? "", /Bearer/);
    }
    const intruder = new FakeAddon({ url: server.addonUrl, token: "bmcp_wrong" });
    await assert.rejects(intruder.connect(), (e: Error) => e instanceof RefusedError && /unauthorized/.test(e.message));
    assert.equal((await intruder.closed).code, 4002);
    await aliceStillServed();
  });

  test("a second user's token reaches neither the first user's Blenders, jobs, notifications nor sessions", async () => {
    const bob = await connectClient(server, "http", bobToken);
    try {
      const done = await alice.call("blender_get_object_info", { name: "Cube" });
      const aliceJob = done.structured.job_id;
      assert.equal((await bob.call("blender_list_clients")).structured.clients.length, 0);
      assert.equal((await bob.call("blender_get_scene_info")).structured.status, "no_client");
      assert.equal((await bob.call("blender_get_scene_info", { target_uuid: "alice-blender" })).structured.status, "unknown_target");
      const foreign = await bob.call("blender_get_job", { job_id: aliceJob });
      const unknown = await bob.call("blender_get_job", { job_id: "j-000000000000" });
      assert.equal(foreign.isError, true);
      assert.equal(
        (foreign.result.content[0] as { text: string }).text.replaceAll(aliceJob, "ID"),
        (unknown.result.content[0] as { text: string }).text.replaceAll("j-000000000000", "ID"),
        "a foreign job id gets the same answer as an unknown one",
      );
      await bob.client.subscribeResource({ uri: "blender://jobs" });
      const forged = await bob.call("blender_job_update", { job_id: aliceJob, client_uuid: "alice-blender", status: "completed", result: {} });
      assert.equal(forged.structured.accepted, false);
      const bobsOwn = new FakeAddon({ url: server.addonUrl, token: bobToken });
      await bobsOwn.connect();
      const bobJob = await bob.call("blender_get_scene_info");
      assert.equal(bobJob.structured.target_uuid, bobsOwn.uuid, "bob reaches his own Blender");
      await aliceStillServed();
      await bob.event((e) => e.job_id === bobJob.structured.job_id && e.status === "completed");
      assert.deepEqual([...new Set(bob.events.map((e) => e.target_uuid))], [bobsOwn.uuid], "bob heard nothing of alice's jobs");
      assert.equal((await alice.call("blender_list_clients")).structured.clients.length, 1, "alice does not see bob's Blender");
      await bobsOwn.close();
      // Alice's session id under bob's token is not alice's session.
      const sessionId = (alice.client.transport as { sessionId?: string }).sessionId!;
      const hijack = await fetch(server.mcpUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${bobToken}`, "mcp-session-id": sessionId },
        body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
      });
      assert.equal(hijack.status, 404);
    } finally {
      await bob.close();
    }
  });

  test("a revoked token stops working at once", async () => {
    const carol = (await cli("token", "create", "--user", "carol", "--data-dir", server.dataDir)).stdout.trim();
    const client = await connectClient(server, "http", carol);
    assert.equal((await client.call("blender_list_clients")).isError, false);
    const id = (await cli("token", "list", "--data-dir", server.dataDir)).stdout.split("\n").find((l) => l.includes("\tcarol\t"))!.split("\t")[0]!;
    await cli("token", "revoke", id, "--data-dir", server.dataDir);
    await assert.rejects(client.call("blender_list_clients"), /401|invalid or revoked/);
    await aliceStillServed();
  });

  test("a browser Origin or a rebound Host is refused on /mcp and on the socket", async () => {
    const res = await fetch(server.mcpUrl, { method: "POST", headers: { origin: "https://evil.example.com", authorization: `Bearer ${server.token}` }, body: "{}" });
    assert.equal(res.status, 403);
    // fetch will not send a foreign Host; a DNS-rebound browser would.
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(server.mcpUrl, { method: "POST", headers: { host: "evil.example.com:80", authorization: `Bearer ${server.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.end("{}");
    });
    assert.equal(rebound, 403);
    const ws = new WebSocket(server.addonUrl, { origin: "https://evil.example.com", headers: { authorization: `Bearer ${server.token}` } });
    const [error] = (await once(ws, "error")) as [Error];
    assert.match(error.message, /403/);
    await aliceStillServed();
  });

  test("a forged job_update from another Blender of the same user is refused", async () => {
    const other = new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "other-blender" });
    await other.connect();
    try {
      aliceBlender.behaveOnce("get_object_info", { kind: "slow", ms: 300 });
      const pending = alice.call("blender_get_object_info", { name: "Cube", target_uuid: "alice-blender" });
      const running = await alice.event((e) => e.status === "running" && e.target_uuid === "alice-blender" && !alice.events.some((x) => x.job_id === e.job_id && x.status !== "running"));
      const reply = new Promise<Record<string, unknown>>((resolve) => other.on("message", (m) => m.message_type === "protocol_error" && resolve(m)));
      other.send({ message_type: "job_update", job_id: running.job_id, status: "completed", result: { forged: true }, error: "" });
      assert.equal((await reply).code, "not_job_target");
      const { structured } = await pending;
      assert.equal(structured.status, "completed");
      assert.equal(structured.result.name, "Cube", "the real reply, not the forged one");
    } finally {
      await other.close();
    }
  });

  test("a request flood gets 429 with Retry-After while another token is served", async () => {
    const bob = await connectClient(server, "http", bobToken);
    try {
      const results = await Promise.allSettled(Array.from({ length: 80 }, () => bob.call("blender_list_clients")));
      const limited = results.filter((r) => r.status === "rejected");
      assert.ok(limited.length > 0, "some of 80 requests at once are over 20/s (burst 40)");
      for (const r of limited) assert.match(String((r as PromiseRejectedResult).reason), /429|too many requests/);
      await aliceStillServed();
    } finally {
      await bob.close().catch(() => {});
    }
  });

  test("a frame flood on the addon socket disconnects that peer only", async () => {
    const flooder = new FakeAddon({ url: server.addonUrl, token: server.token });
    await flooder.connect();
    for (let i = 0; i < 500; i++) flooder.send({ message_type: "ping", nonce: String(i) });
    const { code } = await flooder.closed;
    assert.equal(code, 4004);
    // Binary frames, answered with an error each, count too.
    const binary = await authedAddonSocket(server.addonUrl, server.token);
    for (let i = 0; i < 500; i++) binary.send(Buffer.from([i & 0xff]));
    const [binaryCode] = (await once(binary, "close")) as [number];
    assert.equal(binaryCode, 4004);
    await aliceStillServed();
  });

  test("limits: script size, Blenders per user, sessions per user, each named in its refusal", async () => {
    const big = await alice.call("blender_execute_code", { code: `print(${JSON.stringify("x".repeat(3000))})` });
    assert.equal(big.structured.status, "failed");
    assert.match(big.structured.error, /--max-script-bytes/);
    const extra = [new FakeAddon({ url: server.addonUrl, token: server.token }), new FakeAddon({ url: server.addonUrl, token: server.token })];
    await extra[0]!.connect();
    await assert.rejects(extra[1]!.connect(), /limit_reached.*--max-addons-per-user/);
    await extra[0]!.close();
    const sessions: TestClient[] = [];
    try {
      // alice holds one session; three more reach the limit of four.
      for (let i = 0; i < 2; i++) sessions.push(await connectClient(server, "http"));
      // Sessions on the WebSocket door count against the same limit.
      const socket = await mcpSocket(server.mcpUrl, { authorization: `Bearer ${server.token}` });
      try {
        await assert.rejects(connectClient(server, "http"), /429|--max-sessions-per-user/);
        assert.equal(await upgradeStatus(server.mcpUrl, { headers: { authorization: `Bearer ${server.token}` } }), 429);
      } finally {
        socket.ws.close();
        await once(socket.ws, "close");
      }
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
    await aliceStillServed();
  });

  test("the /mcp WebSocket door: the same gate at the upgrade, and again at every message", async () => {
    assert.equal(await upgradeStatus(server.mcpUrl, {}), 401);
    assert.equal(await upgradeStatus(server.mcpUrl, { headers: { authorization: "Bearer bmcp_wrong" } }), 401);
    assert.equal(await upgradeStatus(server.mcpUrl, { origin: "https://evil.example.com", headers: { authorization: `Bearer ${server.token}` } }), 403);

    // A user of their own: bob's token has spent its request budget in the flood test.
    const dave = (await cli("token", "create", "--user", "dave", "--data-dir", server.dataDir)).stdout.trim();
    const session = await mcpSocket(server.mcpUrl, { authorization: `Bearer ${dave}` });
    assert.deepEqual((await session.tool("blender_list_clients")).clients, [], "dave's socket reaches dave's bus only");
    assert.equal((await session.tool("blender_get_scene_info", { target_uuid: "alice-blender" })).status, "unknown_target");
    const garbage = await session.garbage("not json");
    assert.equal((garbage.error as { code: number }).code, -32700);
    assert.equal((await session.tool("blender_get_scene_info")).status, "no_client", "a bad frame is answered and the session goes on");
    const flood = await Promise.all(Array.from({ length: 60 }, () => session.rpc("tools/list")));
    const limited = flood.filter((r) => r.error !== undefined);
    assert.ok(limited.length > 0, "some of 60 requests at once are over 20/s (burst 40)");
    for (const r of limited) assert.match((r.error as { message: string }).message, /--requests-per-second/);
    assert.equal(session.ws.readyState, WebSocket.OPEN, "a flood is answered with errors, not a disconnect");
    const id = (await cli("token", "list", "--data-dir", server.dataDir)).stdout.split("\n").find((l) => l.includes("\tdave\t"))!.split("\t")[0]!;
    await cli("token", "revoke", id, "--data-dir", server.dataDir);
    const closing = once(session.ws, "close") as Promise<[number, Buffer]>;
    void session.rpc("tools/call", { name: "blender_list_clients", arguments: {} });
    const [code, reason] = await closing;
    assert.equal(code, 4401);
    assert.match(reason.toString(), /invalid or revoked/);
    await aliceStillServed();
  });

  test("tokens can be listed without revealing them", async () => {
    const { stdout } = await cli("token", "list", "--data-dir", server.dataDir);
    assert.match(stdout, new RegExp(`^${bobTokenId}\tbob\t`, "m"));
    assert.equal(stdout.includes(bobToken), false);
  });

  test("no tokens off loopback: the server refuses to start", async () => {
    await assert.rejects(cli("serve", "--host", "0.0.0.0", "--auth", "none", "--port", "0"), (e: { code: number; stderr: string }) => e.code === 2 && /without tokens/.test(e.stderr));
  });
});
