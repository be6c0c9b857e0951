/**
 * Scale-out: several serve processes share users' buses through a real
 * redis-server. Jobs cross processes both ways, with their notifications,
 * progress, cancels and late replies; kill -9 of one process in the middle
 * of a 10,000-job soak leaves every job with exactly one terminal status.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { TERMINAL_JOB_STATES } from "@blender-mcp/protocol";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { redisSkipReason, startBalancer, startRedis } from "./support.js";

const skip = redisSkipReason() ?? false;

const FLAGS = ["--requests-per-second", "0", "--max-frames-per-second", "0", "--max-jobs-per-user", "100000", "--max-jobs-per-client", "100000", "--lost-grace", "1"];

/** The first process creates the shared data folder's local token; the others read it, so all accept the same token. */
async function startCluster(redisUrl: string, count: number, dataDir: string): Promise<ServerProcess[]> {
  const servers: ServerProcess[] = [];
  for (let i = 0; i < count; i++) servers.push(await startServer(["--redis", redisUrl, ...FLAGS], { dataDir }));
  return servers;
}

/** Resolves once the client's process lists every uuid (remote attaches arrive through Redis, announced as resource updates). */
async function sees(client: TestClient, uuids: string[]): Promise<void> {
  await client.client.subscribeResource({ uri: "blender://clients" });
  for (;;) {
    // Cleared before listing: an update that lands while the list is on its way still wakes the wait below.
    client.updatedUris.length = 0;
    const { structured } = await client.call("blender_list_clients");
    const listed = new Set((structured.clients as { uuid: string }[]).map((c) => c.uuid));
    if (uuids.every((u) => listed.has(u))) return;
    await client.resourceUpdated("blender://clients");
  }
}

