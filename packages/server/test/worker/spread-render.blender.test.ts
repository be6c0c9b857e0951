/**
 * One animation over two real headless Blender workers (3.4, 4.3, 5.2): a
 * cancel midway stops both workers' renders; with one worker killed
 * mid-render it still ends completed with all 24 frames on disk, each listed
 * once, in order, each rendered by one attempt only (the victim's finished
 * frames are kept, not rendered again).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { after, before, describe, test, type TestContext } from "node:test";
import { BLENDER_VERSIONS, blenderRoot, blenderSkipReason, type BlenderVersion, type RunningBlender } from "@blender-mcp/test-support/blender";
import { connectClient, type TestClient } from "../support/mcp-client.js";
import { startServer, type ServerProcess } from "../support/server-process.js";
import { decodePng } from "@blender-mcp/fake-addon";
import { launchUi, launchWorker } from "./support.js";

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
    let ui: RunningBlender | undefined;
    // Both workers of a version share one /tmp (the host's, or their chroot's): the shared output folder.
    const root = blenderRoot(version);
    const inside = (path: string) => (root === "/" ? path : path.slice(root.length));
    before(async () => {
      server = await startServer();
      client = await connectClient(server, "http");
      folder = await mkdtemp(join(root, "tmp/spread-render-"));
      // The workers start without a .blend: the UI Blender's scene is shipped to them.
      workers.push(...(await Promise.all([launchWorker(version, server, "spread-1"), launchWorker(version, server, "spread-2"), launchUi(version, server)])));
      ui = workers.pop()!;
    });
    after(async () => {
      await Promise.all([...workers, ...(ui ? [ui] : [])].map((w) => w.stop()));
      await client?.close();
      await server?.stop();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    /**
     * Each frame lasts about this long, whatever the machine's speed (Cycles' time limit, adaptive sampling off; without
     * it 5.2 converges a 32x24 frame at once), until the test ends. The UI's scene, and so the limit, is shipped to the workers.
     */
    async function frameSeconds(t: TestContext, seconds: number): Promise<void> {
      const code = (limit: number) => `import bpy\nc = bpy.context.scene.cycles\nc.time_limit = ${limit}\nc.use_adaptive_sampling = False`;
      assert.equal((await client.call("blender_execute_code", { code: code(seconds), target_uuid: ui!.uuid })).structured.status, "completed");
      t.after(() => client.call("blender_execute_code", { code: code(0), target_uuid: ui!.uuid }));
    }

    test("a cancel midway stops both workers' renders", async (t) => {
      // Frames long enough that no chunk can finish between its first progress and the cancel.
      await frameSeconds(t, 3);
      const controller = new AbortController();
      const pending = client.call(
        "blender_render_animation",
        { engine: "cycles", samples: 65536, resolution_x: 32, resolution_y: 24, frame_start: 1, frame_end: 12, output_folder: inside(join(folder, "cancelled")), target_uuid: "workers" },
        { signal: controller.signal },
      );
      const chunks = new Set<string>();
      while (chunks.size < 2) {
        const event = client.event((e) => e.command === "render_animation" && e.parent_job_id !== undefined && e.status === "running" && e.progress !== undefined && !chunks.has(e.job_id));
        chunks.add((await unlessEnded(event, pending)).job_id);
      }
      controller.abort();
      await assert.rejects(pending);
      for (const jobId of chunks) {
        // The addon's late reply to the cancel; a chunk that ended some other way fails here instead of leaving the test waiting.
        const late = await client.event((e) => e.job_id === jobId && (e.late === true || e.status === "completed" || e.status === "failed"));
        assert.match(late.error, /^cancelled: /, JSON.stringify(late));
        assert.equal((await client.call("blender_get_job", { job_id: jobId })).structured.status, "cancelled");
      }
      for (const w of workers) {
        const { structured } = await client.call("blender_execute_code", { code: RENDERS, target_uuid: w.uuid });
        assert.equal(structured.result.stdout.trim(), "0", `worker ${w.uuid} has no render left`);
      }
    });

    test("one worker killed mid-render: all 24 frames, each listed once, progress only growing", async (t) => {
      const victim = workers[1]!;
      const pid = Number((await client.call("blender_execute_code", { code: "import os\nprint(os.getpid())", target_uuid: victim.uuid })).structured.result.stdout);
      // Frames of about 0.4 s each, so the victim cannot finish its chunk between its first frame and the kill.
      await frameSeconds(t, 0.4);
      const progress: number[] = [];
      const pending = client.call(
        "blender_render_animation",
        { engine: "cycles", samples: 65536, resolution_x: 32, resolution_y: 24, frame_start: 1, frame_end: 24, output_folder: inside(folder), target_uuid: "workers" },
        { onprogress: (p) => progress.push(p.progress) },
      );
      // Killed once its first chunk has a frame written: the rest of that chunk has to be done elsewhere.
      const seen = client.events.length;
      await unlessEnded(
        client.event((e) => client.events.indexOf(e) >= seen && e.command === "render_animation" && e.status === "running" && e.target_uuid === victim.uuid && (e.progress?.progress ?? 0) >= 1),
        pending,
      );
      process.kill(pid, "SIGKILL");
      const killedAt = Date.now();
      const { structured, result } = await pending;
      assert.equal(structured.status, "completed", structured.error);
      const frameOf = (path: string) => Number(/(\d+)\.png$/.exec(path)?.[1]);
      assert.deepEqual(structured.result.files.map(frameOf), Array.from({ length: 24 }, (_, i) => i + 1), "every frame listed once, in order");
      assert.ok(structured.result.files.every((f: string) => existsSync(join(root, f))), "every listed file exists");
      assert.equal((await readdir(folder)).filter((f) => f.endsWith(".png")).length, 24, "24 frame files on disk");
      const chunks = structured.result.chunks as { attempts: { worker: string; status: string; frames: number[] }[] }[];
      assert.ok(chunks.some((c) => c.attempts.length === 2 && c.attempts[0]!.worker === victim.uuid && c.attempts[1]!.status === "completed"), JSON.stringify(chunks));
      // Each frame rendered by exactly one attempt; the victim's finished frames were not written again after the kill.
      const renderedBy = chunks.flatMap((c) => c.attempts.flatMap((a) => a.frames));
      assert.deepEqual([...renderedBy].sort((a, b) => a - b), Array.from({ length: 24 }, (_, i) => i + 1), JSON.stringify(chunks));
      const salvaged = chunks.flatMap((c) => c.attempts.filter((a) => a.worker === victim.uuid && a.status !== "completed").flatMap((a) => a.frames));
      assert.ok(salvaged.length >= 1, `the victim had finished a frame: ${JSON.stringify(chunks)}`);
      for (const frame of salvaged) {
        const file = structured.result.files[frame - 1] as string;
        assert.ok((await stat(join(root, file))).mtimeMs <= killedAt, `frame ${frame} was written once, before the kill`);
      }
      assert.ok(result.content.some((c) => c.type === "image"), "a contact sheet");
      assert.ok(progress.every((p, i) => i === 0 || p > progress[i - 1]!), `progress only grows: ${progress.join(" ")}`);
      assert.equal(progress.at(-1), 24);
    });

    test("the UI's unsaved scene is shipped to the workers and the frames come back into the server's folder", async () => {
      // Red everywhere the cube is not, unsaved: only a shipped copy of this scene renders red.
      // The world's Background node where it uses nodes (5.x always does), its colour where not.
      const red = "import bpy\nw = bpy.context.scene.world\nw.color = (1.0, 0.0, 0.0)\nfor n in (w.node_tree.nodes if w.node_tree else []):\n    if n.type == 'BACKGROUND':\n        n.inputs[0].default_value = (1.0, 0.0, 0.0, 1.0)\nprint(bpy.data.is_dirty)";
      assert.equal((await client.call("blender_execute_code", { code: red, target_uuid: ui!.uuid })).structured.status, "completed");
      const { structured } = await client.call("blender_render_animation", {
        engine: "cycles", samples: 1, resolution_x: 32, resolution_y: 24, frame_start: 1, frame_end: 6, target_uuid: "workers",
      });
      assert.equal(structured.status, "completed", structured.error);
      const files = structured.result.files as string[];
      assert.ok(structured.result.folder.startsWith(join(server.dataDir, "renders")), structured.result.folder);
      assert.deepEqual(files.map((f) => Number(/(\d+)\.png$/.exec(f)?.[1])), [1, 2, 3, 4, 5, 6], "each frame once, in order");
      assert.deepEqual((await readdir(structured.result.folder)).sort(), files.map((f) => f.slice(f.lastIndexOf("/") + 1)));
      for (const file of files) {
        const image = decodePng(await readFile(file));
        const [r, g, b] = image.pixels.subarray(0, 3);
        assert.ok(r! > 2 * g! && r! > 2 * b!, `${file}'s corner is the shipped scene's red world: ${[r, g, b]}`);
      }
      // Nothing of this render is left in the transfer folder (one /tmp for the version): no UI copy, no shipped scene or frames.
      const renderId = basename(structured.result.folder as string);
      const left = `import os, re, tempfile\nd = os.path.join(tempfile.gettempdir(), 'blender-mcp-bus-transfers')\nprint([f for f in os.listdir(d) if re.match(r'scene-[0-9a-f]{12}[.]blend$', f) or '${renderId}' in f])`;
      assert.equal((await client.call("blender_execute_code", { code: left, target_uuid: ui!.uuid })).structured.result.stdout.trim(), "[]");
    });
  });
}

for (const version of BLENDER_VERSIONS) {
  const skip = await blenderSkipReason(version);
  if (skip) test(`an animation over two ${version} workers`, { skip }, () => {});
  else spreadSuite(version);
}
