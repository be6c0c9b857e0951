/**
 * One animation over two real headless Blender workers (3.4, 4.3, 5.2): a
 * cancel midway stops both workers' renders; with one worker killed
 * mid-render it still ends completed with all 24 frames on disk, each listed
 * once, in order.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BLENDER_VERSIONS, blenderRoot, blenderSkipReason, type BlenderVersion, type RunningBlender } from "@blender-mcp/test-support/blender";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { launchWorker } from "./support.js";

/** How many render subprocesses a Blender has (they run render_subprocess.py). */
const RENDERS = "import os\nprint(sum(1 for p in os.listdir('/proc') if p.isdigit() and b'render_subprocess.py' in open('/proc/%s/cmdline' % p, 'rb').read()))";

/** The event, or a failure naming the call's outcome if the call ends first (so a failed render cannot leave the test waiting). */
async function unlessEnded<T>(event: Promise<T>, call: Promise<{ structured: Record<string, unknown> }>): Promise<T> {
  const ended = call.then((r) => {
    throw new Error(`the render ended first: ${JSON.stringify(r.structured).slice(0, 2000)}`);
  });
  ended.catch(() => {});
  return Promise.race([event, ended]);
}

function spreadSuite(version: BlenderVersion): void {
  describe(`an animation over two ${version} workers`, () => {
    let server: ServerProcess;
    let client: TestClient;
    let folder: string;
    const workers: RunningBlender[] = [];
    // Both workers of a version share one /tmp (the host's, or their chroot's): the shared output folder.
    const root = blenderRoot(version);
    const inside = (path: string) => (root === "/" ? path : path.slice(root.length));
    before(async () => {
      server = await startServer();
      client = await connectClient(server, "http");
      folder = await mkdtemp(join(root, "tmp/spread-render-"));
      workers.push(...(await Promise.all([launchWorker(version, server, "spread-1"), launchWorker(version, server, "spread-2")])));
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await client?.close();
      await server?.stop();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    test("a cancel midway stops both workers' renders", async () => {
      const controller = new AbortController();
      const pending = client.call(
        "blender_render_animation",
        { engine: "cycles", samples: 65536, resolution_x: 32, resolution_y: 24, frame_start: 1, frame_end: 12, output_folder: inside(join(folder, "cancelled")), target_uuid: "workers" },
        { signal: controller.signal },
      );
      const chunks = new Set<string>();
      while (chunks.size < 2) {
        const event = client.event((e) => e.command === "render_animation" && e.status === "running" && e.progress !== undefined && !chunks.has(e.job_id));
        chunks.add((await unlessEnded(event, pending)).job_id);
      }
      controller.abort();
      await assert.rejects(pending);
      for (const jobId of chunks) {
        const late = await client.event((e) => e.job_id === jobId && e.late === true);
        assert.match(late.error, /^cancelled: /);
        assert.equal((await client.call("blender_get_job", { job_id: jobId })).structured.status, "cancelled");
      }
      for (const w of workers) {
        const { structured } = await client.call("blender_execute_code", { code: RENDERS, target_uuid: w.uuid });
        assert.equal(structured.result.stdout.trim(), "0", `worker ${w.uuid} has no render left`);
      }
    });

    test("one worker killed mid-render: all 24 frames, each listed once, progress only growing", async () => {
      const victim = workers[1]!;
      const pid = Number((await client.call("blender_execute_code", { code: "import os\nprint(os.getpid())", target_uuid: victim.uuid })).structured.result.stdout);
      const progress: number[] = [];
      const pending = client.call(
        "blender_render_animation",
        { engine: "cycles", samples: 1, resolution_x: 32, resolution_y: 24, frame_start: 1, frame_end: 24, output_folder: inside(folder), target_uuid: "workers" },
        { onprogress: (p) => progress.push(p.progress) },
      );
      // Killed while its first chunk renders: that chunk has to be done again elsewhere.
      const seen = client.events.length;
      await unlessEnded(client.event((e) => client.events.indexOf(e) >= seen && e.command === "render_animation" && e.status === "running" && e.target_uuid === victim.uuid), pending);
      process.kill(pid, "SIGKILL");
      const { structured, result } = await pending;
      assert.equal(structured.status, "completed", structured.error);
      const frameOf = (path: string) => Number(/(\d+)\.png$/.exec(path)?.[1]);
      assert.deepEqual(structured.result.files.map(frameOf), Array.from({ length: 24 }, (_, i) => i + 1), "every frame listed once, in order");
      assert.ok(structured.result.files.every((f: string) => existsSync(join(root, f))), "every listed file exists");
      assert.equal((await readdir(folder)).filter((f) => f.endsWith(".png")).length, 24, "24 frame files on disk");
      const chunks = structured.result.chunks as { attempts: { worker: string; status: string }[] }[];
      assert.ok(chunks.some((c) => c.attempts.length === 2 && c.attempts[0]!.worker === victim.uuid && c.attempts[1]!.status === "completed"), JSON.stringify(chunks));
      assert.ok(result.content.some((c) => c.type === "image"), "a contact sheet");
      assert.ok(progress.every((p, i) => i === 0 || p > progress[i - 1]!), `progress only grows: ${progress.join(" ")}`);
      assert.equal(progress.at(-1), 24);
    });
  });
}

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`an animation over two ${version} workers`, { skip }, () => {});
  else spreadSuite(version);
}
