/**
 * Headless workers (`blender -b --python blender_mcp_bus/worker.py`) on real
 * Blender 3.4, 4.3 and 5.2: they join as client_type "worker", run code and
 * renders, refuse the viewport with a reason, cancel, and come back after the
 * server restarts.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { pngSize } from "@blender-mcp/fake-addon";
import { BLENDER_VERSIONS, blenderSkipReason, type BlenderVersion, type RunningBlender } from "@blender-mcp/test-support/blender";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { freePort } from "../scale-out/support.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { attachOf, launchWorker, logged } from "./support.js";

function workerSuite(version: BlenderVersion): void {
  describe(`headless worker: Blender ${version}`, () => {
    let dataDir: string;
    let port: number;
    let server: ServerProcess;
    let client: TestClient;
    let worker: RunningBlender;
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "worker-test-"));
      port = await freePort();
      server = await startServer([], { dataDir, port });
      client = await connectClient(server, "http");
      worker = await launchWorker(version, server, `worker-${version}`);
    });
    after(async () => {
      await worker?.stop();
      await client?.close();
      await server?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    test("it joins as a worker, with every command and no gate off", async () => {
      const { structured } = await client.call("blender_list_clients");
      const me = structured.clients.find((c: { uuid: string }) => c.uuid === worker.uuid);
      assert.ok(me, "the worker is listed");
      assert.equal(me.client_type, "worker");
      assert.equal(me.label, `worker-${version}`);
      assert.ok(me.blender_version.startsWith(version), me.blender_version);
      for (const command of ["execute_code", "render_still", "get_viewport_screenshot"]) assert.ok(me.commands.includes(command), command);
      assert.deepEqual(me.gated, ["polyhaven", "sketchfab", "hyper3d"]);
    });

    test("execute_code runs on the worker's main thread, in background mode", async () => {
      const code = "import bpy, threading\nprint(bpy.app.background, threading.current_thread() is threading.main_thread(), len(bpy.data.objects))";
      const { structured } = await client.call("blender_execute_code", { code });
      assert.equal(structured.status, "completed", structured.error);
      assert.equal(structured.target_uuid, worker.uuid);
      assert.equal(structured.result.stdout.trim(), "True True 3");
    });

    test("render_still returns the image", async () => {
      const { result, structured } = await client.call("blender_render_still", { engine: "cycles", samples: 2, resolution_x: 40, resolution_y: 30 });
      assert.equal(structured.status, "completed", structured.error);
      const image = result.content.find((c) => c.type === "image") as { data: string } | undefined;
      assert.ok(image, "the render comes back as image content");
      assert.deepEqual(pngSize(Buffer.from(image.data, "base64")), { width: 40, height: 30 });
    });

    test("the viewport screenshot and get_views fail with the reason, and the worker goes on", async () => {
      const { structured, isError } = await client.call("blender_get_viewport_screenshot");
      assert.equal(isError, true);
      assert.equal(structured.status, "failed");
      assert.match(structured.error, /no 3D viewport.*background mode/);
      const views = await client.call("blender_get_views", { views: ["front"] });
      assert.equal(views.structured.status, "failed");
      assert.match(views.structured.error, /no 3D viewport.*background mode/);
      assert.equal((await client.call("blender_get_scene_info")).structured.status, "completed");
    });

    test("a cancelled render ends cancelled, and the worker goes on", async () => {
      const controller = new AbortController();
      let progressed!: () => void;
      const rendering = new Promise<void>((resolve) => (progressed = resolve));
      const pending = client.call(
        "blender_render_still",
        { engine: "cycles", samples: 65536, resolution_x: 64, resolution_y: 48 },
        { signal: controller.signal, onprogress: () => progressed() },
      );
      await rendering;
      const running = await client.event((e) => e.command === "render_still" && e.status === "running" && !client.events.some((x) => x.job_id === e.job_id && x.status !== "running"));
      controller.abort();
      await assert.rejects(pending);
      const late = await client.event((e) => e.job_id === running.job_id && e.late === true);
      assert.match(late.error, /^cancelled: /);
      assert.equal((await client.call("blender_get_job", { job_id: running.job_id })).structured.status, "cancelled");
      assert.equal((await client.call("blender_execute_code", { code: "print(1 + 1)" })).structured.result.stdout.trim(), "2");
    });

    test("a worker started with --gated execute_code refuses it, and the pool routes around it", async () => {
      const gated = await launchWorker(version, server, `gated-${version}`, ["--gated", "execute_code"]);
      try {
        const listed = (await client.call("blender_list_clients")).structured.clients.find((c: { uuid: string }) => c.uuid === gated.uuid);
        assert.deepEqual(listed.gated, ["execute_code", "polyhaven", "sketchfab", "hyper3d"]);
        const refused = await client.call("blender_execute_code", { code: "print(1)", target_uuid: gated.uuid });
        assert.equal(refused.structured.status, "failed");
        assert.match(refused.structured.error, /execute_code is switched off/);
        // One job in flight on the first worker: a scene query goes to the idle gated one, code still to the first.
        const held = await client.call("blender_send_message", {
          target_uuid: worker.uuid,
          payload: { message_type: "command_dispatch", command: "execute_code", params: { code: "import time\ntime.sleep(2)" } },
        });
        assert.ok(held.structured.job_id, held.structured.error);
        assert.equal((await client.call("blender_get_scene_info", { target_uuid: "worker" })).structured.target_uuid, gated.uuid);
        const pooled = await client.call("blender_execute_code", { code: "print('pooled')", target_uuid: "worker" });
        assert.equal(pooled.structured.target_uuid, worker.uuid);
        assert.equal(pooled.structured.result.stdout.trim(), "pooled");
      } finally {
        await gated.stop();
      }
    });

    test("after a server restart on the same port it reconnects with the same uuid and takes jobs", async () => {
      await client.close();
      await server.stop();
      server = await startServer([], { dataDir, port });
      await logged(server, attachOf(worker.uuid));
      client = await connectClient(server, "http");
      const { structured } = await client.call("blender_execute_code", { code: "print('back')" });
      assert.equal(structured.status, "completed", structured.error);
      assert.equal(structured.target_uuid, worker.uuid);
      assert.equal(structured.result.stdout.trim(), "back");
    });

    test("SIGTERM stops it cleanly: it says so and exits 0", async () => {
      process.kill(worker.process.pid!, "SIGTERM");
      assert.equal(await worker.exited, 0);
      assert.ok(worker.stdout.some((l) => l.includes("worker: stopped")), worker.stdout.join("\n"));
    });
  });
}

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`headless worker: Blender ${version}`, { skip }, () => {});
  else workerSuite(version);
}
