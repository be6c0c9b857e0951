/**
 * Both MCP revisions at once on one server: 2025-11-25 clients with sessions
 * beside stateless 2026-07-28 clients, over Streamable HTTP and stdio, on one
 * Blender (the fake addon); jobs as resources; idle HTTP sessions expiring.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

const readJson = async (client: TestClient, uri: string) => JSON.parse(((await client.client.readResource({ uri })).contents[0] as { text: string }).text);

describe("both eras on one server", () => {
  let server: ServerProcess;
  let fake: FakeAddon;
  let legacy: TestClient;
  let modern: TestClient;
  let modernStdio: TestClient;

  before(async () => {
    server = await startServer();
    fake = new FakeAddon({ url: server.addonUrl, token: server.token, label: "eras" });
    await fake.start();
    [legacy, modern, modernStdio] = await Promise.all([
      connectClient(server, "http"),
      connectClient(server, "http", { era: "modern" }),
      connectClient(server, "stdio", { era: "modern" }),
    ]);
  });
  after(async () => {
    await Promise.all([legacy, modern, modernStdio].map((c) => c?.close()));
    await fake?.close();
    await server?.stop();
  });

  test("each client got the revision it asked for", () => {
    assert.equal(legacy.client.getProtocolEra(), "legacy");
    assert.equal(modern.client.getProtocolEra(), "modern");
    assert.equal(modernStdio.client.getProtocolEra(), "modern");
  });

  test("a legacy and two modern clients drive one Blender at once", async () => {
    const results = await Promise.all([legacy, modern, modernStdio].map((c) => c.call("blender_get_scene_info")));
    for (const { structured } of results) {
      assert.equal(structured.status, "completed");
      assert.equal(structured.target_uuid, fake.uuid);
    }
  });

  test("a modern client follows a legacy client's job as a resource through subscriptions/listen", async () => {
    fake.behaveOnce("get_object_info", { kind: "slow", ms: 1000 });
    const sent = await legacy.call("blender_send_message", {
      payload: { message_type: "command_dispatch", command: "get_object_info", params: { name: "Cube" } },
    });
    const uri = `blender://jobs/${sent.structured.job_id}`;
    await modern.subscribe(uri);
    let seen = 0;
    // Read, and read again each time the server says it changed, until it has ended.
    let job = await readJson(modern, uri);
    while (!["completed", "failed", "cancelled", "timeout", "lost"].includes(job.status)) {
      await modern.updatedMoreThan(uri, seen);
      seen = modern.updatedUris.filter((u) => u === uri).length;
      job = await readJson(modern, uri);
    }
    assert.equal(job.status, "completed");
    assert.equal(job.result.name, "Cube");
    assert.ok(modern.updatedUris.includes(uri), "notifications/resources/updated for the job's own resource");
    // The session that sent it still hears it the 2025 way.
    await legacy.event((e) => e.job_id === sent.structured.job_id && e.status === "completed");
  });

  test("an unknown job resource: -32602 with data.uri", async () => {
    const uri = "blender://jobs/j-nope";
    for (const client of [modern, legacy]) {
      await assert.rejects(client.client.readResource({ uri }), (e: { code?: number; data?: { uri?: string } }) => {
        assert.equal(e.code, -32602);
        assert.equal(e.data?.uri, uri);
        return true;
      });
    }
  });

  test("legacy subscribers to blender://jobs get notifications/resources/updated", async () => {
    const watcher = await connectClient(server, "http");
    try {
      await watcher.subscribe("blender://jobs");
      const updated = watcher.resourceUpdated("blender://jobs");
      await modern.call("blender_get_scene_info");
      await updated;
    } finally {
      await watcher.close();
    }
  });

  test("Blenders coming and going change the resource list: notifications/resources/list_changed", async () => {
    for (const client of [legacy, modern]) {
      let heard!: () => void;
      const changed = new Promise<void>((resolve) => (heard = resolve));
      client.client.setNotificationHandler("notifications/resources/list_changed", () => heard());
      if (client.era === "legacy") await client.subscribe("blender://clients");
      const another = new FakeAddon({ url: server.addonUrl, token: server.token, label: `another-${client.era}` });
      await another.start();
      try {
        await changed;
        const { resources } = await client.client.listResources();
        assert.ok(resources.some((r) => r.uri === `blender://clients/${another.uuid}/scene/info`));
      } finally {
        await another.close();
      }
    }
  });
});

describe("idle Streamable HTTP sessions", () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer(["--session-idle", "1", "--max-sessions-per-user", "1"]);
  });
  after(() => server?.stop());

  const post = (body: unknown, sessionId?: string) =>
    fetch(server.mcpUrl, {
      method: "POST",
      headers: {
        authorization: `Bearer ${server.token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...(sessionId ? { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" } : {}),
      },
      body: JSON.stringify(body),
    });
  const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "abandoned", version: "1" } } };

  test("an abandoned session is closed once idle, and frees its place under the limit", async () => {
    const first = await post(initialize);
    assert.equal(first.status, 200);
    const sessionId = first.headers.get("mcp-session-id")!;
    await first.text();
    // The limit is one session: a second is refused while the first is open.
    const refused = await post(initialize);
    assert.equal(refused.status, 429);
    await refused.text();
    // The client goes away without a DELETE; the server's log says when it expires.
    while (!server.logs.some((e) => e.event === "mcp.session_expired" && e.session_id === sessionId)) await once(server.process.stderr!, "data");
    const gone = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, sessionId);
    assert.equal(gone.status, 404);
    await gone.text();
    const again = await post(initialize);
    assert.equal(again.status, 200, "the expired session's place is free");
    await again.text();
  });
});
