/**
 * The Redis backplane in-process, two of them on a real redis-server: the
 * edges the process-level tests cannot aim at.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BusEvent } from "@blender-mcp/protocol";
import { Hub } from "../../src/bus/hub.js";
import { JobStore, MEMORY } from "../../src/bus/job-store.js";
import { RedisBackplane } from "../../src/bus/redis-backplane.js";
import { JOBS_URI } from "../../src/bus/user-bus.js";
import { createLogger } from "../../src/log.js";
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
