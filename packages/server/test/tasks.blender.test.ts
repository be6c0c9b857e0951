/**
 * MCP tasks against real Blender 3.4 (the addon installed from the built zip):
 * a blender_execute_code task runs Blender's Python and tasks/get returns its
 * output; a task cancelled while Blender is busy stays cancelled when
 * Blender's late reply comes in. Skipped without Blender 3.4 unless
 * REQUIRE_BLENDER names it. (Slow tier: it starts a real Blender.)
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { blenderSkipReason } from "@blender-mcp/test-support/blender";
import { blenderKind } from "./contract/blender-kind.js";
import type { Peer } from "./contract/peer.js";
import type { TestClient } from "./support/mcp-client.js";
import { startServer, type ServerProcess } from "./support/server-process.js";
import { callTool, cancelTask, followTask, getTask, modernClient } from "./mcp-eras/tasks-client.js";

const skip = await blenderSkipReason("3.4");

describe("MCP tasks on Blender 3.4", { skip }, () => {
  let server: ServerProcess;
  let blender: Peer;
  let client: TestClient;

  before(async () => {
    server = await startServer();
    blender = await blenderKind("3.4").start({ url: server.addonUrl, token: server.token, label: "tasks-3.4" });
    client = await modernClient(server, { tasks: true });
  });
  after(async () => {
    await client?.close();
    await blender?.stop();
    await server?.stop();
  });

  test("a blender_execute_code task ends completed with what Blender printed", async () => {
    const created = await callTool(client, "blender_execute_code", { code: "import bpy\nprint('version', bpy.app.version_string)" });
    assert.equal(created.resultType, "task");
    const task = await followTask(client, created.taskId);
    assert.equal(task.status, "completed", task.statusMessage);
    assert.equal(task.result.structuredContent.target_uuid, blender.uuid);
    assert.match(task.result.structuredContent.result.stdout, /^version 3\.4/m);
  });

  test("cancelled while Blender runs it: cancelled, and still cancelled after Blender's late reply", async () => {
    const created = await callTool(client, "blender_execute_code", { code: "import time\ntime.sleep(3)\nprint('slept')" });
    // Until Blender has started it (a queued job's cancel drops it before it runs: no late reply to test).
    const uri = `blender://jobs/${created.taskId}`;
    await client.subscribe(uri);
    for (;;) {
      const seen = client.updatedUris.filter((u) => u === uri).length;
      if (/^running/.test((await getTask(client, created.taskId)).statusMessage)) break;
      await client.updatedMoreThan(uri, seen);
    }
    await cancelTask(client, created.taskId);
    const task = await followTask(client, created.taskId);
    assert.equal(task.status, "cancelled");
    // Blender finishes the script anyway and reports it: the next job waits behind it, so once it ran, the reply is in.
    const next = await followTask(client, (await callTool(client, "blender_execute_code", { code: "print('after')" })).taskId);
    assert.equal(next.status, "completed");
    const again = await getTask(client, created.taskId);
    assert.equal(again.status, "cancelled");
    assert.match(again.statusMessage, /cancelled; Blender finished it afterwards/);
    assert.notEqual(again.lastUpdatedAt, task.lastUpdatedAt, "the late reply was recorded on the job");
  });
});
