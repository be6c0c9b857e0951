import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ServerMessage } from "@blender-mcp/protocol";
import { Hub } from "../../src/bus/hub.js";
import { JobStore, MEMORY } from "../../src/bus/job-store.js";
import { JobWaiter } from "../../src/bus/job-waiter.js";
import type { JobRequest, UserBus } from "../../src/bus/user-bus.js";
import { createLogger } from "../../src/log.js";
import { hello } from "../support/hello.js";

function link() {
  const sent: ServerMessage[] = [];
  const closes: [number, string][] = [];
  return { sent, closes, send: (m: ServerMessage) => void sent.push(m), close: (code: number, reason: string) => void closes.push([code, reason]) };
}

const LIMITS = { maxJobsPerUser: 5, maxJobsPerClient: 4, maxScriptBytes: 100 };
const hub = (max = 100) => new Hub({ jobTtlMs: 60_000, maxFinishedJobs: max, ...LIMITS }, new JobStore(MEMORY), createLogger("silent"));
const request = (over: Partial<JobRequest> = {}): JobRequest =>
  ({ kind: "command", command: "get_scene_info", params: {}, priority: "info", timeoutMs: 500, origin: null, ...over }) as JobRequest;

function started(bus: UserBus, over: Partial<JobRequest> = {}) {
  const result = bus.start(request(over));
  if (!result.ok) assert.fail(`not started: ${result.status}: ${result.error}`);
  return result.job;
}

describe("JobWaiter", () => {
  test("delivers once per (user, job); the same job id of another user is another waiter", async () => {
    const waiter = new JobWaiter<string>();
    const a = waiter.register("alice", "j-1");
    const b = waiter.register("bob", "j-1");
    assert.throws(() => waiter.register("alice", "j-1"));
    assert.equal(waiter.deliver("alice", "j-1", "for alice"), true);
    assert.equal(waiter.deliver("alice", "j-1", "again"), false);
    assert.equal(await a, "for alice");
    assert.equal(waiter.has("bob", "j-1"), true);
    waiter.deliver("bob", "j-1", "for bob");
    assert.equal(await b, "for bob");
    assert.equal(waiter.size, 0);
  });
});

