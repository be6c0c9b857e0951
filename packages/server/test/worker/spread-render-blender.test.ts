/**
 * One animation over two real headless Blender workers (3.4, 4.3, 5.2), one of them
 * killed mid-render: the render still ends completed with all 24 frames on
 * disk, each listed once, in order.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { BLENDER_VERSIONS, blenderRoot, blenderSkipReason, type RunningBlender } from "../../../../tools/blender/launch.js";
import { connectClient } from "../support/mcp-client.js";
import { startServer } from "../support/server-process.js";
import { launchWorker } from "./support.js";

for (const version of BLENDER_VERSIONS) {
  test(`24 frames over two ${version} workers, one killed mid-render: all 24 frames, each listed once`, { skip: await blenderSkipReason(version) }, async () => {
    const server = await startServer();
    const client = await connectClient(server, "http");
    // Both workers of a version share one /tmp (the host's, or their chroot's): the shared output folder.
    const root = blenderRoot(version);
    const folder = await mkdtemp(join(root, "tmp/spread-render-"));
    const inside = (path: string) => (root === "/" ? path : path.slice(root.length));
    const workers: RunningBlender[] = [];
    try {
      workers.push(...(await Promise.all([launchWorker(version, server, "spread-1"), launchWorker(version, server, "spread-2")])));
      const victim = workers[1]!;
      const pid = Number((await client.call("blender_execute_code", { code: "import os\nprint(os.getpid())", target_uuid: victim.uuid })).structured.result.stdout);
      const progress: number[] = [];
      const pending = client.call(
        "blender_render_animation",
        { engine: "cycles", samples: 1, resolution_x: 32, resolution_y: 24, frame_start: 1, frame_end: 24, output_folder: inside(folder), target_uuid: "workers" },
        { onprogress: (p) => progress.push(p.progress) },
      );
      // Killed while its first chunk renders: that chunk has to be done again elsewhere.
      await client.event((e) => e.command === "render_animation" && e.status === "running" && e.target_uuid === victim.uuid);
      process.kill(pid, "SIGKILL");
      const { structured, result } = await pending;
      assert.equal(structured.status, "completed", structured.error);
      const expected = Array.from({ length: 24 }, (_, i) => i + 1);
      const frameOf = (path: string) => Number(/(\d+)\.png$/.exec(path)?.[1]);
      assert.deepEqual(structured.result.files.map(frameOf), expected, "every frame listed once, in order");
      assert.ok(structured.result.files.every((f: string) => existsSync(join(root, f))), "every listed file exists");
      assert.equal((await readdir(folder)).filter((f) => f.endsWith(".png")).length, 24, "24 frame files on disk");
      const chunks = structured.result.chunks as { attempts: { worker: string; status: string }[] }[];
      assert.ok(chunks.some((c) => c.attempts.length === 2 && c.attempts[0]!.worker === victim.uuid && c.attempts[1]!.status === "completed"), JSON.stringify(chunks));
      assert.ok(result.content.some((c) => c.type === "image"), "a contact sheet");
      assert.ok(progress.every((p, i) => i === 0 || p > progress[i - 1]!), `progress only grows: ${progress.join(" ")}`);
      assert.equal(progress.at(-1), 24);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await client.close();
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });
}
