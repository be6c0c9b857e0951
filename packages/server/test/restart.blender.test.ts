/**
 * Durable jobs: a server killed mid-job and started again on the same port
 * and data folder answers for the job; a reply the addon kept while the
 * server was away reaches blender_get_job; a job nobody reports becomes lost.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FakeAddon } from "@blender-mcp/fake-addon";
import { BLENDER_VERSIONS, blenderSkipReason } from "@blender-mcp/test-support/blender";
import { blenderKind } from "./contract/blender-kind.js";
import { fakeKind } from "./contract/fake-kind.js";
import type { PeerKind } from "./contract/peer.js";
import { connectClient } from "./support/mcp-client.js";
import { freePort } from "./scale-out/support.js";
import { startServer, type ServerProcess } from "./support/server-process.js";

async function kill9(server: ServerProcess): Promise<void> {
  const exited = once(server.process, "exit");
  server.process.kill("SIGKILL");
  await exited;
}

const kinds: PeerKind[] = [fakeKind];
for (const version of BLENDER_VERSIONS) {
  if (!(await blenderSkipReason(version))) kinds.push(blenderKind(version));
}

for (const kind of kinds) {
  test(`${kind.name}: a job survives kill -9 of the server; the addon's kept reply reaches blender_get_job`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "restart-"));
    const port = await freePort();
    let server = await startServer([], { dataDir, port });
    const peer = await kind.start({ url: server.addonUrl, token: server.token, reconnect: true });
    try {
      let client = await connectClient(server, "http");
      const slow = await kind.slowCall(peer, 2);
      const sent = await client.call("blender_send_message", {
        payload: { message_type: "command_dispatch", command: slow.tool.replace(/^blender_/, ""), params: slow.args },
      });
      const jobId = sent.structured.job_id;
      await client.event((e) => e.job_id === jobId && e.status === "running");
      await kill9(server);
      await client.close().catch(() => {});

      // The job finishes while no server is there; the addon keeps the reply and reconnects.
      server = await startServer([], { dataDir, port });
      assert.ok(server.logs.some((l) => l.event === "jobs.recovered" && l.jobs === 1), "the new process adopted the job");
      client = await connectClient(server, "http");
      const { structured: job } = await client.call("blender_get_job", { job_id: jobId, wait_seconds: 60 });
      assert.equal(job.status, "completed", job.error);
      assert.equal(job.late, false);
      await client.close();
    } finally {
      await peer.stop();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}

test("a job whose Blender never reports after a restart becomes lost, with a reason; finished jobs stay readable", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "restart-"));
  const port = await freePort();
  let server = await startServer([], { dataDir, port });
  const blender = new FakeAddon({ url: server.addonUrl, token: server.token, uuid: "forgetful" });
  try {
    await blender.start();
    let client = await connectClient(server, "http");
    const done = await client.call("blender_get_object_info", { name: "Cube" });
    blender.behaveOnce("get_scene_info", { kind: "never" });
    const sent = await client.call("blender_send_message", { payload: { message_type: "command_dispatch", command: "get_scene_info", params: {} } });
    await client.event((e) => e.job_id === sent.structured.job_id && e.status === "running");
    await kill9(server);
    await client.close().catch(() => {});

    server = await startServer(["--lost-grace", "0.3"], { dataDir, port });
    client = await connectClient(server, "http");
    const { structured: lost } = await client.call("blender_get_job", { job_id: sent.structured.job_id, wait_seconds: 10 });
    assert.equal(lost.status, "lost");
    assert.match(lost.error, /server restarted.*did not report/);
    const { structured: before } = await client.call("blender_get_job", { job_id: done.structured.job_id });
    assert.equal(before.status, "completed", "a job from before the restart is still answered");
    assert.equal((before.result as { name: string }).name, "Cube");
    await client.close();
  } finally {
    await blender.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
