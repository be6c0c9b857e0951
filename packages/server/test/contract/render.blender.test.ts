/**
 * The render tools against real Blender 3.4, 4.3 and 5.2: images of the asked
 * size as MCP image content, progress notifications, a cancel that kills the
 * render process, renders that outlive their timeout, and bad input.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { distinctColours, pngSize } from "@blender-mcp/fake-addon";
import { BLENDER_VERSIONS, blenderSkipReason, type BlenderVersion } from "@blender-mcp/test-support/blender";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { blenderKind } from "./blender-kind.js";
import type { Peer } from "./peer.js";

type Progress = { progress: number; total?: number };

const imageOf = (result: { content: unknown[] }) => {
  const image = result.content.find((c) => (c as { type: string }).type === "image") as { data: string; mimeType: string } | undefined;
  assert.ok(image, "the image travels as MCP image content");
  assert.equal(image.mimeType, "image/png");
  return Buffer.from(image.data, "base64");
};

/** How many render processes Blender has running (they run render_subprocess.py). */
const RENDER_PROCESSES =
  "import os\nn = 0\nfor p in os.listdir('/proc'):\n    try:\n        n += p.isdigit() and b'render_subprocess.py' in open('/proc/%s/cmdline' % p, 'rb').read()\n" +
  "    except OSError:\n        pass\nprint(n)";