describe("UserBus", () => {
  test("routes a command_dispatch to the chosen client and completes on its job_update", async () => {
    const bus = hub().bus("u");
    const l = link();
    bus.attach(hello("b1"), l);
    const job = started(bus, { params: { limit: 5 }, priority: "alert" });
    assert.deepEqual(l.sent[0], { message_type: "command_dispatch", job_id: job.job_id, command: "get_scene_info", params: { limit: 5 }, priority: "alert" });
    assert.deepEqual(bus.update("b1", { job_id: job.job_id, status: "running", result: null, error: "" }), { accepted: true });
    assert.equal(job.status, "running");
    assert.deepEqual(bus.update("b1", { job_id: job.job_id, status: "completed", result: { ok: 1 }, error: "" }), { accepted: true });
    const done = await job.done;
    assert.equal(done.status, "completed");
    assert.deepEqual(done.result, { ok: 1 });
    assert.equal(bus.jobsInFlight, 0);
  });

  test("a second terminal update is a duplicate and changes nothing", async () => {
    const bus = hub().bus("u");
    bus.attach(hello("b1"), link());
    const job = started(bus);
    bus.update("b1", { job_id: job.job_id, status: "failed", result: null, error: "boom" });
    const again = bus.update("b1", { job_id: job.job_id, status: "completed", result: { ok: 1 }, error: "" });
    assert.equal(again.accepted, false);
    assert.equal((await job.done).status, "failed");
    assert.equal(job.error, "boom");
  });

  test("only the job's target may report on it; unknown jobs are refused", () => {
    const bus = hub().bus("u");
    bus.attach(hello("b1"), link());
    bus.attach(hello("b2"), link());
    const job = started(bus, { targetUuid: "b1" });
    const forged = bus.update("b2", { job_id: job.job_id, status: "completed", result: {}, error: "" });
    assert.deepEqual(forged.accepted ? null : forged.code, "not_job_target");
    assert.equal(job.status, "queued");
    const unknown = bus.update("b1", { job_id: "j-none", status: "completed", result: {}, error: "" });
    assert.deepEqual(unknown.accepted ? null : unknown.code, "unknown_job");
  });

  test("a disconnect fails the client's jobs at once", async () => {
    const bus = hub().bus("u");
    const client = bus.attach(hello("b1"), link());
    const job = started(bus);
    bus.detach(client, "socket closed");
    const done = await job.done;
    assert.equal(done.status, "failed");
    assert.match(done.error, /disconnected \(socket closed\)/);
    assert.equal(bus.listClients().length, 0);
  });

  test("a reconnect under the same uuid replaces and closes the old connection", async () => {
    const bus = hub().bus("u");
    const old = link();
    bus.attach(hello("b1"), old);
    const job = started(bus);
    bus.attach(hello("b1"), link());
    assert.equal(old.closes.length, 1);
    assert.equal((await job.done).status, "failed");
    assert.equal(bus.listClients().length, 1);
  });

  test("a timeout ends the job, sends cancel, and keeps the late reply once", async () => {
    const bus = hub().bus("u");
    const l = link();
    bus.attach(hello("b1"), l);
    const job = started(bus, { timeoutMs: 5 });
    assert.equal((await job.done).status, "timeout");
    assert.deepEqual(l.sent[1], { message_type: "cancel", job_id: job.job_id, reason: "no reply from Blender before the timeout", kind: "timeout" });
    assert.deepEqual(bus.update("b1", { job_id: job.job_id, status: "completed", result: { late: 1 }, error: "" }), { accepted: true });
    assert.equal(job.status, "timeout");
    assert.equal(job.late, true);
    assert.deepEqual(job.result, { late: 1 });
    assert.equal(bus.update("b1", { job_id: job.job_id, status: "completed", result: { again: 1 }, error: "" }).accepted, false);
    assert.deepEqual(job.result, { late: 1 });
  });

  test("targeting failures dispatch nothing", () => {
    const bus = hub().bus("u");
    const none = bus.start(request());
    assert.equal(!none.ok && none.status, "no_client");
    const l = link();
    bus.attach(hello("b1"), l);
    bus.attach(hello("b2"), link());
    const ambiguous = bus.start(request());
    assert.equal(!ambiguous.ok && ambiguous.status, "ambiguous_target");
    const unknown = bus.start(request({ targetUuid: "b3" }));
    assert.equal(!unknown.ok && unknown.status, "unknown_target");
    assert.equal(l.sent.length, 0);
  });

  test("a command the client does not offer fails before routing", () => {
    const bus = hub().bus("u");
    const l = link();
    bus.attach({ ...hello("b1"), commands: ["get_scene_info"] }, l);
    const result = bus.start(request({ command: "execute_code", params: { code: "1" } } as Partial<JobRequest>));
    assert.equal(!result.ok && result.status, "failed");
    assert.equal(l.sent.length, 0);
  });

  test("finished jobs leave memory past the bound; the job store still answers for them", async () => {
    const bus = hub(2).bus("u");
    bus.attach(hello("b1"), link());
    const ids = [1, 2, 3].map(() => {
      const job = started(bus);
      bus.update("b1", { job_id: job.job_id, status: "completed", result: { n: 1 }, error: "" });
      return job.job_id;
    });
    const oldest = bus.getJob(ids[0]!);
    assert.equal(oldest?.status, "completed");
    assert.deepEqual(oldest?.result, { n: 1 });
    assert.equal((await oldest!.done).job_id, ids[0]);
    assert.deepEqual(bus.recentJobs(10).map((j) => j.job_id), [...ids].reverse());
  });

  test("an adopted job ends as its Blender reports it, or lost after the grace period", async () => {
    const h = hub();
    const bus = h.bus("u");
    bus.attach(hello("b1"), link());
    const reported = started(bus);
    const silent = started(bus);
    // A new process over the same store: both jobs are unfinished there.
    const next = new Hub({ jobTtlMs: 60_000, maxFinishedJobs: 100, ...LIMITS }, h.store, createLogger("silent"));
    assert.equal(next.recover(50), 2);
    const nextBus = next.bus("u");
    nextBus.attach(hello("b1"), link());
    nextBus.update("b1", { job_id: reported.job_id, status: "completed", result: { ok: true }, error: "" });
    assert.equal((await nextBus.getJob(reported.job_id)!.done).status, "completed");
    const lost = await nextBus.getJob(silent.job_id)!.done;
    assert.equal(lost.status, "lost");
    assert.match(lost.error, /server restarted/);
    assert.equal(h.store.get("u", silent.job_id)?.status, "lost");
  });

  test("users' buses share nothing: clients, jobs, notifications", () => {
    const h = hub();
    const alice = h.bus("alice");
    const bob = h.bus("bob");
    alice.attach(hello("b1"), link());
    const heard: string[] = [];
    bob.addSession({ id: "s-bob", notify: (_l, _p, e) => void heard.push(e.job_id), resourceUpdated: () => {} });
    bob.subscribe("s-bob", "blender://jobs");
    const job = started(alice);
    assert.equal(bob.listClients().length, 0);
    assert.equal(bob.getJob(job.job_id), undefined);
    assert.equal(bob.update("b1", { job_id: job.job_id, status: "completed", result: {}, error: "" }).accepted, false);
    alice.update("b1", { job_id: job.job_id, status: "completed", result: {}, error: "" });
    assert.deepEqual(heard, []);
    assert.equal(!bob.start(request()).ok, true);
  });

  test("job events go to the origin session and subscribers only, at the job's priority", () => {
    const bus = hub().bus("u");
    bus.attach(hello("b1"), link());
    const heard: Record<string, string[]> = { origin: [], subscriber: [], bystander: [] };
    for (const id of Object.keys(heard)) {
      bus.addSession({ id, notify: (_l, level, e) => void heard[id]!.push(`${e.status}@${level}`), resourceUpdated: () => {} });
    }
    bus.subscribe("subscriber", "blender://jobs");
    const job = started(bus, { origin: "origin", priority: "warning" });
    bus.update("b1", { job_id: job.job_id, status: "completed", result: {}, error: "" });
    assert.deepEqual(heard.origin, ["completed@warning"]);
    assert.deepEqual(heard.subscriber, ["completed@warning"]);
    assert.deepEqual(heard.bystander, []);
  });
});
