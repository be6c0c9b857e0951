/**
 * What the fake answers by default: the protocol's examples, made to behave
 * (pagination, lookups by name, images of the asked size) so the contract
 * suite can ask the same questions of it as of Blender.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { browseData, getApi, getObjectInfo, getSceneInfo, searchApi } from "@blender-mcp/protocol";
import { gradientPng, rgbPng } from "./png.js";

export class CommandError extends Error {}

type Params = Record<string, unknown>;

const OUTPUT_LIMIT = 1024 * 1024;

/** Runs Python for execute_code and job_dispatch: a real interpreter, without bpy. */
export function runPython(code: string, filename: string): Promise<{ stdout: string; stderr: string; truncated: boolean; ok: boolean }> {
  return new Promise((resolve) => {
    const wrapper = `import sys\nsource = sys.stdin.read()\nexec(compile(source, ${JSON.stringify(filename)}, "exec"), {"__name__": "__main__"})\n`;
    const child = spawn("python3", ["-I", "-c", wrapper], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      const truncated = stdout.length > OUTPUT_LIMIT;
      resolve({ stdout: truncated ? `${stdout.slice(0, OUTPUT_LIMIT)}\n[... output truncated ...]` : stdout, stderr, truncated, ok: code === 0 });
    });
    child.stdin.end(code);
  });
}

export const defaultHandlers: Record<string, (params: Params, jobId: string) => Promise<unknown>> = {
  async get_scene_info(params) {
    const scene = getSceneInfo.example.result;
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 100);
    const objects = scene.objects.slice(offset, offset + limit);
    const next = offset + limit < scene.objects.length ? offset + limit : null;
    return { ...scene, objects, offset, total: scene.objects.length, next_offset: next };
  },
  async get_object_info(params) {
    const name = String(params.name);
    const summary = getSceneInfo.example.result.objects.find((o) => o.name === name);
    if (!summary) throw new CommandError(`No object named ${JSON.stringify(name)}`);
    return { ...getObjectInfo.example.result, name: summary.name, type: summary.type, location: summary.location };
  },
  async browse_data(params) {
    return { ...browseData.example.result, collection: String(params.collection) };
  },
  async execute_code(params, jobId) {
    const run = await runPython(String(params.code), `<${jobId}>`);
    if (!run.ok) throw new CommandError(run.stderr.trim());
    return { stdout: run.stdout, stderr: run.stderr, truncated: run.truncated };
  },
  async get_viewport_screenshot(params) {
    const size = Number(params.max_size ?? 800);
    const width = size;
    const height = Math.max(1, Math.round((size * 9) / 16));
    const png = gradientPng(width, height);
    const filepath = typeof params.filepath === "string" ? params.filepath : null;
    if (filepath) await writeFile(filepath, png);
    return { filepath, width, height, png_base64: png.toString("base64") };
  },
  async get_views(params) {
    const views = (params.views as string[] | undefined) ?? ["front", "right", "top", "user"];
    for (const name of (params.frame as string[] | undefined) ?? []) {
      if (!getSceneInfo.example.result.objects.some((o) => o.name === name)) throw new CommandError(`no object named ${JSON.stringify(name)}`);
    }
    // The addon's grid (core/grid.py): near-square, 2 px gaps, within 1536 px.
    const columns = Math.ceil(Math.sqrt(views.length));
    const rows = Math.ceil(views.length / columns);
    const longest = Math.max(columns, rows);
    const size = Math.min(Number(params.size ?? 384), Math.floor((1536 - 2 * (longest - 1)) / longest));
    const [width, height] = [columns * size + 2 * (columns - 1), rows * size + 2 * (rows - 1)];
    const cells = views.map((view, i) => ({ view, x: (i % columns) * (size + 2), y: Math.floor(i / columns) * (size + 2), size }));
    const png = rgbPng(width, height, (x, y) => {
      const cell = Math.floor(y / (size + 2)) * columns + Math.floor(x / (size + 2));
      return [(cell * 70) % 256, Math.floor((255 * (x % (size + 2))) / size), Math.floor((255 * (y % (size + 2))) / size)];
    });
    return { width, height, cells, png_base64: png.toString("base64") };
  },
  async search_api() {
    return { ...searchApi.example.result, blender_version: "fake" };
  },
  async get_api(params) {
    if (params.id !== getApi.example.result.id) throw new CommandError(`no API entry ${JSON.stringify(params.id)} in the fake addon`);
    return { ...getApi.example.result, blender_version: "fake" };
  },
};

