/**
 * Whatever lands on the backplane's channels and keys, a process keeps
 * serving: a malformed message from another process (or a stray PUBLISH) is
 * logged and dropped. Two backplanes in-process on a real redis-server.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { createClient } from "redis";
import type { ServerMessage } from "@blender-mcp/protocol";
import { Hub } from "../../src/bus/hub.js";
import { JobStore, MEMORY } from "../../src/bus/job-store.js";
import { RedisBackplane } from "../../src/bus/redis-backplane.js";
import { JOBS_URI } from "../../src/bus/user-bus.js";
import { createLogger } from "../../src/log.js";
import { PageSessions } from "../../src/page/sessions.js";
import { hello } from "../support/hello.js";
import { redisSkipReason, startRedis } from "./support.js";

const skip = redisSkipReason() ?? false;
const QUEUED = { kind: "job_update", job_id: "j-1", command: "get_scene_info", status: "queued", result: null, error: "", target_uuid: "blender-b", late: false };

/** A process whose warnings are kept, with a way to wait for the nth "backplane.malformed". */
async function joined(url: string) {
  const malformed: Record<string, unknown>[] = [];
  const waiting: { n: number; wake: () => void }[] = [];
  const log = createLogger("warn", {}, (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (entry.event !== "backplane.malformed") return;
    malformed.push(entry);
    for (const w of waiting) if (malformed.length >= w.n) w.wake();
  });
  const hub = new Hub({ jobTtlMs: 60_000, maxFinishedJobs: 100, maxJobsPerUser: 10, maxJobsPerClient: 10, maxScriptBytes: 1000 }, new JobStore(MEMORY), log);
  const plane = new RedisBackplane({ url, jobTtlMs: 60_000, lostGraceMs: 1000 }, log);
  hub.useBackplane(plane);
  await plane.start(hub);
  const dropped = (n: number) => (malformed.length >= n ? Promise.resolve() : new Promise<void>((wake) => waiting.push({ n, wake })));
  return { hub, plane, malformed, dropped };
}

test("malformed backplane messages are logged and dropped, and routing goes on", { skip }, async () => {
  const redis = await startRedis();
  const a = await joined(redis.url);
  const b = await joined(redis.url);
  const stray = createClient({ url: redis.url });
  await stray.connect();
  try {
    // b listens to the user's job events, so its event channel is subscribed too.
    const busB = b.hub.bus("u");
    busB.addSession({ id: "s", notify: () => {}, resourceUpdated: () => {} });
    await busB.subscribe("s", JOBS_URI);

    const garbage: [string, string][] = [
      [`bmcp:route:${b.plane.processId}`, "not json"],
      [`bmcp:route:${b.plane.processId}`, JSON.stringify({ kind: "to_addon", user: "u", uuid: "blender-b" })],
      [`bmcp:route:${b.plane.processId}`, JSON.stringify({ kind: "update", user: "u", sender: "blender-b", update: { job_id: "j 1", status: "done" } })],
      ["bmcp:registry", JSON.stringify({ op: "attach", user: "u", uuid: "ghost", entry: { proc: "p-x" } })],
      ["bmcp:registry", "[]"],
      ["bmcp:events:u", JSON.stringify({ proc: "p-x", user: "u", priority: "loud", event: {} })],
      [`bmcp:route:${b.plane.processId}`, JSON.stringify({ kind: "cancel", user: "u", job_id: "j-1", reason: "x", status: "completed" })],
      ["bmcp:events:u", JSON.stringify({ proc: "p-x", user: "u", priority: "info", event: QUEUED, queued: { job_id: "j-1" } })],
    ];
    for (const [channel, text] of garbage) await stray.publish(channel, text);
    await b.dropped(garbage.length);
    assert.deepEqual(
      b.malformed.map((m) => m.message),
      ["routed", "routed", "routed", "registry_event", "registry_event", "remote_event", "routed", "remote_event"],
    );
    assert.ok(b.malformed.every((m) => typeof m.reason === "string" && (m.reason as string).length > 0));
    const page = new PageSessions(b.plane.pageRecords);
    const id = "a-session-id";
    await stray.set(`bmcp:page:session:${createHash("sha256").update(id).digest("base64url")}`, JSON.stringify({ user: 5 }));
    assert.equal(await page.userOf(`bmcp_page=${id}`), null, "a malformed session record signs nobody in");
    assert.equal(b.malformed.at(-1)?.message, "page_session");
    // The half-formed attach named a Blender nobody can reach: it must not be listed.
    assert.equal(busB.listClients().some((c) => c.uuid === "ghost"), false);

    // A Blender on b, a job from a: still routed there and back.
    const sent: ServerMessage[] = [];
    let delivered = () => {};
    const arrived = new Promise<void>((resolve) => (delivered = resolve));
    busB.attach(hello("blender-b"), { send: (m) => (sent.push(m), delivered()), close: () => {} });
    const busA = a.hub.bus("u");
    while (!busA.listClients().some((c) => c.uuid === "blender-b")) await new Promise((r) => setImmediate(r));
    const started = busA.start({ kind: "command", command: "get_scene_info", params: {}, priority: "info", timeoutMs: 10_000, origin: null, targetUuid: "blender-b" });
    if (!started.ok) assert.fail(`not started: ${started.error}`);
    await arrived;
    assert.equal(sent[0]?.message_type, "command_dispatch");
    assert.deepEqual(busB.update("blender-b", { job_id: started.job.job_id, status: "completed", result: { ok: 1 }, error: "" }), { accepted: true });
    const done = await started.job.done;
    assert.equal(done.status, "completed");
    assert.deepEqual(done.result, { ok: 1 });
    // a hears the registry channel too, and b's attach after the garbage: it dropped those two and nothing its peer sent.
    assert.deepEqual(a.malformed.map((m) => m.message), ["registry_event", "registry_event"]);
  } finally {
    await stray.close();
    await a.plane.close();
    await b.plane.close();
    await redis.stop();
  }
});
