/**
 * MCP tasks (io.modelcontextprotocol/tasks, SEP-2663) for the long tools, on
 * the fake addon: a 2026-07-28 client that declares the extension gets a task
 * for blender_execute_code and follows it with tasks/get to the result the
 * call would have returned; tasks/cancel and a legacy client's cancel end a
 * job once between them; tasks are the user's own; a task outlives a restart.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { freePort } from "../scale-out/support.js";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { CLI, startServer, type ServerProcess } from "../support/server-process.js";
import { cancelTask, callTool, followTask, getTask, modernClient, rejectsWith, rpc, TASKS, withoutMeta } from "./tasks-client.js";

describe("MCP tasks for the long tools", () => {
  let server: ServerProcess;
  let fake: FakeAddon;
  let tasker: TestClient;
  let plain: TestClient;
  let legacy: TestClient;

  before(async () => {
    server = await startServer();
    fake = new FakeAddon({ url: server.addonUrl, token: server.token, label: "tasks" });
    await fake.start();
    [tasker, plain, legacy] = await Promise.all([modernClient(server, { tasks: true }), modernClient(server, { tasks: false }), connectClient(server, "http")]);
  });
  after(async () => {
    await Promise.all([tasker, plain, legacy].map((c) => c?.close()));
    await fake?.close();
    await server?.stop();
  });

  test("the server advertises the extension to 2026-07-28 clients", () => {
    assert.deepEqual(tasker.client.getServerCapabilities()?.extensions?.[TASKS], {});
    assert.equal(legacy.client.getServerCapabilities()?.extensions?.[TASKS], undefined);
  });

  test("a task only for a long tool, and only when the request declares the extension", async () => {
    const code = { code: "print(1)" };
    const task = await callTool(tasker, "blender_execute_code", code);
    assert.equal(task.resultType, "task");
    assert.equal(task.status, "working");
    assert.match(task.taskId, /^j-/);
    assert.equal(task.content, undefined, "a CreateTaskResult, not a CallToolResult");
    for (const [client, name] of [
      [plain, "blender_execute_code"],
      [tasker, "blender_get_scene_info"],
    ] as const) {
      const answer = await callTool(client, name, name === "blender_execute_code" ? code : {});
      assert.equal(answer.taskId, undefined, `${name} answered whole`);
      assert.equal(answer.resultType, "complete");
      assert.equal(answer.structuredContent.status, "completed");
    }
    // 2025-11-25 has no such extension: a legacy client's call is answered whole.
    const { structured } = await legacy.call("blender_execute_code", code);
    assert.equal(structured.status, "completed");
    await followTask(tasker, task.taskId);
  });

  test("tasks/get follows a task to completed, its result what the tool call returns", async () => {
    fake.behaveOnce("execute_code", { kind: "slow", ms: 300, progressSteps: 2 });
    const created = await callTool(tasker, "blender_execute_code", { code: "print('slow')" });
    assert.equal(created.status, "working");
    assert.ok(created.ttlMs > 0 && created.pollIntervalMs > 0);
    const task = await followTask(tasker, created.taskId);
    assert.equal(task.status, "completed", task.statusMessage);
    assert.equal(task.taskId, created.taskId);
    assert.equal(task.createdAt, created.createdAt);
    const whole = await callTool(plain, "blender_execute_code", { code: "print('slow')" });
    const result = task.result;
    assert.deepEqual({ ...result.structuredContent, job_id: null }, { ...whole.structuredContent, job_id: null });
    assert.equal(result.structuredContent.job_id, created.taskId);
    assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
    assert.equal(result.isError, undefined);
  });

  test("a job that fails in Blender is a completed task carrying the tool error", async () => {
    fake.behaveOnce("execute_code", { kind: "fail", error: "NameError: nope" });
    const created = await callTool(tasker, "blender_execute_code", { code: "nope" });
    const task = await followTask(tasker, created.taskId);
    assert.equal(task.status, "completed");
    assert.equal(task.result.isError, true);
    assert.equal(task.result.structuredContent.status, "failed");
    assert.match(task.result.structuredContent.error, /NameError/);
  });

  test("tasks/cancel ends the job cancelled once; a legacy client's cancel after it changes nothing", async () => {
    fake.behaveOnce("execute_code", { kind: "never" });
    const created = await callTool(tasker, "blender_execute_code", { code: "while True: pass" });
    assert.deepEqual(withoutMeta(await cancelTask(tasker, created.taskId)), {});
    const task = await followTask(tasker, created.taskId);
    assert.equal(task.status, "cancelled");
    assert.match(task.statusMessage, /tasks\/cancel/);
    // Once ended, a second cancel from the task's client is acknowledged and changes nothing.
    assert.deepEqual(withoutMeta(await cancelTask(tasker, created.taskId)), {});
    // The legacy client waits on the job and gives up (its request cancelled): the job stays as the first cancel left it.
    const waiting = new AbortController();
    const wait = legacy.call("blender_get_job", { job_id: created.taskId, wait_seconds: 30 }, { signal: waiting.signal });
    waiting.abort();
    await assert.rejects(wait);
    const again = await getTask(tasker, created.taskId);
    assert.deepEqual(again, task);
    const { structured: job } = await legacy.call("blender_get_job", { job_id: created.taskId });
    assert.equal(job.status, "cancelled");
  });

  test("a legacy client's cancel ends a job once; the modern client's task sees it, and its tasks/cancel is a no-op", async () => {
    fake.behaveOnce("execute_code", { kind: "never" });
    const before = new Set(legacy.events.map((e) => e.job_id));
    const request = new AbortController();
    const call = legacy.call("blender_execute_code", { code: "import time; time.sleep(60)" }, { signal: request.signal });
    const running = await legacy.event((e) => !before.has(e.job_id) && e.command === "execute_code" && e.status === "running");
    request.abort();
    await assert.rejects(call);
    const ended = await followTask(tasker, running.job_id);
    assert.equal(ended.status, "cancelled");
    assert.match(ended.statusMessage, /MCP client cancelled the request/);
    assert.deepEqual(withoutMeta(await cancelTask(tasker, running.job_id)), {});
    assert.deepEqual(await getTask(tasker, running.job_id), ended);
  });

  test("bad task ids: -32602 saying what a task id is; raw script jobs are not tasks", async () => {
    await assert.rejects(getTask(tasker, "j-nope"), rejectsWith(-32602, /no task j-nope on your bus.*taskId a tools\/call answered with/));
    await assert.rejects(rpc(tasker, "tasks/get", {}), rejectsWith(-32602, /needs params\.taskId, a non-empty string/));
    await assert.rejects(cancelTask(tasker, "j-nope"), rejectsWith(-32602, /no task j-nope/));
    await assert.rejects(rpc(tasker, "tasks/update", { taskId: "j-nope", inputResponses: {} }), rejectsWith(-32602, /no task j-nope/));
    const sent = await legacy.call("blender_send_message", { payload: { message_type: "job_dispatch", script: "print(1)" } });
    await assert.rejects(getTask(tasker, sent.structured.job_id), rejectsWith(-32602, /no task/));
  });

  test("tasks/* from a client that did not declare the extension: -32021 naming it", async () => {
    const created = await callTool(tasker, "blender_execute_code", { code: "print(2)" });
    for (const method of ["tasks/get", "tasks/cancel"]) {
      await assert.rejects(rpc(plain, method, { taskId: created.taskId }), (e: { code?: number; data?: any }) => {
        assert.equal(e.code, -32021);
        assert.deepEqual(e.data?.requiredCapabilities, { extensions: { [TASKS]: {} } });
        return true;
      });
    }
    await followTask(tasker, created.taskId);
  });

  test("another user's token: the same not-found as a task that never existed, and no cancel", async () => {
    fake.behaveOnce("execute_code", { kind: "never" });
    const created = await callTool(tasker, "blender_execute_code", { code: "print('mine')" });
    const bobToken = (await promisify(execFile)(process.execPath, [CLI, "token", "create", "--user", "bob", "--data-dir", server.dataDir])).stdout.trim();
    const bob = await modernClient(server, { tasks: true, token: bobToken });
    try {
      await assert.rejects(getTask(bob, created.taskId), rejectsWith(-32602, new RegExp(`no task ${created.taskId} on your bus`)));
      await assert.rejects(cancelTask(bob, created.taskId), rejectsWith(-32602, /no task/));
      assert.equal((await getTask(tasker, created.taskId)).status, "working");
    } finally {
      await bob.close();
    }
    await cancelTask(tasker, created.taskId);
    assert.equal((await followTask(tasker, created.taskId)).status, "cancelled");
  });
});

describe("2025-11-25 tasks (the revision's experimental tasks capability) over the same jobs", () => {
  let server: ServerProcess;
  let fake: FakeAddon;
  let legacy: TestClient;
  let tasker: TestClient;
  const legacyCall = (name: string, args: Record<string, unknown>) => rpc(legacy, "tools/call", { name, arguments: args, task: { ttl: 60_000 } });

  before(async () => {
    server = await startServer();
    fake = new FakeAddon({ url: server.addonUrl, token: server.token, label: "legacy-tasks" });
    await fake.start();
    [legacy, tasker] = await Promise.all([connectClient(server, "http"), modernClient(server, { tasks: true })]);
  });
  after(async () => {
    await Promise.all([legacy, tasker].map((c) => c?.close()));
    await fake?.close();
    await server?.stop();
  });

  test("the tasks capability, and execution.taskSupport on the long tools only, for a client that knows tasks", async () => {
    assert.deepEqual(legacy.client.getServerCapabilities()?.tasks, { cancel: {}, requests: { tools: { call: {} } } });
    assert.equal(tasker.client.getServerCapabilities()?.tasks, undefined, "2026-07-28 has the extension instead");
    const knowing = new Client({ name: "tasks-test", version: "1.0.0" }, { capabilities: { tasks: {} } });
    await knowing.connect(new StreamableHTTPClientTransport(server.mcpUrl, { requestInit: { headers: { authorization: `Bearer ${server.token}` } } }));
    try {
      const { tools } = await knowing.listTools();
      const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport]));
      assert.equal(support.blender_execute_code, "optional");
      assert.equal(support.blender_render_still, "optional");
      assert.equal(support.blender_get_scene_info, undefined);
    } finally {
      await knowing.close();
    }
    // Every other client's listing costs no more than before.
    const { tools } = await legacy.client.listTools();
    assert.ok(tools.every((t) => t.execution === undefined));
  });

  test("params.task: a task; tasks/result waits and returns what the call returns, tagged with the task", async () => {
    fake.behaveOnce("execute_code", { kind: "slow", ms: 200 });
    const { task } = await legacyCall("blender_execute_code", { code: "print(3)" });
    assert.equal(task.status, "working");
    assert.ok(task.ttl > 0 && task.pollInterval > 0);
    const result = await rpc(legacy, "tasks/result", { taskId: task.taskId });
    assert.deepEqual(result._meta["io.modelcontextprotocol/related-task"], { taskId: task.taskId });
    assert.equal(result.structuredContent.status, "completed");
    assert.equal(result.structuredContent.job_id, task.taskId);
    const { structured: whole } = await legacy.call("blender_execute_code", { code: "print(3)" });
    assert.deepEqual({ ...result.structuredContent, job_id: null }, { ...whole, job_id: null });
    const got = await rpc(legacy, "tasks/get", { taskId: task.taskId });
    assert.equal(got.status, "completed");
    assert.equal(got.result, undefined, "2025-11-25 returns the result through tasks/result only");
  });

  test("params.task on a tool without taskSupport: -32601 saying to call it plainly", async () => {
    await assert.rejects(legacyCall("blender_get_scene_info", {}), rejectsWith(-32601, /does not run as a task.*without params\.task/));
  });

  test("tasks/cancel: cancelled at once, once; again is -32602; the modern client sees the same task cancelled", async () => {
    fake.behaveOnce("execute_code", { kind: "never" });
    const { task } = await legacyCall("blender_execute_code", { code: "while True: pass" });
    const cancelled = await rpc(legacy, "tasks/cancel", { taskId: task.taskId });
    assert.equal(cancelled.status, "cancelled");
    await assert.rejects(rpc(legacy, "tasks/cancel", { taskId: task.taskId }), rejectsWith(-32602, /already ended \(cancelled\)/));
    assert.equal((await getTask(tasker, task.taskId)).status, "cancelled");
    const result = await rpc(legacy, "tasks/result", { taskId: task.taskId });
    assert.equal(result.isError, true);
    assert.match(result.structuredContent.error, /tasks\/cancel/);
  });

  test("an unknown task id: -32602", async () => {
    await assert.rejects(rpc(legacy, "tasks/get", { taskId: "j-nope" }), rejectsWith(-32602, /no task j-nope on your bus/));
  });
});

test("a task outlives a restart of the server with its job store", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "tasks-restart-"));
  const port = await freePort();
  let server = await startServer([], { dataDir, port });
  const fake = new FakeAddon({ url: server.addonUrl, token: server.token, label: "restart" });
  await fake.start();
  try {
    let client = await modernClient(server, { tasks: true });
    const created = await callTool(client, "blender_execute_code", { code: "print('kept')" });
    const done = await followTask(client, created.taskId);
    assert.equal(done.status, "completed");
    await client.close();
    await fake.close();
    await server.stop();
    server = await startServer([], { dataDir, port });
    client = await modernClient(server, { tasks: true });
    const again = await getTask(client, created.taskId);
    assert.equal(again.status, "completed");
    assert.deepEqual(again.result, done.result);
    assert.equal(again.createdAt, done.createdAt);
    await client.close();
  } finally {
    await fake.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