test("a session on one process drives a Blender on another: results, progress, notifications, cancel, late replies", { skip }, async () => {
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), "scale-out-"));
  const [a, b] = await startCluster(redis.url, 2, dataDir);
  const blender = new FakeAddon({ url: b!.addonUrl, token: b!.token, uuid: "on-b" });
  const onA = await connectClient(a!, "http");
  const watcherOnB = await connectClient(b!, "http");
  try {
    await watcherOnB.client.subscribeResource({ uri: "blender://jobs" });
    await blender.start();
    await sees(onA, ["on-b"]);

    const info = await onA.call("blender_get_object_info", { name: "Cube" });
    assert.equal(info.structured.status, "completed", info.structured.error);
    assert.equal(info.structured.target_uuid, "on-b");
    // The origin session hears of its job; a subscriber on the Blender's own process does too.
    await onA.event((e) => e.job_id === info.structured.job_id && e.status === "completed");
    await watcherOnB.event((e) => e.job_id === info.structured.job_id && e.status === "completed");

    blender.behaveOnce("get_scene_info", { kind: "slow", ms: 300, progressSteps: 3 });
    const progress: number[] = [];
    const slow = await onA.call("blender_get_scene_info", {}, { onprogress: (p) => progress.push(p.progress) });
    assert.equal(slow.structured.status, "completed");
    assert.ok(progress.length >= 3, `progress crossed processes: ${JSON.stringify(progress)}`);

    blender.behaveOnce("get_scene_info", { kind: "never" });
    const abort = new AbortController();
    const cancelled = onA.call("blender_get_scene_info", {}, { signal: abort.signal }).catch((e: Error) => e);
    const running = await onA.event((e) => e.command === "get_scene_info" && e.status === "running" && e.job_id !== slow.structured.job_id);
    abort.abort();
    await cancelled;
    while (!blender.received.some((m) => m.message_type === "cancel" && m.job_id === running.job_id)) await once(blender, "message");
    const { structured: afterCancel } = await onA.call("blender_get_job", { job_id: running.job_id });
    assert.equal(afterCancel.status, "cancelled");

    blender.behaveOnce("get_scene_info", { kind: "slow", ms: 1500 });
    const sent = await onA.call("blender_send_message", { payload: { message_type: "command_dispatch", command: "get_scene_info", params: {} }, timeout_seconds: 0.5 });
    assert.equal(sent.structured.status, "queued");
    const late = await onA.event((e) => e.job_id === sent.structured.job_id && e.late === true);
    assert.equal(late.status, "timeout");
    // Read through the Blender's process: the shared record has the late result.
    const { structured: fromB } = await watcherOnB.call("blender_get_job", { job_id: sent.structured.job_id });
    assert.equal(fromB.status, "timeout");
    assert.equal(fromB.late, true);
    assert.ok(fromB.result, "the late result is kept");
  } finally {
    await onA.close();
    await watcherOnB.close();
    await blender.close();
    for (const s of [a!, b!]) await s.stop();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("soak: 10,000 jobs across three processes, one killed with -9 midway; every job ends exactly once", { skip, timeout: 180_000 }, async () => {
  const TOTAL = 10_000;
  const redis = await startRedis();
  const dataDir = await mkdtemp(join(tmpdir(), "scale-out-"));
  const servers = await startCluster(redis.url, 3, dataDir);
  const balancer = await startBalancer(servers.map((s) => s.port));
  const token = servers[0]!.token;
  const blenders = Array.from({ length: 6 }, (_, i) => new FakeAddon({ url: `ws://127.0.0.1:${balancer.port}/addon`, token, uuid: `soak-${i}`, reconnect: true }));
  const clients = await Promise.all(servers.map((s) => connectClient(s, "http")));
  const victim = 2;
  try {
    await Promise.all(blenders.map((b) => b.start()));
    await Promise.all(clients.map((c) => sees(c, blenders.map((b) => b.uuid))));

    const started = new Map<string, number>(); // job id -> index of the process whose session sent it
    const attempted: string[] = [];
    let next = 0;
    let killed: Promise<unknown> | null = null;
    const worker = async () => {
      for (let i = next++; i < TOTAL; i = next++) {
        if (i === TOTAL / 2) {
          const exited = once(servers[victim]!.process, "exit");
          servers[victim]!.process.kill("SIGKILL");
          killed = exited;
        }
        const via = killed ? i % 2 : i % 3;
        const jobId = `soak-${i}`;
        attempted.push(jobId);
        const sent = await clients[via]!
          .call("blender_send_message", { payload: { message_type: "command_dispatch", command: "get_scene_info", params: {}, job_id: jobId }, target_uuid: `soak-${i % 6}`, timeout_seconds: 30 })
          .catch(() => null);
        if (sent && !sent.isError) started.set(jobId, via);
      }
    };
    await Promise.all(Array.from({ length: 48 }, worker));
    assert.ok(started.size > TOTAL * 0.8, `most jobs started (${started.size})`);

    // Every attempted job either never started (a refusal the sender saw) or ends with one terminal status.
    const survivors = [clients[0]!, clients[1]!];
    const statuses = new Map<string, string>();
    let cursor = 0;
    const check = async () => {
      for (let i = cursor++; i < attempted.length; i = cursor++) {
        const jobId = attempted[i]!;
        const { structured, isError } = await survivors[i % 2]!.call("blender_get_job", { job_id: jobId, wait_seconds: 60 });
        if (isError) {
          assert.ok(!started.has(jobId), `job ${jobId} was started but no process knows it`);
          continue;
        }
        assert.ok(TERMINAL_JOB_STATES.includes(structured.status), `job ${jobId} is still ${structured.status}`);
        statuses.set(jobId, structured.status);
      }
    };
    await Promise.all(Array.from({ length: 32 }, check));
    for (const jobId of started.keys()) assert.ok(statuses.has(jobId), `job ${jobId} has a terminal status`);

    // Sessions on the survivors heard each of their jobs end once, with the status the record keeps.
    for (const [index, client] of survivors.entries()) {
      const ends = new Map<string, string[]>();
      for (const e of client.events) {
        if (e.job_id && !e.late && TERMINAL_JOB_STATES.includes(e.status!)) ends.set(e.job_id, [...(ends.get(e.job_id) ?? []), e.status!]);
      }
      for (const [jobId, via] of started) {
        if (via !== index) continue;
        assert.deepEqual(ends.get(jobId), [statuses.get(jobId)], `job ${jobId}: one terminal notification matching its record`);
      }
    }
    const counts: Record<string, number> = {};
    for (const s of statuses.values()) counts[s] = (counts[s] ?? 0) + 1;
    assert.ok((counts.completed ?? 0) > TOTAL * 0.7, `most jobs completed: ${JSON.stringify(counts)}`);
    console.log(`soak: ${attempted.length} attempted, ${started.size} started, ${JSON.stringify(counts)}`);
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    for (const b of blenders) await b.close();
    await balancer.close();
    for (const s of servers) await s.stop();
    await redis.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