function renderSuite(version: BlenderVersion): void {
  const kind = blenderKind(version);
  describe(`render tools: Blender ${version}`, () => {
    let server: ServerProcess;
    let client: TestClient;
    let peer: Peer;
    let dir: string;
    before(async () => {
      server = await startServer();
      client = await connectClient(server, "http");
      peer = await kind.start({ url: server.addonUrl, token: server.token, label: `render-${version}` });
      dir = await mkdtemp(join(kind.hostPath("/tmp"), "render-test-"));
    });
    after(async () => {
      await peer?.stop();
      await client?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    const inside = (path: string) => (kind.hostPath("/") === "/" ? path : path.slice(kind.hostPath("/").length - 1));
    const renderProcesses = async () => Number((await client.call("blender_execute_code", { code: RENDER_PROCESSES })).structured.result.stdout.trim());

    test("render_still returns the image of the asked size, writes the file and reports progress", async () => {
      const progress: Progress[] = [];
      const filepath = inside(join(dir, "still.png"));
      const { result, structured } = await client.call(
        "blender_render_still",
        { engine: "cycles", samples: 4, resolution_x: 64, resolution_y: 48, filepath },
        { onprogress: (p) => progress.push(p) },
      );
      assert.equal(structured.status, "completed", structured.error);
      assert.equal(structured.result.engine, "CYCLES");
      assert.equal(structured.result.filepath, filepath);
      assert.equal("png_base64" in structured.result, false);
      const png = imageOf(result);
      assert.deepEqual(pngSize(png), { width: 64, height: 48 });
      assert.deepEqual([structured.result.width, structured.result.height], [64, 48]);
      assert.ok(distinctColours(png) > 4, "a rendered scene, not a blank image");
      assert.deepEqual(await readFile(join(dir, "still.png")), png);
      assert.ok(progress.length > 0, "progress notifications arrived");
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress > progress[i - 1]!.progress);
    });

    test("friendly engine names map to this Blender's ids; max_size bounds the image", async () => {
      const { result, structured } = await client.call("blender_render_still", { engine: "workbench", max_size: 40 });
      assert.equal(structured.status, "completed", structured.error);
      assert.equal(structured.result.engine, "BLENDER_WORKBENCH");
      const size = pngSize(imageOf(result));
      assert.ok(size);
      assert.equal(Math.max(size.width, size.height), 40);
    });

    test("bad input fails saying what to fix, and Blender goes on serving", async () => {
      const cases: [string, Record<string, unknown>, RegExp][] = [
        ["blender_render_still", { camera: "NoSuchCamera" }, /no camera object named 'NoSuchCamera'; cameras in this file: Camera/],
        // EEVEE's id is BLENDER_EEVEE_NEXT in 4.2-4.x only. (Rendering EEVEE under software GL takes a minute, so it is not done here.)
        ["blender_render_still", { engine: "povray" }, new RegExp(`unknown render engine 'povray': this Blender has ${version.startsWith("4.") ? "BLENDER_EEVEE_NEXT" : "BLENDER_EEVEE"}, BLENDER_WORKBENCH, CYCLES`)],
        ["blender_render_still", { filepath: "/proc/no/such/dir/x.png" }, /cannot create folder/],
        ["blender_render_still", { filepath: inside(join(dir, "x.jpg")) }, /must end in \.png/],
        ["blender_render_animation", { frame_start: 5, frame_end: 2 }, /frame_end \(2\) is before frame_start \(5\): swap them/],
      ];
      for (const [tool, args, error] of cases) {
        const { structured, isError } = await client.call(tool, args);
        assert.equal(isError, true, JSON.stringify(args));
        assert.equal(structured.status, "failed");
        assert.match(structured.error, error);
      }
      assert.equal((await client.call("blender_get_scene_info")).structured.status, "completed");
    });

    test("a cancelled render ends failed as cancelled, its process is gone, and Blender goes on serving", async () => {
      const controller = new AbortController();
      let sawProgress: () => void;
      const progressed = new Promise<void>((resolve) => (sawProgress = resolve));
      const pending = client.call(
        "blender_render_still",
        { engine: "cycles", samples: 65536, resolution_x: 64, resolution_y: 48 },
        { signal: controller.signal, onprogress: () => sawProgress() },
      );
      await progressed; // the render process is rendering
      const running = await client.event((e) => e.command === "render_still" && e.status === "running" && !client.events.some((x) => x.job_id === e.job_id && x.status !== "running"));
      controller.abort();
      await assert.rejects(pending);
      const late = await client.event((e) => e.job_id === running.job_id && e.late === true);
      assert.match(late.error, /^cancelled: /);
      const { structured: job } = await client.call("blender_get_job", { job_id: running.job_id });
      assert.equal(job.status, "cancelled");
      assert.equal(await renderProcesses(), 0, "the render process was killed");
      assert.equal((await client.call("blender_get_scene_info")).structured.status, "completed");
    });

    test("a render that outlasts its timeout goes on, and blender_get_job returns it", async (t) => {
      // Cycles stops at its time limit whatever the machine's speed, so the render lasts about 8 s here and on CI;
      // without adaptive sampling it cannot converge sooner.
      const setLimit = (seconds: number, adaptive: boolean) =>
        client.call("blender_execute_code", { code: `import bpy\nc = bpy.context.scene.cycles\nc.time_limit = ${seconds}\nc.use_adaptive_sampling = ${adaptive ? "True" : "False"}` });
      assert.equal((await setLimit(8, false)).structured.status, "completed");
      t.after(() => setLimit(0, true));
      const timedOut = await client.call("blender_render_still", { engine: "cycles", samples: 60000, resolution_x: 64, resolution_y: 48, timeout_seconds: 4 });
      assert.equal(timedOut.structured.status, "timeout");
      const jobId = timedOut.structured.job_id;
      // Started within the timeout (a render still queued then would be cancelled), it goes on.
      const late = await client.event((e) => e.job_id === jobId && e.late === true && e.status !== "running");
      assert.equal(late.error, "", "the late reply is the finished render");
      const { structured: job } = await client.call("blender_get_job", { job_id: jobId });
      assert.equal(job.result.width, 64);
      assert.ok(existsSync(kind.hostPath(job.result.filepath)));
    });

    test("render_animation writes one file per frame and returns a contact sheet, with progress per frame", async () => {
      const progress: Progress[] = [];
      const output_folder = inside(join(dir, "anim"));
      const { result, structured } = await client.call(
        "blender_render_animation",
        { engine: "cycles", samples: 2, resolution_x: 48, resolution_y: 36, frame_start: 1, frame_end: 5, frame_step: 2, output_folder },
        { onprogress: (p) => progress.push(p) },
      );
      assert.equal(structured.status, "completed", structured.error);
      assert.deepEqual(structured.result.files, [1, 3, 5].map((f) => join(output_folder, `frame_000${f}.png`)));
      for (const file of structured.result.files) assert.deepEqual(pngSize(await readFile(kind.hostPath(file))), { width: 48, height: 36 });
      // Three thumbnails fill a 2 x 2 grid at full size.
      assert.deepEqual(pngSize(imageOf(result)), { width: 96, height: 72 });
      assert.ok(progress.some((p) => p.total === 3), "progress counts frames");
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.progress > progress[i - 1]!.progress);
    });
  });
}

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`render tools: Blender ${version}`, { skip }, () => {});
  else renderSuite(version);
}
