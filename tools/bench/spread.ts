/**
 * 9. A render spread over headless workers: the same small animation on 1
 * and then 2 real headless Blender 3.4 workers (`blender_render_animation`
 * with target_uuid "workers:N"), the scene shipped from a Blender with a UI
 * and the frames streamed back into the server's data folder. Reports the
 * speedup against the ideal and where the wall time went, per frame.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { PACKAGE_VERSION } from "@blender-mcp/protocol";
import { availableBlenders, launchBlender, type RunningBlender } from "../blender/launch.js";
import { REPO_ROOT } from "../paths.js";
import { connectHttp } from "./lean-mcp.js";
import { startServer } from "./procs.js";
import { table, type Section } from "./report.js";
import type { Scale } from "./scale.js";

const ZIP = join(REPO_ROOT, `dist/blender_mcp_bus-${PACKAGE_VERSION}.zip`);
const VERSION = "3.4" as const;
const TITLE = "9. A render spread over workers";

interface Timing {
  prepare_seconds: number;
  chunk_seconds: number;
  render_seconds: number;
  fetch_seconds: number;
  fetch_wait_seconds: number;
  wall_seconds: number;
}

export async function run(scale: Scale): Promise<Section> {
  if (!(await availableBlenders()).includes(VERSION)) {
    return { id: "spread", title: TITLE, body: `Not run: no Blender ${VERSION} on this machine (tools/blender/provision.sh ${VERSION}).`, values: { frames: 0 } };
  }
  const frames = scale.blenderCalls >= 100 ? 24 : 4;
  const params = { engine: "cycles", samples: 32, resolution_x: 160, resolution_y: 120, frame_start: 1, frame_end: frames };
  const server = await startServer();
  const blenders: RunningBlender[] = [];
  const env = { BLENDER_MCP_BUS_URL: server.addonUrl, BLENDER_MCP_BUS_TOKEN: server.token, BLENDER_MCP_BUS_ALLOWED_FOLDERS: "/tmp" };
  try {
    blenders.push(
      ...(await Promise.all([
        launchBlender({ version: VERSION, zip: ZIP, env: { ...env, BLENDER_MCP_BUS_LABEL: "bench-ui" } }),
        launchBlender({ version: VERSION, zip: ZIP, env, worker: { args: ["--label", "bench-w1"] } }),
        launchBlender({ version: VERSION, zip: ZIP, env, worker: { args: ["--label", "bench-w2"] } }),
      ])),
    );
    const conn = await connectHttp(server.mcpUrl, server.token);
    const render = async (workers: number): Promise<Timing> => {
      const reply = await conn.call("blender_render_animation", { ...params, target_uuid: `workers:${workers}`, timeout_seconds: 3600 });
      const s = reply.structuredContent as { status: string; error: string; result: { timing: Timing } };
      if (s.status !== "completed") throw new Error(`the render on ${workers} worker(s) ${s.status}: ${s.error}`);
      return s.result.timing;
    };
    await render(2); // warm-up: both workers have loaded Cycles once
    const load = execFileSync("uptime", { encoding: "utf8" }).trim();
    const one = await render(1);
    const two = await render(2);
    await conn.close();
    const speedup = one.wall_seconds / two.wall_seconds;
    const perFrame = (s: number) => ((s / frames) * 1000).toFixed(0);
    const row = (label: string, t: Timing) => [
      label,
      t.wall_seconds.toFixed(1),
      perFrame(t.render_seconds),
      perFrame(t.chunk_seconds - t.render_seconds),
      perFrame(t.prepare_seconds),
      perFrame(t.fetch_seconds),
      perFrame(t.fetch_wait_seconds),
    ];
    const body = [
      `${frames} frames of the factory scene (Cycles, ${params.samples} samples, ${params.resolution_x}x${params.resolution_y}), Blender ${VERSION} workers on this machine, ` +
        "scene shipped from a Blender with a UI, frames streamed into the server's data folder; after one warm-up render. " +
        `Machine load when it began: \`${load}\`.`,
      "",
      table(
        ["workers", "wall s", "render ms/frame", "Blender per-chunk overhead ms/frame", "ship scene ms/frame", "frame copy ms/frame (overlaps renders)", "frame copy waited ms/frame"],
        [row("1", one), row("2", two)],
      ),
      "",
      `Speedup on 2 workers: ${speedup.toFixed(2)}x against an ideal 2x (${((speedup / 2) * 100).toFixed(0)} % of ideal). ` +
        "Render is the time the render subprocesses report; the per-chunk overhead is the rest of each chunk job " +
        "(saving a copy of the file, starting a background Blender, loading the scene, the job's round trip on the bus); " +
        "ship and copy are the bus's transfer jobs (512 KiB chunks, base64 in JSON). Per-frame columns divide totals summed over workers by the frame count.",
    ].join("\n");
    return {
      id: "spread",
      title: TITLE,
      body,
      values: {
        frames,
        wall_1: one.wall_seconds,
        wall_2: two.wall_seconds,
        speedup,
        ship_ms_per_frame: (two.prepare_seconds / frames) * 1000,
        copy_ms_per_frame: (two.fetch_seconds / frames) * 1000,
        overhead_ms_per_frame: ((two.chunk_seconds - two.render_seconds) / frames) * 1000,
      },
    };
  } finally {
    await Promise.all(blenders.map((b) => b.stop()));
    await server.stop();
  }
}
