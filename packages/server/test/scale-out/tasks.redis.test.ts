/**
 * MCP tasks with --redis: a task started through one serve process is
 * followed with tasks/get through another, from the shared record; a
 * tasks/cancel there is acknowledged but cannot reach the job, and the job
 * ends only when cancelled through the process that holds it.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { startServer } from "../support/server-process.js";
import { callTool, cancelTask, followTask, getTask, modernClient } from "../mcp-eras/tasks-client.js";
import { redisSkipReason, startRedis } from "./support.js";

const skip = redisSkipReason() ?? false;

test("a task started on one process is followed and ended from another, once", { skip }, async () => {
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), "tasks-redis-"));
  const flags = ["--redis", redis.url, "--requests-per-second", "0"];
  // The first process creates the shared data folder's local token; the second reads it.
  const a = await startServer(flags, { dataDir });
  const b = await startServer(flags, { dataDir });
  const fake = new FakeAddon({ url: a.addonUrl, token: a.token, label: "on-a" });
  await fake.start();
  const [onA, onB] = await Promise.all([modernClient(a, { tasks: true }), modernClient(b, { tasks: true })]);
  try {
    const done = await callTool(onA, "blender_execute_code", { code: "print('shared')" });
    const seenFromB = await followTask(onB, done.taskId);
    assert.equal(seenFromB.status, "completed", seenFromB.statusMessage);
    assert.deepEqual(seenFromB.result, (await getTask(onA, done.taskId)).result);

    fake.behaveOnce("execute_code", { kind: "never" });
    const stuck = await callTool(onA, "blender_execute_code", { code: "while True: pass" });
    assert.equal((await getTask(onB, stuck.taskId)).status, "working");
    // Cooperative: acknowledged, but the job lives on process A.
    await cancelTask(onB, stuck.taskId);
    assert.equal((await getTask(onA, stuck.taskId)).status, "working");
    await cancelTask(onA, stuck.taskId);
    const ended = await followTask(onB, stuck.taskId);
    assert.equal(ended.status, "cancelled");
    assert.match(ended.statusMessage, /tasks\/cancel/);
  } finally {
    await Promise.all([onA.close(), onB.close()]);
    await fake.close();
    for (const s of [a, b]) await s.stop();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
