/**
 * The pool: target_uuid "worker" sends a job to the least loaded headless
 * worker that offers the command, never to a Blender with a UI; workers stay
 * ordinary targets by uuid.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";

let server: ServerProcess;
let client: TestClient;
const addons: FakeAddon[] = [];

async function addon(uuid: string, clientType: string, commands?: string[]): Promise<FakeAddon> {
  const a = new FakeAddon({ url: server.addonUrl, token: server.token, uuid, clientType, ...(commands ? { commands } : {}) });
  await a.start();
  addons.push(a);
  return a;
}

before(async () => {
  server = await startServer();
  client = await connectClient(server, "http");
});
after(async () => {
  await Promise.all(addons.map((a) => a.close()));
  await client?.close();
  await server?.stop();
});

/** Queues a command that stays in flight (the fakes never answer it) and says where it went. */
async function hold(command: string): Promise<string> {
  const { structured } = await client.call("blender_send_message", {
    target_uuid: "worker",
    payload: { message_type: "command_dispatch", command, params: {} },
  });
  assert.ok(structured.job_id, structured.error);
  return structured.target_uuid;
}

test('with no worker connected, "worker" says how to start one', async () => {
  await addon("ui", "blender");
  const { structured } = await client.call("blender_get_scene_info", { target_uuid: "worker" });
  assert.equal(structured.status, "no_client");
  assert.match(structured.error, /blender-mcp worker/);
});

test('"worker" picks the least loaded worker that offers the command, never the UI Blender', async () => {
  for (const uuid of ["w1", "w2"]) (await addon(uuid, "worker")).behave("get_scene_info", { kind: "never" });
  await addon("w3", "worker", ["get_scene_info"]);
  addons.find((a) => a.uuid === "w3")!.behave("get_scene_info", { kind: "never" });
  // All idle: the first connected; then whichever has fewer jobs in flight.
  assert.deepEqual([await hold("get_scene_info"), await hold("get_scene_info"), await hold("get_scene_info")], ["w1", "w2", "w3"]);
  assert.equal(await hold("get_scene_info"), "w1");
  // w3 does not offer execute_code; of w1 (2 in flight) and w2 (1), w2 is the less loaded.
  const { structured } = await client.call("blender_execute_code", { code: "print(1)", target_uuid: "worker" });
  assert.equal(structured.status, "completed", structured.error);
  assert.equal(structured.target_uuid, "w2");
  // By uuid a worker is an ordinary target.
  assert.equal((await client.call("blender_execute_code", { code: "print(1)", target_uuid: "w3" })).structured.status, "failed");
  assert.equal((await client.call("blender_get_object_info", { name: "Cube", target_uuid: "w1" })).structured.target_uuid, "w1");
});
