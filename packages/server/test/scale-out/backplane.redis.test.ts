/**
 * The Redis backplane in-process, two of them on a real redis-server: the
 * edges the process-level tests cannot aim at.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BusEvent, Job, ServerMessage } from "@blender-mcp/protocol";
import { Hub } from "../../src/bus/hub.js";
import { JobStore, MEMORY } from "../../src/bus/job-store.js";
import { RedisBackplane } from "../../src/bus/redis-backplane.js";
import { JOBS_URI } from "../../src/bus/user-bus.js";
import { createLogger } from "../../src/log.js";
import { hello } from "../support/hello.js";
import { redisSkipReason, startRedis } from "./support.js";

const skip = redisSkipReason() ?? false;

async function joined(url: string) {
  const log = createLogger("silent");
  const hub = new Hub({ jobTtlMs: 60_000, maxFinishedJobs: 100, maxJobsPerUser: 10, maxJobsPerClient: 10, maxScriptBytes: 1000 }, new JobStore(MEMORY), log);
  const plane = new RedisBackplane({ url, jobTtlMs: 60_000, lostGraceMs: 1000 }, log);
  hub.useBackplane(plane);
  await plane.start(hub);
  return { hub, plane };
}

test("a blender://jobs subscriber that unsubscribes and subscribes again at once keeps hearing other processes", { skip }, async () => {
  const redis = await startRedis();
  const a = await joined(redis.url);
  const b = await joined(redis.url);
  try {
    const heard: string[] = [];
    let wake = () => {};
    const bus = b.hub.bus("u");
    bus.addSession({ id: "s", notify: (_logger, _level, data) => (heard.push((data as BusEvent).job_id ?? ""), wake()), resourceUpdated: () => {} });
    await bus.subscribe("s", JOBS_URI);
    // The UNSUBSCRIBE's reply comes back after the new subscription was asked for.
    bus.unsubscribe("s", JOBS_URI);
    await bus.subscribe("s", JOBS_URI);
    const event = (jobId: string): BusEvent => ({ kind: "job_update", job_id: jobId, command: "get_scene_info", status: "completed", result: null, error: "", target_uuid: "x", late: false }) as BusEvent;
    for (const jobId of ["j-first", "j-second"]) {
      a.plane.eventEmitted("u", "info", event(jobId));
      const deadline = setTimeout(() => wake(), 5000);
      while (!heard.includes(jobId)) {
        const before = heard.length;
        await new Promise<void>((resolve) => (wake = resolve));
        if (heard.length === before) assert.fail(`${jobId} never reached the subscriber on the other process (heard ${JSON.stringify(heard)})`);
      }
      clearTimeout(deadline);
    }
  } finally {
    await a.plane.close();
    await b.plane.close();
    await redis.stop();
  }
});

test("a cancel asked for on another process ends the job where it is held, once; a queued job is announced to pages there", { skip }, async () => {
  const redis = await startRedis();
  const a = await joined(redis.url);
  const b = await joined(redis.url);
  try {
    // A live page on b: it shows jobs from the queue on, and MCP sessions there still hear of a job only at its first update.
    const queued: Job[] = [];
    const notified: BusEvent[] = [];
    let wake = () => {};
    const busB = b.hub.bus("u");
    busB.addSession({ id: "page", notify: (_l, _p, event) => notified.push(event), resourceUpdated: () => {}, jobQueued: (job) => (queued.push(job), wake()) });
    await busB.subscribe("page", JOBS_URI);

    const sent: ServerMessage[] = [];
    const busA = a.hub.bus("u");
    busA.attach(hello("blender-a"), { send: (m) => void sent.push(m), close: () => {} });
    const started = busA.start({ kind: "command", command: "get_scene_info", params: {}, priority: "info", timeoutMs: 30_000, origin: null });
    if (!started.ok) assert.fail(`not started: ${started.error}`);
    await started.recorded;
    const jobId = started.job.job_id;
    while (!queued.some((j) => j.job_id === jobId)) await new Promise<void>((resolve) => (wake = resolve));
    assert.deepEqual([queued[0]!.status, queued[0]!.target_uuid, queued[0]!.kind], ["queued", "blender-a", "command"]);
    assert.equal(notified.length, 0, "nothing was notified for the queued job");

    assert.equal(await b.plane.cancelJob("u", jobId, "cancelled by u on the live page", "failed"), "sent");
    const done = await started.job.done;
    assert.deepEqual([done.status, done.error], ["failed", "cancelled by u on the live page"]);
    assert.ok(sent.some((m) => m.message_type === "cancel" && m.job_id === jobId), "its Blender was told");
    assert.deepEqual(await b.plane.cancelJob("u", jobId, "again", "failed"), { status: "ended", error: `job ${jobId} already ended as failed` });
    assert.equal(await b.plane.cancelJob("u", "j-000000000000", "x", "failed"), "unknown");
    assert.equal(await b.plane.cancelJob("someone-else", jobId, "x", "failed"), "unknown", "another user's job is unknown");

    // A second job, then a is gone: nobody listens on its route channel.
    const next = busA.start({ kind: "command", command: "get_scene_info", params: {}, priority: "info", timeoutMs: 30_000, origin: null });
    if (!next.ok) assert.fail(`not started: ${next.error}`);
    await next.recorded;
    await a.plane.close();
    const refused = await b.plane.cancelJob("u", next.job.job_id, "x", "failed");
    assert.equal(typeof refused === "object" && refused.status, "unreachable");
    assert.match((refused as { error: string }).error, new RegExp(`server process ${a.plane.processId}, which holds job ${next.job.job_id}, is not answering`));
    busA.cancel(next.job, "the test is over");
  } finally {
    await a.plane.close().catch(() => {});
    await b.plane.close();
    await redis.stop();
  }
});
